"""The database's upkeep, for ``tidings db``: migrations and whole copies.

Beside ``core`` rather than in it: these work on a database URL before (or without) a facade,
and a copy runs between two installations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from tidings.config import Settings
from tidings.errors import StoreError
from tidings.i18n import gettext as _
from tidings.store import migrate
from tidings.store.copy import CopyReport, copy_database

__all__ = [
    "CopyReport",
    "DatabaseState",
    "UpgradeReport",
    "copy_database",
    "database_state",
    "upgrade_database",
]


@dataclass(frozen=True, slots=True)
class UpgradeReport:
    before: str | None  # None: the database was empty
    after: str | None
    queue_installed: bool  # worker mode's job queue was installed now


def upgrade_database(settings: Settings) -> UpgradeReport:
    """Apply the migrations, and on PostgreSQL install the workers' job queue when the workers
    extra is there."""
    engine = migrate.create(settings.effective_database_url)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
        queue = engine.dialect.name == "postgresql" and _install_queue(engine)
    finally:
        engine.dispose()
    return UpgradeReport(before, after, queue)


def _install_queue(engine: Engine) -> bool:
    try:
        from tidings.store import queue  # procrastinate: the workers extra
    except ImportError:  # embedded mode only
        return False
    return queue.ensure_schema(engine)


@dataclass(frozen=True, slots=True)
class DatabaseState:
    where: str  # the database URL, its password hidden
    exists: bool  # False: a SQLite file not created yet (tidings creates it on first use)
    current: str | None  # the database's revision; None: no tables yet
    head: str | None  # the newest revision this tidings knows


def database_state(settings: Settings) -> DatabaseState:
    """Where the database's migrations stand, read without changing anything (a SQLite file that
    does not exist is not created); StoreError when the database does not answer."""
    url = settings.effective_database_url
    head = migrate.head_revision()
    parsed = make_url(url)
    where = parsed.render_as_string(hide_password=True)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).is_file():
        return DatabaseState(where, False, None, head)
    try:
        engine = migrate.create(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return DatabaseState(where, True, migrate.current_revision(engine), head)
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        message = _("the database does not answer: %(reason)s") % {"reason": reason}
        raise StoreError(message) from exc
