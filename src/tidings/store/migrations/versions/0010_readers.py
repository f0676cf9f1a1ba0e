"""Readers: people's roles and reading settings, subscriptions and the state of their items.

Revision ID: 0010
Revises: 0009

Users get a role (every existing user becomes an admin: they ran the site), their reading
settings and their change counter. Feeds get ``on_site`` (every existing feed is the site's) and
``unread_cap``. ``subscriptions`` and ``entry_states`` are new. On SQLite the items table is
rebuilt with AUTOINCREMENT, so that an item id is never reused after the newest item is deleted
(people's states name items by id); the rebuild drops the search triggers of 0004, which are
created again (the FTS index itself is keyed by the ids, which the copy keeps).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# the triggers of 0004, written out so that this migration keeps doing what it did
SQLITE_TRIGGERS = (
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
)
USER_COLUMNS = (
    "mark_read_on_scroll",
    "state_seq",
    "feed_token_version",
    "keep_unread_days",
    "role",
)


def _rebuild_items(autoincrement: bool) -> None:
    """SQLite: copy items into a table with (or without) AUTOINCREMENT, triggers again."""
    for name in ("items_fts_update", "items_fts_delete", "items_fts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table(
        "items", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "users", sa.Column("role", sa.String(16), nullable=False, server_default="reader")
    )
    op.execute("UPDATE users SET role = 'admin'")
    op.add_column("users", sa.Column("keep_unread_days", sa.Integer(), nullable=True))
    op.add_column(
        "users",
        sa.Column("feed_token_version", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "users", sa.Column("state_seq", sa.BigInteger(), nullable=False, server_default="0")
    )
    op.add_column(
        "users",
        sa.Column("mark_read_on_scroll", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "feeds", sa.Column("on_site", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("feeds", sa.Column("unread_cap", sa.Integer(), nullable=True))
    op.create_index(
        "ix_feeds_off_site",
        "feeds",
        ["id"],
        sqlite_where=sa.text("on_site = 0"),
        postgresql_where=sa.text("on_site = false"),
    )
    if sqlite:
        _rebuild_items(autoincrement=True)
    op.create_index("ix_items_feed_id", "items", ["feed_id", "id"])
    _create_subscriptions()
    _create_entry_states()


def _create_subscriptions() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            BigId,
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_subscriptions_user_id_users"),
            nullable=False,
        ),
        sa.Column(
            "feed_id",
            BigId,
            sa.ForeignKey("feeds.id", ondelete="CASCADE", name="fk_subscriptions_feed_id_feeds"),
            nullable=False,
        ),
        sa.Column("title", sa.Text()),
        sa.Column("folder", sa.Text()),
        sa.Column("hide_from_all", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("reader_view", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_until", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("read_until_seq", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint("user_id", "feed_id", name="uq_subscriptions_user_id_feed_id"),
    )
    op.create_index("ix_subscriptions_feed_id", "subscriptions", ["feed_id"])
    op.create_index("ix_subscriptions_user_id_folder", "subscriptions", ["user_id", "folder"])


def _create_entry_states() -> None:
    op.create_table(
        "entry_states",
        sa.Column(
            "user_id",
            BigId,
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_entry_states_user_id_users"),
            nullable=False,
        ),
        sa.Column(
            "item_id",
            BigId,
            sa.ForeignKey("items.id", ondelete="CASCADE", name="fk_entry_states_item_id_items"),
            nullable=False,
        ),
        sa.Column("feed_id", BigId, nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("read_at", UTCDateTime()),
        sa.Column("starred_at", UTCDateTime()),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "item_id", name="pk_entry_states"),
    )
    op.create_index("ix_entry_states_user_id_seq", "entry_states", ["user_id", "seq"])
    op.create_index("ix_entry_states_user_id_starred", "entry_states", ["user_id", "starred"])
    op.create_index(
        "ix_entry_states_user_id_feed_id", "entry_states", ["user_id", "feed_id", "item_id"]
    )
    op.create_index("ix_entry_states_item_id", "entry_states", ["item_id"])


def downgrade() -> None:
    op.drop_table("entry_states")
    op.drop_table("subscriptions")
    op.drop_index("ix_items_feed_id", table_name="items")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_items(autoincrement=False)
    op.drop_index("ix_feeds_off_site", table_name="feeds")
    # plain DROP COLUMNs (SQLite 3.35+), as in 0006: feeds and users have tables hanging on them
    for name in ("unread_cap", "on_site"):
        op.drop_column("feeds", name)
    for name in USER_COLUMNS:
        op.drop_column("users", name)
