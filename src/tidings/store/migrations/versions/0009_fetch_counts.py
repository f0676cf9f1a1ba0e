"""Fetch counters in the database, for /metrics across every process (store/counters.py).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetch_counts",
        sa.Column("outcome", sa.String(32), primary_key=True),
        sa.Column("shard", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("fetches", sa.BigInteger(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("new_items", sa.BigInteger(), nullable=False),
        sa.Column("changed_items", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fetch_counts")
