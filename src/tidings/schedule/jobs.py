"""The procrastinate side of the workers: the app and its two tasks.

procrastinate keeps its queue in PostgreSQL (``store.queue`` inserts the jobs, in the dispatch's
own transaction). The jobs carry (feed id, token, host) triples; what a job does is the
worker's (``schedule.distributed``), which registers itself here (``serve``) before the
procrastinate worker starts.

- ``tidings.fetch_batch``: update a batch of leased feeds with the pipeline.
- ``tidings.dispatch``: a periodic task (every ``DISPATCH_CRON``), so that running workers are
  enough: no separate scheduler process is needed (``tidings dispatch`` is one if wanted).
- ``tidings.retry_stalled``: a periodic task (every ``STALLED_CRON``) that gives the jobs of a
  worker that died (SIGKILL, a lost machine: its heartbeat stopped, see ``heartbeat``) back to
  the queue, so that the workers clear them themselves. A retried batch renews its leases
  first, so it updates only the feeds still leased to it: nothing is fetched twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

import procrastinate
from procrastinate.job_context import JobContext
from procrastinate.manager import JobManager
from sqlalchemy import Engine

from tidings.store import queue
from tidings.types import Lease

DISPATCH_CRON = "* * * * * */5"  # every 5 seconds (the sixth field is seconds)
STALLED_CRON = "* * * * * */5"
RETRY_STALLED_TASK = "tidings.retry_stalled"
MISSED_HEARTBEATS = 3  # a worker is stalled once it missed this many heartbeats in a row

log = logging.getLogger("tidings.worker")


class Runner(Protocol):
    async def run_batch(self, leases: Sequence[Lease]) -> dict[str, int]: ...

    async def dispatch_once(self, *, wait: bool = True) -> bool: ...


_runner: list[Runner] = []

# The workers' app: its connector gets the database when a worker starts (``connector``).
app = procrastinate.App(connector=procrastinate.PsycopgConnector())


def serve(runner: Runner | None) -> None:
    """Make ``runner`` do the jobs of this process (None: stop)."""
    _runner.clear()
    if runner is not None:
        _runner.append(runner)


def _current() -> Runner:
    if not _runner:
        raise RuntimeError("tidings jobs run only inside 'tidings worker'")
    return _runner[0]


@app.task(name=queue.FETCH_TASK, queue=queue.FETCH_QUEUE)
async def fetch_batch(leases: list[list[Any]]) -> dict[str, int]:
    """Update one batch of leased feeds."""
    return await _current().run_batch(queue.leases_of_job(leases))


@app.periodic(cron=DISPATCH_CRON, periodic_id="tidings")
@app.task(name=queue.DISPATCH_TASK, queue=queue.DISPATCH_QUEUE)
async def dispatch_tick(timestamp: int) -> None:
    """Lease and enqueue the due feeds (the workers' own clock: no scheduler process needed)."""
    await _current().dispatch_once()


def heartbeat(lease_seconds: float) -> float:
    """Seconds between a worker's heartbeats: every 10 s, or more often for short leases, so
    that a dead worker's jobs are retried before its leases run out."""
    return max(0.2, min(10.0, lease_seconds / (2 * MISSED_HEARTBEATS)))


async def retry_stalled(manager: JobManager, stalled_after: float) -> int:
    """Put the jobs of workers silent for ``stalled_after`` seconds back in the queue; how many."""
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after))
    for job in stalled:
        await manager.retry_job(job)
    if stalled:
        log.info("retried %d jobs of stalled workers", len(stalled))
    return len(stalled)


_stalled_after: list[float] = [MISSED_HEARTBEATS * 10.0]


def watch_stalled(heartbeat_seconds: float) -> None:
    """The heartbeat of this process's workers, which says when another worker is stalled."""
    _stalled_after[:] = [MISSED_HEARTBEATS * heartbeat_seconds]


@app.periodic(cron=STALLED_CRON, periodic_id="tidings-stalled")
@app.task(name=RETRY_STALLED_TASK, queue=queue.DISPATCH_QUEUE, pass_context=True)
async def retry_stalled_tick(context: JobContext, timestamp: int) -> None:
    """Give the jobs of dead workers back to the queue."""
    await retry_stalled(context.app.job_manager, _stalled_after[0])


def connector(engine: Engine, pool_size: int) -> procrastinate.PsycopgConnector:
    """The workers' connector: a pool of its own on the store's database."""
    return procrastinate.PsycopgConnector(
        conninfo=queue.conninfo(engine), min_size=1, max_size=max(2, pool_size)
    )
