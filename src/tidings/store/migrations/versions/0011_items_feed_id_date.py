"""A person's unread items sorted from the index alone: ``items (feed_id, id, sort_date)``
replaces ``items (feed_id, id)``. Unread counts stay range counts on it; an unread page takes
the ids above the watermarks with their dates without reading the table rows.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_items_feed_id_date", "items", ["feed_id", "id", "sort_date"])
    op.drop_index("ix_items_feed_id", table_name="items")


def downgrade() -> None:
    op.create_index("ix_items_feed_id", "items", ["feed_id", "id"])
    op.drop_index("ix_items_feed_id_date", table_name="items")
