"""Leases on feeds, for the distributed workers (store/leases.py).

Revision ID: 0006
Revises: 0005

A worker's claim on a feed: ``lease_token`` (its result is written only while the token is
current), ``lease_until`` (past it the feed is due again) and ``lease_host`` (the requests in
flight per host, counted across all workers).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("lease_token", sa.String(32), nullable=True))
        batch.add_column(sa.Column("lease_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("lease_host", sa.Text(), nullable=True))
    op.create_index("ix_feeds_lease_until", "feeds", ["lease_until"])


def downgrade() -> None:
    op.drop_index("ix_feeds_lease_until", table_name="feeds")
    # a plain DROP COLUMN (SQLite 3.35+): a batch rebuild of feeds would have to drop the table
    # that items and the search triggers hang on
    for name in ("lease_host", "lease_until", "lease_token"):
        op.drop_column("feeds", name)
