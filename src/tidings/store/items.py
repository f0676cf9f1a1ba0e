"""Items as readers see them: pages of the newest, counts, and the latest of every feed."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, Label, Row, Select, false, func, or_, select

from tidings.store.part import StorePart
from tidings.store.schema import categories, feed_categories, feeds, items
from tidings.types import Enclosure, Item

MAX_PAGE = 500
# what an Item is read from: not the search index's text, the duplicate keys, the article
# (read only where it is shown: ``WITH_ARTICLE``) nor its place in the queue
_NOT_READ = {
    "search_text",
    "link_key",
    "title_key",
    "content_key",
    "article_html",
    "article_status",
    "article_error",
    "article_due_at",
    "article_attempts",
}
ITEM_COLUMNS = tuple(c for c in items.c if c.key not in _NOT_READ)
_ARTICLE = (items.c.article_html, items.c.article_status, items.c.article_error)
WITH_ARTICLE = (*ITEM_COLUMNS, *_ARTICLE)


def without_article(query: Select[Any]) -> Select[Any]:
    """``query`` without the article, which a list of items does not show."""
    kept = [c for c in query.selected_columns if c.key not in {a.key for a in _ARTICLE}]
    return query.with_only_columns(*kept)  # the joins stay: they are select_from()s


def feed_title() -> Label[Any]:
    """The title an item's feed is shown under, as the ``feed_title`` an Item is read with."""
    return func.coalesce(feeds.c.user_title, feeds.c.title, feeds.c.url).label("feed_title")


def on_site_items() -> ColumnElement[bool]:
    """Items of the site's feeds: public reads leave out the feeds only people follow (a
    partial index lists those, so the test is cheap however many feeds the site has)."""
    return items.c.feed_id.not_in(select(feeds.c.id).where(feeds.c.on_site == false()))


def _enclosures(raw: str | None) -> tuple[Enclosure, ...]:
    if not raw:
        return ()
    return tuple(Enclosure(e["url"], e.get("type"), e.get("length")) for e in json.loads(raw))


def item_of(r: Row[*tuple[Any, ...]]) -> Item:
    """The Item of a row of ``ITEM_COLUMNS`` and ``feed_title`` (the one conversion, which the
    search backends use too)."""
    return Item(
        id=r.id,
        feed_id=r.feed_id,
        feed_title=r.feed_title,
        guid=r.guid,
        title=r.title,
        link=r.link,
        author=r.author,
        published=r.published,
        updated=r.updated,
        first_seen=r.first_seen,
        sort_date=r.sort_date,
        summary_html=r.summary_html,
        content_html=r.content_html,
        enclosures=_enclosures(r.enclosures),
        categories=tuple(json.loads(r.categories)) if r.categories else (),
        image=r.image_url,
        article_html=r._mapping.get("article_html"),
        article_status=r._mapping.get("article_status"),
        article_error=r._mapping.get("article_error"),
    )


class ItemsPart(StorePart):
    def items(
        self,
        *,
        feed_id: int | None = None,
        category: str | None = None,
        limit: int = 30,
        offset: int = 0,
        with_article: bool = False,
    ) -> list[Item]:
        """The site's items, newest first, by the date each item is listed under (with the
        articles fetched from their pages: ``with_article``)."""
        query = (
            select(*(WITH_ARTICLE if with_article else ITEM_COLUMNS), feed_title())
            .join(feeds, feeds.c.id == items.c.feed_id)
            .where(feeds.c.on_site)
        )
        if feed_id is not None:
            query = query.where(items.c.feed_id == feed_id)
        if category is not None:
            query = query.where(
                items.c.feed_id.in_(
                    select(feed_categories.c.feed_id)
                    .join(categories, categories.c.id == feed_categories.c.category_id)
                    .where(or_(categories.c.name == category, categories.c.slug == category))
                )
            )
        query = (
            query.order_by(items.c.sort_date.desc(), items.c.id.desc())
            .limit(max(1, min(limit, MAX_PAGE)))
            .offset(max(0, offset))
        )
        with self.engine.connect() as conn:
            return [item_of(r) for r in conn.execute(query)]

    def count_items(self, *, feed_id: int | None = None) -> int:
        query = select(func.count()).select_from(items).where(on_site_items())
        if feed_id is not None:
            query = query.where(items.c.feed_id == feed_id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def latest_per_feed(self, per_feed: int) -> dict[int, list[Item]]:
        """The newest items of every site feed in one query (a window, not one per feed)."""
        rank = (
            func.row_number()
            .over(
                partition_by=items.c.feed_id, order_by=(items.c.sort_date.desc(), items.c.id.desc())
            )
            .label("rank")
        )
        ranked = select(items.c.id, rank).where(on_site_items()).subquery()
        query = (
            select(*ITEM_COLUMNS, feed_title())
            .join(feeds, feeds.c.id == items.c.feed_id)
            .join(ranked, ranked.c.id == items.c.id)
            .where(ranked.c.rank <= per_feed)
            .order_by(items.c.feed_id, items.c.sort_date.desc(), items.c.id.desc())
        )
        out: dict[int, list[Item]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                out.setdefault(row.feed_id, []).append(item_of(row))
        return out
