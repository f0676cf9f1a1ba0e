"""Open the database: engine, connection pragmas, and migrations applied on first use.

A database already at ``HEAD`` is known by one query, without Alembic: loading Alembic and its
environment costs more than the rest of a short command, and nearly every start finds nothing
to migrate. Alembic is imported only to read or move revisions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def _newest_revision() -> str:
    """The newest migration, read from the file names: each script is ``NNNN_what.py`` with
    revision ``NNNN``, one after the other (tests/store/test_migrate.py checks this against
    Alembic's own reading of the scripts)."""
    numbered = (re.match(r"(\d{4})_\w+\.py$", p.name) for p in (MIGRATIONS / "versions").iterdir())
    return max(m.group(1) for m in numbered if m)


HEAD = _newest_revision()


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def create(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # autocommit off with explicit BEGIN: SQLAlchemy manages the transactions
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return HEAD


def at_head(engine: Engine) -> bool:
    """Whether the database's one revision is ``HEAD``; False for anything else, a database
    without tables or one that does not answer included (Alembic then says what it is)."""
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return False
    return found == [HEAD]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` in one transaction (nothing to do, and Alembic
    not loaded, when the database is at ``HEAD`` already)."""
    if revision == "head" and at_head(engine):
        return
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
