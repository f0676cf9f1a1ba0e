"""Scheduling hints and redirect tracking on feeds.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("ttl_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("skip_hours", sa.Text(), nullable=True))
        batch.add_column(sa.Column("skip_days", sa.Text(), nullable=True))
        batch.add_column(sa.Column("redirect_url", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("redirect_count", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        for name in ("redirect_count", "redirect_url", "skip_days", "skip_hours", "ttl_minutes"):
            batch.drop_column(name)
