"""An entry as GReader's item JSON, and the stream that wraps a page of them.

Each field is there because some app reads it (research notes, section 3.4): ``canonical``
(Fluent Reader dereferences ``canonical[0]``), the full content in ``summary`` (NetNewsWire,
Read You, Fluent Reader and Newsboat read nothing else), ``origin.streamId`` (NetNewsWire skips
items without it), state categories spelled exactly ``user/-/state/com.google/read`` (Newsboat
compares them as strings), ``enclosure[].href``. Times: ``crawlTimeMsec`` and ``timestampUsec``
are when tidings first saw the item, as strings; ``published`` and ``updated`` are integer
seconds of the feed's own dates. Titles are plain text, as stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tidings.types import Entry
from tidings.web.greader.ids import (
    READ,
    READING_LIST,
    STARRED,
    feed_stream,
    label_stream,
    long_item_id,
)


def usec(when: datetime) -> int:
    """Microseconds since 1970, exactly (no float rounding)."""
    delta = when - datetime(1970, 1, 1, tzinfo=when.tzinfo)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def seconds(when: datetime) -> int:
    return usec(when) // 1_000_000


def categories(entry: Entry) -> list[str]:
    found = [READING_LIST]
    if entry.read:
        found.append(READ)
    if entry.starred:
        found.append(STARRED)
    if entry.folder:
        found.append(label_stream(entry.folder))
    # the labels rules put on it (the person's and the site's), beside its folder's
    found += [label_stream(name) for name in entry.labels if name != entry.folder]
    return found


def item_json(entry: Entry, site_urls: Mapping[int, str | None]) -> dict[str, Any]:
    """One item; ``site_urls`` gives each feed's home page (``origin.htmlUrl``)."""
    item = entry.item
    crawled = usec(item.first_seen)
    link = item.link or site_urls.get(item.feed_id) or ""
    # the page's article when the feed has full articles
    body = item.article_html or item.content_html or item.summary_html or ""
    found: dict[str, Any] = {
        "id": long_item_id(item.id),
        "crawlTimeMsec": str(crawled // 1000),
        "timestampUsec": str(crawled),
        "published": seconds(item.sort_date),
        "updated": seconds(item.updated or item.published or item.sort_date),
        "title": item.title or "",
        "author": item.author or "",
        "canonical": [{"href": link}],
        "alternate": [{"href": link, "type": "text/html"}],
        "summary": {"direction": "ltr", "content": body},
        "content": {"direction": "ltr", "content": body},
        "categories": categories(entry),
        "origin": {
            "streamId": feed_stream(item.feed_id),
            "title": entry.title or item.feed_title,
            "htmlUrl": site_urls.get(item.feed_id) or "",
        },
        "enclosure": [
            {
                "href": e.url,
                "type": e.type or "application/octet-stream",
                **({"length": str(e.length)} if e.length is not None else {}),
            }
            for e in item.enclosures
        ],
    }
    return found


def stream_json(
    stream_id: str,
    title: str,
    entries: list[Entry],
    site_urls: Mapping[int, str | None],
    *,
    now: datetime,
    author: str,
    self_url: str,
    continuation: int | None = None,
) -> dict[str, Any]:
    """A page of a stream, as ``stream/contents`` and ``stream/items/contents`` answer."""
    found: dict[str, Any] = {
        "direction": "ltr",
        "id": stream_id,
        "title": title,
        "author": author,
        "self": [{"href": self_url}],
        "updated": seconds(now),
        "updatedUsec": str(usec(now)),
        "items": [item_json(e, site_urls) for e in entries],
    }
    if continuation is not None:
        found["continuation"] = str(continuation)
    return found
