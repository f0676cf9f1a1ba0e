"""The database's upkeep, for ``tidings db``: migrations and whole copies.

Beside ``core`` rather than in it: these work on a database URL before (or without) a facade,
and a copy runs between two installations.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from tidings.config import Settings
from tidings.store import migrate
from tidings.store.copy import CopyReport, copy_database

__all__ = ["CopyReport", "UpgradeReport", "copy_database", "upgrade_database"]


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
