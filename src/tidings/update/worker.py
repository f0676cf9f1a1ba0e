"""A worker: the same pipeline as the embedded loop, fed with leased batches by procrastinate.

- A batch starts by renewing its leases (``renew``): feeds whose lease was given to another
  worker while the job waited in the queue are skipped, not fetched twice.
- The feeds run through ``Pipeline.update_many`` exactly as embedded; the store is a
  ``LeasedStore``, so each result is written only under its still-current lease, which the same
  transaction releases. A stale result is refused, logged and counted.
- A feed whose update could not be stored keeps its lease until it expires: that is the pause
  before another worker tries it (the embedded loop holds such feeds back itself).
- Every finished batch wakes this worker's dispatcher (coalesced, at most one at a time): the
  leases it released are host budget that can go to the next due feeds at once, instead of at
  the next periodic tick.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from tidings.store import leases as lease_sql
from tidings.store.leases import Lease, LeasedStore
from tidings.update import jobs
from tidings.update.dispatch import BATCH, dispatch
from tidings.update.pipeline import Pipeline

log = logging.getLogger("tidings.worker")

WAKE_GAP = 0.2  # seconds: the most often one worker dispatches after its batches


class Worker:
    """Runs the batches of one worker process and dispatches when it frees host budget."""

    def __init__(
        self,
        pipeline: Pipeline,
        store: LeasedStore,
        *,
        clock: Callable[[], datetime],
        lease_seconds: float,
        cap: int,
        batch: int = BATCH,
    ) -> None:
        self.pipeline = pipeline
        self.store = store
        self.clock = clock
        self.lease_seconds = lease_seconds
        self.cap = cap
        self.batch = batch
        self._wake = asyncio.Event()
        self.batches = 0
        self.skipped = 0  # leases already given to another worker when their batch started

    def _renew(self, batch: Sequence[Lease]) -> list[int]:
        until = self.clock() + timedelta(seconds=self.lease_seconds)
        with self.store.engine.begin() as conn:
            return lease_sql.renew(conn, batch, until)

    async def run_batch(self, leases: Sequence[Lease]) -> dict[str, int]:
        held = set(await self.pipeline.db(self._renew, leases))
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
        report = await asyncio.to_thread(
            dispatch,
            self.store.engine,
            jobs.enqueue,
            now=self.clock(),
            lease_seconds=self.lease_seconds,
            cap=self.cap,
            batch=self.batch,
            wait=wait,
        )
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
    jobs.ensure_schema(worker.store.engine)
    jobs.serve(worker)
    waker = asyncio.create_task(worker.dispatch_when_woken())
    try:
        with jobs.app.replace_connector(
            jobs.connector(worker.store.engine, concurrency + 4)
        ) as app:
            async with app.open_async():
                await app.run_worker_async(
                    queues=[jobs.FETCH_QUEUE, jobs.DISPATCH_QUEUE],
                    concurrency=concurrency,
                    name=name,
                    delete_jobs="successful",
                    shutdown_graceful_timeout=30.0,
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
