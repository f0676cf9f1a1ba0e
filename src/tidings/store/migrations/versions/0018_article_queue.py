"""Full articles: the queue's clock and its claims, beside 0014's article columns.

Revision ID: 0018
Revises: 0017

Why two columns beyond 0014's: the database is the queue of the article fetches, run by a chore
in any number of processes. A claim is a conditional update that moves a row from 'pending' to
'fetching'; a process that dies holding claims must not lose those items for good, so a claim
carries its expiry (``article_due_at``, also a retry's earliest time), and ``article_attempts``
both bounds the retries and tells a late finisher that its claim was taken over (it writes only
while the count is still the one it claimed with).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("items", sa.Column("article_due_at", UTCDateTime()))
    op.add_column(
        "items",
        sa.Column("article_attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    fetching = sa.text("article_status = 'fetching'")
    op.create_index(
        "ix_items_article_fetching",
        "items",
        ["id"],
        sqlite_where=fetching,
        postgresql_where=fetching,
    )


def downgrade() -> None:
    op.drop_index("ix_items_article_fetching", table_name="items")
    # not in batch mode: that would recreate items without its search triggers (0013)
    op.drop_column("items", "article_attempts")
    op.drop_column("items", "article_due_at")
