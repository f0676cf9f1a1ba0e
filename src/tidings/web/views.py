"""The data behind the public pages: one function per page, read in a worker thread.

The admin's data is in ``admin_views``, the outgoing feeds' in ``feeddata``, search in ``search``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tidings.core import Aggregator
from tidings.types import Category, Feed, Item


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True, slots=True)
class ItemList:
    items: tuple[Item, ...]
    page: Page
    now: datetime


@dataclass(frozen=True, slots=True)
class SourceSummary:
    feed: Feed
    latest: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class SourcePage:
    feed: Feed
    items: ItemList


@dataclass(frozen=True, slots=True)
class CategorySummary:
    category: Category
    feed_count: int


@dataclass(frozen=True, slots=True)
class CategoryPage:
    category: Category
    feeds: tuple[Feed, ...]
    items: ItemList


def _page(
    agg: Aggregator,
    number: int,
    *,
    feed_id: int | None = None,
    category: str | None = None,
    with_article: bool = False,
) -> ItemList:
    size = agg.site().items_per_page
    offset = (number - 1) * size
    rows = agg.items(
        limit=size + 1,
        offset=offset,
        feed_id=feed_id,
        category=category,
        with_article=with_article,
    )
    return ItemList(tuple(rows[:size]), Page(number, size, len(rows) > size), agg.clock())


def whats_new(agg: Aggregator, page: int) -> ItemList:
    """All items of all feeds, newest first, one page of them."""
    return _page(agg, page)


def sources(agg: Aggregator) -> tuple[tuple[SourceSummary, ...], datetime]:
    """Every source with its latest three items, by title."""
    latest = agg.latest_per_feed(3)
    feeds = sorted(agg.feeds(), key=lambda f: f.display_title.casefold())
    return tuple(SourceSummary(f, tuple(latest.get(f.id, ()))) for f in feeds), agg.clock()


def source(agg: Aggregator, feed_id: int, page: int) -> SourcePage:
    """One source: its block and a page of its items (with their articles when the feed has
    them fetched). Raises NotFoundError."""
    feed = agg.site_feed(feed_id)
    return SourcePage(feed, _page(agg, page, feed_id=feed.id, with_article=feed.full_articles))


def categories(agg: Aggregator) -> tuple[CategorySummary, ...]:
    counts = agg.category_feed_counts()
    return tuple(CategorySummary(c, counts.get(c.id, 0)) for c in agg.categories())


def category(agg: Aggregator, slug: str, page: int) -> CategoryPage:
    """One category: its sources and a page of their items. Raises NotFoundError."""
    cat = agg.category(slug)
    feeds = tuple(f for f in agg.feeds() if cat.name in f.categories)
    return CategoryPage(cat, feeds, _page(agg, page, category=cat.slug))
