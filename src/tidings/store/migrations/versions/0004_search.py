"""Full-text search: items.search_text, and on SQLite the FTS5 index kept by triggers.

Revision ID: 0004
Revises: 0003

``search_text`` is the plain text of an item's summary and content (see ``store/search.py`` for
why a column rather than stripping tags in a trigger). Existing items get it here, then the
index is built from the table in one ``rebuild``. PostgreSQL gets the column only; its tsvector
index comes with its search backend.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.searchtext import search_text_of

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The SQL is written out here, not imported, so that this migration keeps doing what it did.
SQLITE_UP = (
    "CREATE VIRTUAL TABLE items_fts USING fts5("
    "title, search_text, content='items', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN "
    "INSERT INTO items_fts(rowid, title, search_text) "
    "VALUES (new.id, new.title, new.search_text); END",
    "CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN "
    "INSERT INTO items_fts(items_fts, rowid, title, search_text) "
    "VALUES ('delete', old.id, old.title, old.search_text); END",
    "CREATE TRIGGER items_fts_update AFTER UPDATE OF title, search_text ON items BEGIN "
    "INSERT INTO items_fts(items_fts, rowid, title, search_text) "
    "VALUES ('delete', old.id, old.title, old.search_text); "
    "INSERT INTO items_fts(rowid, title, search_text) "
    "VALUES (new.id, new.title, new.search_text); END",
    "INSERT INTO items_fts(items_fts) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS items_fts_update",
    "DROP TRIGGER IF EXISTS items_fts_delete",
    "DROP TRIGGER IF EXISTS items_fts_insert",
    "DROP TABLE IF EXISTS items_fts",
)


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    conn = op.get_bind()
    items = sa.table(
        "items",
        sa.column("id", sa.Integer),
        sa.column("summary_html", sa.Text),
        sa.column("content_html", sa.Text),
        sa.column("search_text", sa.Text),
    )
    last = 0
    while True:  # in batches, so a large database never sits in memory at once
        rows = conn.execute(
            sa.select(items.c.id, items.c.summary_html, items.c.content_html)
            .where(items.c.id > last)
            .order_by(items.c.id)
            .limit(1000)
        ).all()
        if not rows:
            break
        for row in rows:
            text = search_text_of(row.summary_html, row.content_html)
            if text:
                conn.execute(sa.update(items).where(items.c.id == row.id).values(search_text=text))
        last = rows[-1].id
    if conn.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    with op.batch_alter_table("items") as batch:
        batch.drop_column("search_text")
