"""The procrastinate side of the workers: the app, its two tasks and how jobs are enqueued.

procrastinate keeps its queue in PostgreSQL, so a dispatch can enqueue its jobs on the very
connection and transaction that grant the leases (``enqueue``): its psycopg connector takes an
existing connection (``configure(connection=...)``) and runs the insert there. The jobs carry
(feed id, token, host) triples; what a job does is the worker's (``update/worker.py``), which
registers itself here (``serve``) before the procrastinate worker starts.

- ``tidings.fetch_batch``: update a batch of leased feeds with the pipeline.
- ``tidings.dispatch``: a periodic task (every ``DISPATCH_CRON``), so that running workers are
  enough: no separate scheduler process is needed (``tidings dispatch`` is one if wanted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import procrastinate
from procrastinate.schema import SchemaManager
from sqlalchemy import Connection, Engine, text

from tidings.errors import ConfigError
from tidings.store.leases import Lease

FETCH_QUEUE = "tidings.fetch"
DISPATCH_QUEUE = "tidings.dispatch"
DISPATCH_CRON = "* * * * * */5"  # every 5 seconds (the sixth field is seconds)
SCHEMA_LOCK = 0x7469_6469_6E68  # one process applies procrastinate's schema at a time


class Runner(Protocol):
    async def run_batch(self, leases: Sequence[Lease]) -> dict[str, int]: ...

    async def dispatch_once(self, *, wait: bool = True) -> bool: ...


_runner: list[Runner] = []

FETCH_TASK = "tidings.fetch_batch"

# The workers' app: its connector gets the database when a worker starts (``connector``).
app = procrastinate.App(connector=procrastinate.PsycopgConnector())
# Enqueueing from a dispatch: only ever on a connection the caller holds (so this connector
# never opens a pool of its own), synchronous like the store, by task name.
_deferrer = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())


def serve(runner: Runner | None) -> None:
    """Make ``runner`` do the jobs of this process (None: stop)."""
    _runner.clear()
    if runner is not None:
        _runner.append(runner)


def _current() -> Runner:
    if not _runner:
        raise RuntimeError("tidings jobs run only inside 'tidings worker'")
    return _runner[0]


@app.task(name=FETCH_TASK, queue=FETCH_QUEUE)
async def fetch_batch(leases: list[list[Any]]) -> dict[str, int]:
    """Update one batch of leased feeds."""
    return await _current().run_batch([Lease(int(f), str(t), str(h)) for f, t, h in leases])


@app.periodic(cron=DISPATCH_CRON, periodic_id="tidings")
@app.task(name="tidings.dispatch", queue=DISPATCH_QUEUE)
async def dispatch_tick(timestamp: int) -> None:
    """Lease and enqueue the due feeds (the workers' own clock: no scheduler process needed)."""
    await _current().dispatch_once()


def job_args(batch: Sequence[Lease]) -> dict[str, Any]:
    return {"leases": [[le.feed_id, le.token, le.host] for le in batch]}


def enqueue(conn: Connection, groups: list[list[Lease]]) -> int:
    """Enqueue one ``fetch_batch`` job per group on ``conn``, inside its open transaction."""
    deferrer = _deferrer.configure_task(FETCH_TASK, queue=FETCH_QUEUE, connection=_driver(conn))
    ids = deferrer.batch_defer(*(job_args(g) for g in groups))
    return len(ids)


def _driver(conn: Connection) -> Any:
    """The psycopg connection under a SQLAlchemy one (same session, same transaction)."""
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("the database connection is closed")
    return raw


def connector(engine: Engine, pool_size: int) -> procrastinate.PsycopgConnector:
    """The workers' connector: a pool of its own on the store's database."""
    return procrastinate.PsycopgConnector(
        conninfo=conninfo(engine), min_size=1, max_size=max(2, pool_size)
    )


def conninfo(engine: Engine) -> str:
    """The libpq URL of the store's database, for procrastinate's own connections."""
    if engine.dialect.name != "postgresql":
        raise ConfigError(
            "TIDINGS_DATABASE_URL: the workers need PostgreSQL "
            f"(postgresql://...), not {engine.url.get_backend_name()}"
        )
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(engine: Engine) -> bool:
    """Apply procrastinate's schema unless it is there; True if it was applied now."""
    conninfo(engine)  # PostgreSQL only
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
            return False
        _driver(conn).execute(SchemaManager.get_schema())
    return True
