"""The embedded scheduler: keep updating the feeds that are due until told to stop.

- Work comes from the store's ``next_check`` times, so a restart resumes where the last run was,
  and a feed whose update was cut short (by a kill) is simply still due.
- Feeds start as they come due, not in rounds: a slow feed never delays the next due one. At most
  ``batch`` feeds are in flight, and at most twice the per-host cap from one host, so the due
  feeds of one slow host cannot fill the batch while other hosts wait.
- Any error of a feed is that feed's result; an error of the loop itself (say, the database is
  locked for a moment) is logged and retried after a short, growing pause. Nothing ends the loop
  but ``stop``. A feed whose update failed so badly that not even the failure could be stored
  (its ``next_check`` did not move) is held back here, a minute doubling to an hour, so that it
  is never fetched in a tight loop.
- On ``stop``, fetches in flight get ``grace`` seconds to finish; the rest are cancelled. A
  cancelled update writes nothing, and a write that already began completes on the store thread
  (one transaction per feed), so no feed is ever half-written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from tidings.ports import UpdateStore
from tidings.types import UpdateResult
from tidings.update.hosts import host_of
from tidings.update.pipeline import UNRECORDED, Pipeline

log = logging.getLogger("tidings.scheduler")

SCAN_LIMIT = 10_000  # due feeds looked at per round: enough to find other hosts behind a busy one
MIN_WAIT = 0.05  # seconds: the loop never spins
HOLD_BASE = 60.0  # seconds a feed whose failure could not be stored is held back, doubling ...
HOLD_MAX = 3600.0  # ... up to an hour


class EmbeddedScheduler:
    """Runs the pipeline over the due feeds of a store until a stop event is set."""

    def __init__(
        self,
        pipeline: Pipeline,
        store: UpdateStore,
        *,
        clock: Callable[[], datetime],
        batch: int = 128,
        idle: float = 30.0,
        grace: float = 10.0,
        on_results: Callable[[list[UpdateResult]], None] | None = None,
    ) -> None:
        if batch < 1 or idle <= 0 or grace < 0:
            raise ValueError("batch must be at least 1, idle positive, grace not negative")
        self.pipeline = pipeline
        self.store = store
        self.clock = clock
        self.batch = batch
        self.idle = idle
        self.grace = grace
        self.on_results = on_results
        self.in_flight: dict[int, asyncio.Task[UpdateResult]] = {}
        self._hosts: dict[int, str] = {}
        self.held: dict[int, float] = {}  # feed id -> monotonic time it may start again
        self._strikes: Counter[int] = Counter()
        self.started = 0
        self.finished = 0

    async def run(self, stop: asyncio.Event) -> None:
        stopping = asyncio.create_task(stop.wait())
        failures = 0
        log.info("scheduler started", extra={"batch": self.batch})
        try:
            while not stop.is_set():
                try:
                    next_due = await self._start_due()
                    failures = 0
                except Exception:  # the loop outlives any error; it is logged in full
                    failures += 1
                    log.exception("scheduler: could not read the due feeds (attempt %d)", failures)
                    next_due = None
                wait = self._wait_seconds(next_due, failures)
                waiting = {stopping, *self.in_flight.values()}
                await asyncio.wait(waiting, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
                self._harvest()
        finally:
            stopping.cancel()
            await self._wind_down()
            log.info(
                "scheduler stopped",
                extra={"started": self.started, "finished": self.finished},
            )

    async def _start_due(self) -> datetime | None:
        """Start the due feeds there is room for; the next time something is due, else None."""
        room = self.batch - len(self.in_flight)
        moment = time.monotonic()
        for feed_id in [f for f, until in self.held.items() if until <= moment]:
            del self.held[feed_id]
        if room > 0:
            due = await self.pipeline.read(self.store.due_feeds, self.clock(), SCAN_LIMIT)
            per_host = Counter(self._hosts.values())
            host_room = self.pipeline.hosts.limit * 2
            for feed_id, url in due:
                if room <= 0:
                    break
                host = host_of(url)
                if feed_id in self.in_flight or feed_id in self.held or per_host[host] >= host_room:
                    continue
                per_host[host] += 1
                room -= 1
                self._hosts[feed_id] = host
                self.in_flight[feed_id] = asyncio.create_task(self.pipeline.update_one(feed_id))
                self.started += 1
        return await self.pipeline.read(
            self.store.next_due, frozenset(self.in_flight) | frozenset(self.held)
        )

    def _wait_seconds(self, next_due: datetime | None, failures: int) -> float:
        if failures:
            return min(self.idle, 0.5 * 2.0 ** min(failures, 10))
        wait = self._until_due(next_due)
        if self.held:  # wake up when the first held feed may go again
            wait = max(MIN_WAIT, min(wait, min(self.held.values()) - time.monotonic()))
        return wait

    def _until_due(self, next_due: datetime | None) -> float:
        if next_due is None:
            return self.idle
        until = (next_due - self.clock()).total_seconds()
        if until <= 0:  # due but not startable now (batch or host full): a finish makes room
            return self.idle if self.in_flight else MIN_WAIT
        return max(MIN_WAIT, min(self.idle, until))

    def _harvest(self) -> None:
        results = []
        for feed_id, task in list(self.in_flight.items()):
            if not task.done():
                continue
            del self.in_flight[feed_id]
            self._hosts.pop(feed_id, None)
            if task.cancelled():
                continue
            error = task.exception()
            if error is not None:  # update_one turns every error into a result; be sure anyway
                log.error("feed %s: update failed: %r", feed_id, error, extra={"feed_id": feed_id})
                continue
            result = task.result()
            if result.extra.get(UNRECORDED):
                self._strikes[feed_id] += 1
                hold = min(HOLD_BASE * 2 ** (self._strikes[feed_id] - 1), HOLD_MAX)
                self.held[feed_id] = time.monotonic() + hold
                log.warning(
                    "feed %s: held back for %d s: its failure could not be stored",
                    feed_id,
                    hold,
                    extra={"feed_id": feed_id},
                )
            else:
                self._strikes.pop(feed_id, None)
            results.append(result)
        self.finished += len(results)
        if results and self.on_results is not None:
            try:
                self.on_results(results)
            except Exception:
                log.exception("scheduler: the results callback failed")

    async def _wind_down(self) -> None:
        """Let the updates in flight finish for ``grace`` seconds, then cancel the rest."""
        if not self.in_flight:
            return
        tasks = list(self.in_flight.values())
        log.info("scheduler stopping: %d updates in flight", len(tasks))
        _, pending = await asyncio.wait(tasks, timeout=self.grace)
        for task in pending:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*pending, return_exceptions=True)
        if pending:
            log.info("scheduler abandoned %d updates; their feeds stay due", len(pending))
        self._harvest()
