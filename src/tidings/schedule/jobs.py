"""The procrastinate side of the workers: the app and its two tasks.

procrastinate keeps its queue in PostgreSQL (``store.queue`` inserts the jobs, in the dispatch's
own transaction). The jobs carry (feed id, token, host) triples; what a job does is the
worker's (``schedule.distributed``), which registers itself here (``serve``) before the
procrastinate worker starts.

- ``tidings.fetch_batch``: update a batch of leased feeds with the pipeline.
- ``tidings.dispatch``: a periodic task (every ``DISPATCH_CRON``), so that running workers are
  enough: no separate scheduler process is needed (``tidings dispatch`` is one if wanted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import procrastinate
from sqlalchemy import Engine

from tidings.store import queue
from tidings.types import Lease

DISPATCH_CRON = "* * * * * */5"  # every 5 seconds (the sixth field is seconds)


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


def connector(engine: Engine, pool_size: int) -> procrastinate.PsycopgConnector:
    """The workers' connector: a pool of its own on the store's database."""
    return procrastinate.PsycopgConnector(
        conninfo=queue.conninfo(engine), min_size=1, max_size=max(2, pool_size)
    )
