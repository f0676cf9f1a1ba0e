"""On arrival: WebSub subscriptions, rules and their labels, notification targets and their
outbox, full articles, and the keys that find one story under another guid or in another feed.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", ondelete=ondelete, name=f"fk_{table}_{column}_{target}")


def _columns() -> None:
    op.add_column("feeds", sa.Column("websub_hub", sa.Text()))
    op.add_column("feeds", sa.Column("websub_topic", sa.Text()))
    op.add_column(
        "feeds", sa.Column("full_articles", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("feeds", sa.Column("health_notified_at", UTCDateTime()))
    for name, type_ in [
        ("link_key", sa.String(64)),
        ("title_key", sa.String(64)),
        ("article_html", sa.Text()),
        ("article_status", sa.String(16)),
        ("article_error", sa.Text()),
    ]:
        op.add_column("items", sa.Column(name, type_))
    op.create_index("ix_items_link_key", "items", ["link_key"])
    pending = sa.text("article_status = 'pending'")
    op.create_index(
        "ix_items_article_pending",
        "items",
        ["id"],
        sqlite_where=pending,
        postgresql_where=pending,
    )
    op.add_column(
        "entry_states", sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "folders",
        sa.Column("fold_duplicates", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def _push_subscriptions() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("feed_id", BigId, _fk("push_subscriptions", "feed_id", "feeds", "SET NULL")),
        sa.Column("hub", sa.Text(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("pending_mode", sa.String(16)),
        sa.Column("requested_at", UTCDateTime()),
        sa.Column("verified_at", UTCDateTime()),
        sa.Column("lease_seconds", sa.Integer()),
        sa.Column("expires_at", UTCDateTime()),
        sa.Column("next_action_at", UTCDateTime()),
        sa.Column("last_push_at", UTCDateTime()),
        sa.Column("pushes", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("error_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_push_subscriptions"),
        sa.UniqueConstraint("token", name="uq_push_subscriptions_token"),
    )
    op.create_index("ix_push_subscriptions_feed_id", "push_subscriptions", ["feed_id"])
    op.create_index(
        "ix_push_subscriptions_next_action_at", "push_subscriptions", ["next_action_at"]
    )


def _rules() -> None:
    op.create_table(
        "rules",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("user_id", BigId, _fk("rules", "user_id", "users", "CASCADE")),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("match", sa.String(16), nullable=False),
        sa.Column("negate", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("pattern", sa.Text(), nullable=False),
        sa.Column("feed_id", BigId, _fk("rules", "feed_id", "feeds", "CASCADE")),
        sa.Column("folder", sa.Text()),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("label", sa.Text()),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("failing", sa.Text()),
        sa.Column("failing_since", UTCDateTime()),
        sa.Column("hits", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("last_hit_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_rules"),
    )
    op.create_index("ix_rules_user_id", "rules", ["user_id"])
    op.create_table(
        "item_labels",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("user_id", BigId, _fk("item_labels", "user_id", "users", "CASCADE")),
        sa.Column(
            "item_id", BigId, _fk("item_labels", "item_id", "items", "CASCADE"), nullable=False
        ),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_item_labels"),
        sa.UniqueConstraint(
            "user_id", "item_id", "label", name="uq_item_labels_user_id_item_id_label"
        ),
    )
    op.create_index("ix_item_labels_item_id", "item_labels", ["item_id"])
    op.create_index("ix_item_labels_user_id_label", "item_labels", ["user_id", "label"])


def _notifications() -> None:
    op.create_table(
        "notify_targets",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("user_id", BigId, _fk("notify_targets", "user_id", "users", "CASCADE")),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_sent_at", UTCDateTime()),
        sa.Column("last_digest_at", UTCDateTime()),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_notify_targets"),
    )
    op.create_index("ix_notify_targets_user_id", "notify_targets", ["user_id"])
    op.create_table(
        "notifications",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "target_id",
            BigId,
            _fk("notifications", "target_id", "notify_targets", "CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.Text()),
        sa.Column("item_id", BigId, _fk("notifications", "item_id", "items", "SET NULL")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime()),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )
    op.create_index("ix_notifications_target_id_sent_at", "notifications", ["target_id", "sent_at"])
    unsent = sa.text("sent_at IS NULL")
    op.create_index(
        "ix_notifications_unsent",
        "notifications",
        ["next_attempt_at"],
        sqlite_where=unsent,
        postgresql_where=unsent,
    )


def upgrade() -> None:
    _columns()
    _push_subscriptions()
    _rules()
    _notifications()


def downgrade() -> None:
    for table in ("notifications", "notify_targets", "item_labels", "rules", "push_subscriptions"):
        op.drop_table(table)
    with op.batch_alter_table("folders") as batch:
        batch.drop_column("fold_duplicates")
    with op.batch_alter_table("entry_states") as batch:
        batch.drop_column("hidden")
    op.drop_index("ix_items_article_pending", table_name="items")
    op.drop_index("ix_items_link_key", table_name="items")
    for column in ("link_key", "title_key", "article_html", "article_status", "article_error"):
        op.drop_column("items", column)
    for column in ("websub_hub", "websub_topic", "full_articles", "health_notified_at"):
        op.drop_column("feeds", column)
