"""The data behind the outgoing feeds and the embed: one function per output, feeding every
format (RSS, Atom, JSON Feed; the embed's HTML and JSON).

The data never depends on the clock (except ``Latest.now``, for the embed's ages), so an
unchanged feed keeps its ETag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException

from tidings.core import Aggregator, public_url
from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.publish.feeds import Channel, Source
from tidings.timefmt import iso
from tidings.types import Feed, Item
from tidings.web.filters import safe_url
from tidings.web.search import find

FEED_SIZE = 50  # items in each outgoing feed
MAX_ID = 2**63 - 1  # larger path ids cannot be in the database (and would overflow SQLite)


@dataclass(frozen=True, slots=True)
class FeedData:
    """What one outgoing feed lists, in every format."""

    channel: Channel
    items: tuple[Item, ...]
    sources: Mapping[int, Source]


@dataclass(frozen=True, slots=True)
class Latest:
    """The latest items for the embed, HTML and JSON alike."""

    title: str
    more_url: str  # absolute: the page with more
    items: tuple[Item, ...]
    sources: Mapping[int, Source]
    now: datetime
    site_title: str


def _url(base: str, path: str) -> str:
    return base.rstrip("/") + path


def _feed(agg: Aggregator, feed_id: int) -> Feed:
    if feed_id > MAX_ID:
        raise NotFoundError(_("no feed with id %(id)d") % {"id": feed_id})
    return agg.site_feed(feed_id)


def _sources(agg: Aggregator, base: str, items: Sequence[Item]) -> dict[int, Source]:
    """The source of each item, in one query (a feed removed since the items were read is
    left out)."""
    return {
        feed.id: Source(
            feed.id,
            feed.display_title,
            public_url(feed.url, base),
            public_url(feed.site_url, base) if feed.site_url else None,
            _url(base, f"/sources/{feed.id}"),
        )
        for feed in agg.feeds({i.feed_id for i in items})
    }


def _data(
    agg: Aggregator, base: str, items: Sequence[Item], *, title: str, home: str, self_path: str,
    description: str = "", updated: datetime | None = None, pushed: bool = True,
) -> FeedData:  # fmt: skip
    site = agg.site().site_title
    channel = Channel(
        title=title,
        home_url=_url(base, home),
        self_url=_url(base, self_path),
        description=description,
        author=site,
        updated=updated,
        # a search is no topic the site pings its hub for (update/pings.py)
        hubs=(agg.settings.websub_hub,) if pushed and agg.settings.websub_hub else (),
    )
    return FeedData(channel, tuple(items), _sources(agg, base, items))


def all_items_feed(agg: Aggregator, base: str, name: str) -> FeedData:
    """What's new, as a feed."""
    site = agg.site().site_title
    return _data(
        agg,
        base,
        agg.items(limit=FEED_SIZE),
        title=site,
        home="/",
        self_path=f"/{name}",
        description=_("The latest items of every source on %(site)s") % {"site": site},
    )


def source_feed(agg: Aggregator, base: str, name: str, feed_id: int) -> FeedData:
    """One source's items, as a feed. Raises NotFoundError."""
    feed = _feed(agg, feed_id)
    return _data(
        agg,
        base,
        agg.items(feed_id=feed.id, limit=FEED_SIZE),
        title=feed.display_title,
        home=f"/sources/{feed.id}",
        self_path=f"/sources/{feed.id}/{name}",
        description=feed.description or "",
        updated=feed.added_at,
    )


def category_feed(agg: Aggregator, base: str, name: str, slug: str) -> FeedData:
    """The items of a category's sources, as a feed. Raises NotFoundError."""
    category = agg.category(slug)
    return _data(
        agg,
        base,
        agg.items(category=category.slug, limit=FEED_SIZE),
        title=f"{category.name} · {agg.site().site_title}",
        home=f"/categories/{category.slug}",
        self_path=f"/categories/{category.slug}/{name}",
    )


def search_feed(agg: Aggregator, base: str, name: str, q: str) -> FeedData:
    """The newest items matching ``q``, as a feed one can subscribe to. 400 for a void query."""
    query = q.strip()
    found = find(agg, query, limit=FEED_SIZE, newest_first=True)
    if found.problem:
        raise HTTPException(400, found.problem)
    encoded = quote(query, safe="")
    return _data(
        agg,
        base,
        [h.item for h in found.hits],
        title=_("Search: %(query)s") % {"query": query} + f" · {agg.site().site_title}",
        home=f"/search?q={encoded}",
        self_path=f"/search/{name}?q={encoded}",
        pushed=False,
    )


def latest(
    agg: Aggregator, base: str, count: int, *, category: str | None, source: int | None
) -> Latest:
    """The newest ``count`` items, of one category and/or source if asked. Raises NotFoundError."""
    site_title = agg.site().site_title
    title, more = site_title, "/"
    slug = None
    if category is not None:
        found = agg.category(category)
        slug, title, more = found.slug, found.name, f"/categories/{found.slug}"
    if source is not None:
        feed = _feed(agg, source)
        title, more = feed.display_title, f"/sources/{feed.id}"
    items = agg.items(feed_id=source, category=slug, limit=count)
    sources = _sources(agg, base, items)
    return Latest(title, _url(base, more), tuple(items), sources, agg.clock(), site_title)


def latest_json(data: Latest) -> dict[str, Any]:
    """The embed as JSON: plain values and absolute URLs only."""
    return {
        "title": data.title,
        "url": data.more_url,
        "items": [
            {
                "id": item.id,
                "title": item.title,
                "url": safe_url(item.link) if safe_url(item.link) != "#" else None,
                "date": iso(item.sort_date),
                "source": {
                    "id": item.feed_id,
                    "title": item.feed_title,
                    "url": data.sources[item.feed_id].page_url
                    if item.feed_id in data.sources
                    else None,
                },
            }
            for item in data.items
        ],
    }
