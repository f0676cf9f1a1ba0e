"""Subscribing on a real loopback server, the real client and parser, and a real SQLite file:
discovery beside the page, URLs without a scheme, adding a feed that fails for now."""

from __future__ import annotations

from tests.feedserver import FeedServer, Route
from tidings.core import Aggregator

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
