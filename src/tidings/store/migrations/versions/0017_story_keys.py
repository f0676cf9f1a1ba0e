"""The same story under another guid: items.content_key, and every stored item's keys filled in.

Revision ID: 0017
Revises: 0014

Why a column beyond 0014's link_key and title_key: the rule (docs/arrival.md, Duplicates) asks
whether two items have the same text, and items.content_hash cannot tell, as it covers the title
and the link too, the very things that differ between a story and its copy under a new guid.

Why fill the keys now rather than lazily: a folder that folds duplicates matches link_key in
SQL across feeds, so every stored item needs its key, not only those an update reads again. The
items are read and written a batch at a time by id, so a large database does not hold them all.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tidings.storykeys import content_key, link_key, title_key

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 1000

_items = sa.table(
    "items",
    sa.column("id", sa.BigInteger()),
    sa.column("title", sa.Text()),
    sa.column("link", sa.Text()),
    sa.column("published", sa.DateTime()),
    sa.column("summary_html", sa.Text()),
    sa.column("content_html", sa.Text()),
    sa.column("link_key", sa.String(64)),
    sa.column("title_key", sa.String(64)),
    sa.column("content_key", sa.String(32)),
)


def _backfill(conn: sa.Connection) -> None:
    """Each item's keys, a batch of ids at a time (naive datetimes in the column are UTC)."""
    query = (
        sa.select(
            _items.c.id,
            _items.c.title,
            _items.c.link,
            _items.c.published,
            _items.c.summary_html,
            _items.c.content_html,
        )
        .where(_items.c.id > sa.bindparam("after"))
        .order_by(_items.c.id)
        .limit(BATCH)
    )
    write = (
        sa.update(_items)
        .where(_items.c.id == sa.bindparam("b_id"))
        .values(
            link_key=sa.bindparam("v_link"),
            title_key=sa.bindparam("v_title"),
            content_key=sa.bindparam("v_content"),
        )
    )
    after = 0
    while True:
        rows = conn.execute(query, {"after": after}).all()
        if not rows:
            return
        conn.execute(
            write,
            [
                {
                    "b_id": r.id,
                    "v_link": link_key(r.link),
                    "v_title": title_key(r.title, r.published),
                    "v_content": content_key(r.summary_html, r.content_html),
                }
                for r in rows
            ],
        )
        after = rows[-1].id


def upgrade() -> None:
    op.add_column("items", sa.Column("content_key", sa.String(32)))
    _backfill(op.get_bind())


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite 3.35+): batch mode would recreate items without its triggers
    op.drop_column("items", "content_key")
