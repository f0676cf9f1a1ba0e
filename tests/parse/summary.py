"""A ParsedFeed as plain JSON-able data, for the golden files and the corpus checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tidings.types import ParsedFeed, ParsedItem


def _date(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def item_summary(item: ParsedItem) -> dict[str, Any]:
    return {
        "guid": item.guid,
        "title": item.title,
        "link": item.link,
        "author": item.author,
        "published": _date(item.published),
        "updated": _date(item.updated),
        "summary_html": item.summary_html,
        "content_html": item.content_html,
        "enclosures": [[e.url, e.type, e.length] for e in item.enclosures],
        "categories": list(item.categories),
        "image": item.image,
    }


def feed_summary(feed: ParsedFeed) -> dict[str, Any]:
    return {
        "version": feed.version,
        "title": feed.title,
        "link": feed.link,
        "description": feed.description,
        "image": feed.image,
        "language": feed.language,
        "ttl_minutes": feed.ttl_minutes,
        "skip_hours": sorted(feed.skip_hours),
        "skip_days": sorted(feed.skip_days),
        "warnings": list(feed.warnings),
        "hubs": list(feed.hubs),
        "self_url": feed.self_url,
        "items": [item_summary(item) for item in feed.items],
    }
