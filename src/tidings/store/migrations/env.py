"""Alembic environment: runs on the connection tidings hands over (see ``store.migrate``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tidings.store.schema import metadata
from tidings.store.search import include_name

target_metadata = metadata


def run_migrations_online() -> None:
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("tidings runs its migrations through tidings.store.migrate()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
        include_name=include_name,  # the FTS5 index tables are made by hand, not from metadata
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
