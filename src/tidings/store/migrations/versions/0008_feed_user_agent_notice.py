"""A feed's own User-Agent, and its notice.

Revision ID: 0008
Revises: 0007

``user_agent``: the User-Agent sent for this feed's requests instead of the site's
(``TIDINGS_USER_AGENT``). ``notice``: a note for the feed's health that is not a failure, written by
every successful update (e.g. a permanent redirect not adopted because it would drop https).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("user_agent", sa.Text(), nullable=True))
        batch.add_column(sa.Column("notice", sa.Text(), nullable=True))


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite 3.35+): a batch rebuild of feeds would have to drop the table
    # that items and the search triggers hang on
    for name in ("notice", "user_agent"):
        op.drop_column("feeds", name)
