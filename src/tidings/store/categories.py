"""Categories: their names, their unique readable slugs, and which feeds are in which."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, delete, func, insert, select

from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.store.part import StorePart
from tidings.store.schema import categories, feed_categories, feeds
from tidings.types import Category


def slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "category"


def _free_slug(conn: Connection, name: str) -> str:
    """The slug of ``name``, numbered when another category has it already."""
    base = slug = slugify(name)
    n = 1
    while conn.execute(select(categories.c.id).where(categories.c.slug == slug)).first():
        n += 1
        slug = f"{base}-{n}"
    return slug


def assign_categories(conn: Connection, feed_id: int, names: Iterable[str]) -> None:
    """Put the feed in exactly the categories ``names``, making the ones that do not exist."""
    conn.execute(delete(feed_categories).where(feed_categories.c.feed_id == feed_id))
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        cat_id = conn.execute(select(categories.c.id).where(categories.c.name == name)).scalar()
        if cat_id is None:
            cat_id = conn.execute(
                insert(categories).values(name=name, slug=_free_slug(conn, name))
            ).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(insert(feed_categories).values(feed_id=feed_id, category_id=cat_id))


class CategoriesPart(StorePart):
    def set_categories(self, feed_id: int, names: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            assign_categories(conn, feed_id, names)

    def list_categories(self) -> list[Category]:
        with self.engine.connect() as conn:
            return [
                Category(r.id, r.name, r.slug)
                for r in conn.execute(select(categories).order_by(categories.c.name))
            ]

    def get_category(self, slug: str) -> Category:
        with self.engine.connect() as conn:
            row = conn.execute(select(categories).where(categories.c.slug == slug)).first()
        if row is None:
            raise NotFoundError(_("no category %(slug)r") % {"slug": slug})
        return Category(row.id, row.name, row.slug)

    def category_feed_counts(self) -> dict[int, int]:
        query = (
            select(feed_categories.c.category_id, func.count())
            .join(feeds, feeds.c.id == feed_categories.c.feed_id)
            .where(feeds.c.on_site)
            .group_by(feed_categories.c.category_id)
        )
        with self.engine.connect() as conn:
            return {cid: n for cid, n in conn.execute(query)}
