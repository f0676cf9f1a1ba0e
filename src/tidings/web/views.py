"""The data behind each page: one function per page, feeding the HTML and the JSON alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tidings.core import Aggregator
from tidings.timefmt import iso
from tidings.types import Category, Feed, FeedHealth, FetchRecord, Item


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
    agg: Aggregator, number: int, *, feed_id: int | None = None, category: str | None = None
) -> ItemList:
    size = agg.site().items_per_page
    offset = (number - 1) * size
    rows = agg.items(limit=size + 1, offset=offset, feed_id=feed_id, category=category)
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
    """One source: its block and a page of its items. Raises NotFoundError."""
    feed = agg.feed(feed_id)
    return SourcePage(feed, _page(agg, page, feed_id=feed.id))


def categories(agg: Aggregator) -> tuple[CategorySummary, ...]:
    counts = agg.category_feed_counts()
    return tuple(CategorySummary(c, counts.get(c.id, 0)) for c in agg.categories())


def category(agg: Aggregator, slug: str, page: int) -> CategoryPage:
    """One category: its sources and a page of their items. Raises NotFoundError."""
    cat = agg.category(slug)
    feeds = tuple(f for f in agg.feeds() if cat.name in f.categories)
    return CategoryPage(cat, feeds, _page(agg, page, category=cat.slug))


# -- the admin's feed health and fetch history -------------------------------------------------


@dataclass(frozen=True, slots=True)
class HealthCounts:
    failing: int
    disabled: int


@dataclass(frozen=True, slots=True)
class HealthPage:
    feeds: tuple[FeedHealth, ...]
    now: datetime


@dataclass(frozen=True, slots=True)
class HistoryPage:
    feed: Feed
    fetches: tuple[FetchRecord, ...]  # newest first
    now: datetime


def health_counts(feeds: Sequence[Feed]) -> HealthCounts:
    """How many of ``feeds`` are failing and disabled, by the rule of ``Aggregator.health``:
    counted from the feed list a page already holds, so the count costs no query."""
    disabled = sum(1 for f in feeds if f.disabled_reason)
    failing = sum(1 for f in feeds if f.error_count > 0 and not f.disabled_reason)
    return HealthCounts(failing, disabled)


def feed_health(agg: Aggregator) -> HealthPage:
    """The failing and disabled feeds: disabled first, then the longest failing first."""
    return HealthPage(tuple(agg.health()), agg.clock())


def fetch_history(agg: Aggregator, feed_id: int) -> HistoryPage:
    """One feed's last fetches (at most 100), newest first. Raises NotFoundError."""
    feed = agg.feed(feed_id)
    return HistoryPage(feed, tuple(agg.fetch_history(feed.id)), agg.clock())


def fetch_history_json(data: HistoryPage) -> dict[str, Any]:
    """The fetch history as plain values, for scripts and monitoring."""
    feed = data.feed
    return {
        "feed": {
            "id": feed.id,
            "title": feed.display_title,
            "url": feed.url,
            "disabled_reason": feed.disabled_reason,
            "error_count": feed.error_count,
        },
        "fetches": [
            {
                "at": iso(r.at),
                "status": r.status,
                "duration_ms": r.duration_ms,
                "bytes": r.bytes,
                "new_items": r.new_items,
                "changed_items": r.changed_items,
                "error": r.error,
            }
            for r in data.fetches
        ],
    }
