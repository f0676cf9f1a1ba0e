"""Each person's language: the one they chose in their reading settings.

Revision ID: 0019
Revises: 0018

NULL (every person at first) means no choice of their own: the pages follow the browser's
``Accept-Language``, else the site's default language (a site setting, stored as text).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("language", sa.String(16)))


def downgrade() -> None:
    # not in batch mode: a plain drop keeps the table as it is on SQLite >= 3.35 and PostgreSQL
    op.drop_column("users", "language")
