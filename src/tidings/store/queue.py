"""The workers' job queue, which procrastinate keeps in PostgreSQL beside the feeds.

Only the storage side is here: the queue's schema, its connection URL and how jobs are
inserted. A dispatch inserts its jobs on the very connection and transaction that grant the
leases (``enqueue``), so a job never names a lease that does not exist and a lease never lacks
its job; procrastinate's psycopg connector takes an existing connection for that. What a job
does is ``tidings.schedule``'s, which registers the tasks under the names below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import procrastinate
from procrastinate.schema import SchemaManager
from sqlalchemy import Connection, Engine, text

from tidings.errors import ConfigError
from tidings.i18n import gettext as _
from tidings.types import Lease

FETCH_TASK = "tidings.fetch_batch"
FETCH_QUEUE = "tidings.fetch"
DISPATCH_TASK = "tidings.dispatch"
DISPATCH_QUEUE = "tidings.dispatch"
SCHEMA_LOCK = 0x7469_6469_6E68  # one process applies procrastinate's schema at a time

# Inserting jobs: only ever on a connection the caller holds (so this connector never opens a
# pool of its own), synchronous like the store, by task name.
_deferrer = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())


def job_args(batch: Sequence[Lease]) -> dict[str, Any]:
    return {"leases": [[le.feed_id, le.token, le.host] for le in batch]}


def leases_of_job(raw: list[list[Any]]) -> list[Lease]:
    """The leases of a job's arguments (JSON: lists, not tuples)."""
    return [Lease(int(f), str(t), str(h)) for f, t, h in raw]


def enqueue(conn: Connection, groups: list[list[Lease]]) -> int:
    """Insert one ``fetch_batch`` job per group on ``conn``, inside its open transaction."""
    deferrer = _deferrer.configure_task(FETCH_TASK, queue=FETCH_QUEUE, connection=_driver(conn))
    ids = deferrer.batch_defer(*(job_args(g) for g in groups))
    return len(ids)


def _driver(conn: Connection) -> Any:
    """The psycopg connection under a SQLAlchemy one (same session, same transaction)."""
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("the database connection is closed")
    return raw


def conninfo(engine: Engine) -> str:
    """The libpq URL of the store's database, for procrastinate's own connections."""
    if engine.dialect.name != "postgresql":
        raise ConfigError(
            _("TIDINGS_DATABASE_URL: the workers need PostgreSQL (postgresql://...), not %(db)s")
            % {"db": engine.url.get_backend_name()}
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
