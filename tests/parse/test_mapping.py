"""mapping.py: records from either reader become the same ParsedFeed."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from feedparser.util import FeedParserDict

from tidings.parse.mapping import Records, entry_date, map_feed, own_value

from .conftest import FEED_URL


def no_dates(entry: Mapping[str, Any], key: str) -> time.struct_time | None:
    return None


def records(feed: dict[str, Any], entries: list[dict[str, Any]], **kwargs: Any) -> Records:
    given: dict[str, Any] = {
        "version": "rss20",
        "feed": feed,
        "entries": entries,
        "captions": frozenset(),
        "skip_hours": (),
        "skip_days": (),
        "feedparser_date": no_dates,
    }
    return Records(**(given | kwargs))


def test_plain_dicts_map_like_feedparser_records() -> None:
    entry = {
        "id": "1",
        "title": "Hello",
        "title_detail": {"type": "text/plain", "value": "Hello", "base": FEED_URL},
        "link": "/posts/1",
        "published": "Tue, 02 Jan 2024 03:04:05 GMT",
    }
    feed = {"title": "Blog", "link": "https://example.org/"}
    plain = map_feed(records(feed, [entry]), url=FEED_URL, max_items=10, notes=[])
    wrapped = records(FeedParserDict(feed), [FeedParserDict(entry)])
    assert plain == map_feed(wrapped, url=FEED_URL, max_items=10, notes=[])
    item = plain.items[0]
    assert (item.guid, item.title, item.link) == ("1", "Hello", "https://news.example.org/posts/1")
    assert item.published == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_skip_hours_and_days_as_written_are_normalized() -> None:
    given = records({}, [], skip_hours=["24", "1", "99", "x"], skip_days=["monday", "Funday"])
    feed = map_feed(given, url=FEED_URL, max_items=10, notes=[])
    assert feed.skip_hours == frozenset({0, 1})
    assert feed.skip_days == frozenset({"Monday"})


def test_the_reader_s_notes_come_first() -> None:
    entries: list[dict[str, Any]] = [{"id": str(n)} for n in range(3)] + [{}]
    feed = map_feed(records({}, entries), url=FEED_URL, max_items=10, notes=["prepared"])
    assert feed.warnings[0] == "prepared"
    assert "skipped 1 item with no id, link, title or content" in feed.warnings


def test_feedparser_reading_comes_between_ours_strict_and_loose() -> None:
    moment = time.struct_time((2006, 7, 26, 6, 23, 0, 2, 207, 0))
    entry = {"published": "Τετ, 26 Ιούλ 2006 09:23:00 EEST"}
    assert entry_date(entry, "published", lambda e, k: moment) == datetime(
        2006, 7, 26, 6, 23, tzinfo=UTC
    )
    strict = {"published": "2024-01-02T03:04:05Z"}
    assert entry_date(strict, "published", lambda e, k: moment) == datetime(
        2024, 1, 2, 3, 4, 5, tzinfo=UTC
    )


def test_own_value_ignores_feedparser_s_fallback_keys() -> None:
    entry = FeedParserDict(published="Tue, 02 Jan 2024 03:04:05 GMT")
    assert own_value(entry, "updated") is None
    assert own_value({"updated": "x"}, "updated") == "x"
