"""Opening a database: the migrations give the schema, SQLite gets its pragmas."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tidings.store import migrate
from tidings.store.schema import metadata
from tidings.store.search import include_name
from tidings.store.store import Store


def test_migrations_match_the_schema(store: Store) -> None:
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, metadata)
        assert diff == []
    Store.open(str(store.engine.url.render_as_string(hide_password=False))).close()  # no-op


def test_sqlite_pragmas_and_integrity(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'db' / 'tidings.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    store.close()
    raw = sqlite3.connect(tmp_path / "db" / "tidings.db")
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
