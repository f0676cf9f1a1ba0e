"""Subscribing on a real loopback server, the real client and parser, and a real SQLite file:
discovery beside the page, URLs without a scheme, adding a feed that fails for now."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tidings.core import Aggregator
from tidings.errors import DuplicateError, FetchError, HTTPStatusError, TidingsError

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Journal</title>'
    b"<link>http://example.org/</link><description>d</description><item><title>One</title>"
    b"<guid>one</guid><pubDate>20 Nov 2026 10:00:00 +0000</pubDate></item></channel></rss>"
)
PAGE = b"<html><head><title>A blog</title></head><body>no feed link</body></html>"


async def test_discovery_guesses_beside_the_page_before_the_root(
    agg: Aggregator, server: FeedServer
) -> None:
    server.routes["/journal/"] = Route(PAGE, content_type="text/html; charset=utf-8")
    server.routes["/journal/feed"] = Route(RSS)
    feed = await agg.add_feed(server.url("/journal/"))
    assert feed.url == server.url("/journal/feed")
    assert feed.title == "Journal"
    assert not server.hits("/feed")  # the page's own directory came first


async def test_a_url_without_a_scheme_is_tried_as_https_then_http(
    agg: Aggregator, server: FeedServer
) -> None:
    server.routes["/plain.xml"] = Route(RSS)
    typed = server.url("/plain.xml").removeprefix("http://")
    feed = await agg.add_feed(typed)
    assert feed.url == server.url("/plain.xml")  # https failed (the server speaks http only)
    assert feed.title == "Journal" and feed.item_count == 1
    assert len(server.hits("/plain.xml")) == 1
    with pytest.raises(DuplicateError):
        await agg.add_feed(typed)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("ftp://example.org/feed", "ftp: is not http or https"),
        ("javascript:alert(1)", "javascript: is not http or https"),
        ("mailto:someone@example.org", "mailto: is not http or https"),
        ("", "it is empty"),
        ("example.org/my feed", "no spaces"),
    ],
)
async def test_what_is_not_a_web_url_is_refused_clearly(
    agg: Aggregator, typed: str, why: str
) -> None:
    for anyway in (False, True):
        with pytest.raises(FetchError, match="not a web URL") as info:
            await agg.add_feed(typed, anyway=anyway)
        assert why in str(info.value)
    assert agg.feeds() == []


async def test_a_refresh_below_the_floor_is_refused_naming_the_floor(
    agg: Aggregator, server: FeedServer
) -> None:
    server.routes["/f.xml"] = Route(RSS)
    with pytest.raises(TidingsError) as info:
        await agg.add_feed(server.url("/f.xml"), refresh_seconds=60)
    assert str(info.value) == (
        "refresh interval 1m is below the floor of 5 minutes (TIDINGS_MIN_REFRESH)"
    )
    assert agg.feeds() == [] and not server.hits("/f.xml")
    feed = await agg.add_feed(server.url("/f.xml"), refresh_seconds=300)
    assert feed.refresh_seconds == 300
    with pytest.raises(TidingsError, match="below the floor of 5 minutes"):
        agg.edit_feed(
            feed.id,
            url=feed.url,
            title=None,
            categories=[],
            refresh_seconds=299,
            retention_days=None,
        )
    assert agg.feed(feed.id).refresh_seconds == 300


async def test_anyway_stores_a_feed_that_fails_now_with_its_failure_and_a_backoff(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    server.routes["/down.xml"] = Route(b"down for now", status=503, content_type="text/plain")
    with pytest.raises(HTTPStatusError):
        await agg.add_feed(server.url("/down.xml"))
    assert agg.feeds() == []
    feed = await agg.add_feed(server.url("/down.xml"), title="Later", anyway=True)
    assert feed.url == server.url("/down.xml") and feed.display_title == "Later"
    assert feed.error_count == 1 and feed.last_error is not None and "503" in feed.last_error
    assert feed.next_check is not None
    assert timedelta(minutes=15) <= feed.next_check - clock.now <= timedelta(minutes=20)
    (health,) = agg.health()
    assert health.feed_id == feed.id and health.state == "failing"
    with pytest.raises(DuplicateError):
        await agg.add_feed(server.url("/down.xml"), anyway=True)
    server.routes["/down.xml"] = Route(RSS)  # back: the schedule's next try reads it
    clock.now = feed.next_check
    (result,) = await agg.update()
    assert result.ok and result.new == 1
    assert agg.feed(feed.id).error_count == 0
