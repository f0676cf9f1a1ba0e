"""Worker mode: the worker processes and the dispatcher loop, on PostgreSQL and procrastinate.

A worker runs the same pipeline as the embedded loop, fed with leased batches by procrastinate:

- A batch starts by renewing its leases (``renew``): feeds whose lease was given to another
  worker while the job waited in the queue are skipped, not fetched twice.
- The feeds run through ``Pipeline.update_many`` exactly as embedded; the store is a
  ``LeasedStore``, so each result is written only under its still-current lease, which the same
  transaction releases. A stale result is refused, logged and counted.
- A feed whose update could not be stored keeps its lease until it expires: that is the pause
  before another worker tries it (the embedded loop holds such feeds back itself).
- A worker that dies leaves its jobs ``doing``: the other workers see its heartbeat stop and put
  them back in the queue (``jobs.retry_stalled``).
- Every finished batch wakes this worker's dispatcher (coalesced, at most one at a time): the
  leases it released are host budget that can go to the next due feeds at once, instead of at
  the next periodic tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from tidings.config import Settings
from tidings.core import Aggregator
from tidings.schedule import jobs
from tidings.store import claims, queue
from tidings.store.leases import LeasedStore
from tidings.store.store import Store
from tidings.types import Lease
from tidings.update.dispatch import Dispatcher, DispatchReport
from tidings.update.pipeline import Pipeline

log = logging.getLogger("tidings.worker")
dispatch_log = logging.getLogger("tidings.dispatch")

WAKE_GAP = 0.2  # seconds: the most often one worker dispatches after its batches


class Worker:
    """Runs the batches of one worker process and dispatches when it frees host budget."""

    def __init__(
        self,
        pipeline: Pipeline,
        store: LeasedStore,
        dispatcher: Dispatcher,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self.pipeline = pipeline
        self.store = store
        self.dispatcher = dispatcher
        self.clock = clock
        self._wake = asyncio.Event()
        self.batches = 0
        self.skipped = 0  # leases already given to another worker when their batch started

    async def run_batch(self, leases: Sequence[Lease]) -> dict[str, int]:
        until = self.clock() + timedelta(seconds=self.dispatcher.lease_seconds)
        held = set(await self.pipeline.db(claims.renew, self.store.engine, leases, until))
        current = [le for le in leases if le.feed_id in held]
        skipped = len(leases) - len(current)
        self.skipped += skipped
        if skipped:
            log.info("batch: %d of %d leases were no longer current", skipped, len(leases))
        stale_before = self.store.stale
        self.store.hold(current)
        try:
            results = await self.pipeline.update_many([le.feed_id for le in current])
        finally:
            self.store.drop(current)
            self.batches += 1
            self._wake.set()
        return {
            "feeds": len(current),
            "skipped": skipped,
            "failed": sum(1 for r in results if not r.ok),
            "stale": max(0, self.store.stale - stale_before),
        }

    async def dispatch_once(self, *, wait: bool = True) -> bool:
        """One dispatch; False if another was running and this one did not wait for it."""
        report = await asyncio.to_thread(self.dispatcher, self.clock(), wait=wait)
        return not report.busy

    async def dispatch_when_woken(self) -> None:
        """Dispatch after finished batches: wake-ups within ``WAKE_GAP`` make one dispatch, and
        none waits for another worker's dispatch (it retries after the gap instead), so that
        many workers never queue up on the dispatch lock. Errors are logged; the next wake-up
        or periodic tick tries again."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                if not await self.dispatch_once(wait=False):
                    self._wake.set()  # someone else is dispatching: try again after the gap
            except Exception:
                log.exception("worker: dispatch failed")
            await asyncio.sleep(WAKE_GAP)


async def run(worker: Worker, *, concurrency: int, name: str = "tidings-worker") -> None:
    """Run procrastinate's worker over the tidings queues until SIGTERM or SIGINT."""
    queue.ensure_schema(worker.store.engine)
    jobs.serve(worker)
    beat = jobs.heartbeat(worker.dispatcher.lease_seconds)
    jobs.watch_stalled(beat)
    waker = asyncio.create_task(worker.dispatch_when_woken())
    try:
        with jobs.app.replace_connector(
            jobs.connector(worker.store.engine, concurrency + 4)
        ) as app:
            async with app.open_async():
                await app.run_worker_async(
                    queues=[queue.FETCH_QUEUE, queue.DISPATCH_QUEUE],
                    concurrency=concurrency,
                    name=name,
                    delete_jobs="successful",
                    shutdown_graceful_timeout=30.0,
                    update_heartbeat_interval=beat,
                    stalled_worker_timeout=jobs.MISSED_HEARTBEATS * beat,
                )
    finally:
        waker.cancel()
        jobs.serve(None)
        log.info(
            "worker stopped: %d batches, %d stale results, %d leases skipped",
            worker.batches,
            worker.store.stale,
            worker.skipped,
        )


def open_worker(settings: Settings) -> Aggregator:
    """The facade of a worker process: its store writes only under a current lease."""
    return Aggregator(settings, LeasedStore(Store.open(settings.effective_database_url).engine))


async def run_worker(agg: Aggregator, *, concurrency: int) -> None:
    """Be a worker until SIGTERM or SIGINT: ``agg`` comes from ``open_worker``."""
    if not isinstance(agg.store, LeasedStore):
        raise TypeError("a worker needs the facade of open_worker")
    async with agg:
        worker = Worker(agg.pipeline, agg.store, agg.dispatcher, clock=agg.clock)
        await run(worker, concurrency=concurrency)


def ensure_queue(agg: Aggregator) -> bool:
    """Install procrastinate's schema unless it is there; True if it was installed now."""
    return queue.ensure_schema(agg.store.engine)


def dispatch_once(agg: Aggregator) -> DispatchReport:
    """One dispatch now (``tidings dispatch --once``)."""
    ensure_queue(agg)
    return agg.dispatcher(agg.clock())


async def run_dispatcher(agg: Aggregator, stop: asyncio.Event, *, interval: float = 2.0) -> None:
    """Dispatch every ``interval`` seconds until ``stop``; an error is logged, then retried.

    Any number of these may run (and the workers' periodic task besides): the dispatch lock
    makes them take turns, and each grants only what the budgets leave.
    """
    dispatcher = agg.dispatcher
    dispatch_log.info("dispatcher started", extra={"interval": interval})
    while not stop.is_set():
        try:
            await asyncio.to_thread(dispatcher, agg.clock())
        except Exception:  # the database is away for a moment: the next round tries again
            dispatch_log.exception("dispatcher: dispatch failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
    dispatch_log.info("dispatcher stopped")
