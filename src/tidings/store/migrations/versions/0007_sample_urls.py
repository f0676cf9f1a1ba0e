"""The sample feeds move off the server that subscribed them.

Revision ID: 0007
Revises: 0006

Sample feeds used to be subscribed at ``http://127.0.0.1:<port>/samples/<name>``, which only the
server on that port could fetch. They are now read from the package at
``http://samples.tidings.invalid/samples/<name>`` (``fetch/samples.py``): the old URLs are renamed,
and their failures (every other process was refused the loopback address) forgotten, so that
the next update reads them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NAMES = ("tidings-news.xml", "feed-formats.atom", "polite-fetching.json")
OLD_HOSTS = ("127.0.0.1", "localhost", "[::1]")
NEW = "http://samples.tidings.invalid/samples/"


def upgrade() -> None:
    rename = sa.text(
        "UPDATE feeds SET url = :new, error_count = 0, error_kind = NULL, last_error = NULL,"
        " error_since = NULL, disabled_reason = NULL, next_check = NULL"
        " WHERE url LIKE :old AND NOT EXISTS (SELECT 1 FROM feeds AS f WHERE f.url = :new)"
    )
    for name in NAMES:
        for host in OLD_HOSTS:
            op.execute(rename.bindparams(new=NEW + name, old=f"http://{host}:%/samples/{name}"))


def downgrade() -> None:
    for name in NAMES:
        op.execute(
            sa.text("UPDATE feeds SET url = :old WHERE url = :new").bindparams(
                old=f"http://127.0.0.1:8000/samples/{name}", new=NEW + name
            )
        )
