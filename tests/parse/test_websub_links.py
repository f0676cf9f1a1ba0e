"""WebSub's discovery in the document (W3C WebSub, 4): a hub as an Atom link, as an atom:link in
an RSS channel, or in JSON Feed's ``hubs``; the topic as the rel="self" link. Both XML paths."""

from __future__ import annotations

import pytest

from tidings.parse import _parse, parse_feed

ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>
<link rel="hub" href="https://hub.example/"/>
<link rel="hub" href="https://hub.example/"/>
<link rel="hub" href="https://second.example/hub"/>
<link rel="self" href="https://pub.example/atom.xml"/>
<link rel="alternate" href="https://pub.example/"/>
<entry><id>urn:1</id><title>a</title><link rel="hub" href="https://entry.example/"/></entry>
</feed>"""

RSS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>t</title><link>https://pub.example/</link><description>d</description>
<atom:link rel="hub" href="/hub"/>
<atom:link rel="self" type="application/rss+xml" href="https://pub.example/rss.xml"/>
<item><guid>1</guid><title>a</title></item></channel></rss>"""

NO_HUB = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title><link>https://pub.example/</link>
<description>d</description><item><guid>1</guid><title>a</title></item></channel></rss>"""

HUB_NOT_WEB = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>
<link rel="hub" href="mailto:hub@example.org"/><link rel="self" href="urn:self"/>
<entry><id>urn:1</id><title>a</title></entry></feed>"""

JSON = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "t",
 "feed_url": "https://pub.example/feed.json",
 "hubs": [{"type": "WebSub", "url": "https://hub.example/"}, {"type": "rssCloud", "url": "https://cloud.example/"},
          {"url": "/relative-hub"}, {"type": "WebSub"}, "nonsense", {"type": "WebSub", "url": 3}],
 "items": [{"id": "1", "content_text": "x"}]}"""

URL = "https://pub.example/feed"


@pytest.mark.parametrize("path", ["fast", "feedparser"])
def test_atom_links(path: str) -> None:
    feed = _parse(ATOM, url=URL, headers={}, max_items=10, path=path)  # type: ignore[arg-type]
    assert feed.hubs == ("https://hub.example/", "https://second.example/hub")
    assert feed.self_url == "https://pub.example/atom.xml"


@pytest.mark.parametrize("path", ["fast", "feedparser"])
def test_atom_link_in_an_rss_channel(path: str) -> None:
    feed = _parse(RSS, url=URL, headers={}, max_items=10, path=path)  # type: ignore[arg-type]
    assert feed.hubs == ("https://pub.example/hub",)  # resolved against the document
    assert feed.self_url == "https://pub.example/rss.xml"


@pytest.mark.parametrize("path", ["fast", "feedparser"])
def test_none_declared(path: str) -> None:
    feed = _parse(NO_HUB, url=URL, headers={}, max_items=10, path=path)  # type: ignore[arg-type]
    assert (feed.hubs, feed.self_url) == ((), None)
    other = _parse(HUB_NOT_WEB, url=URL, headers={}, max_items=10, path=path)  # type: ignore[arg-type]
    assert (other.hubs, other.self_url) == ((), None)


def test_json_feed_hubs() -> None:
    feed = parse_feed(JSON, url=URL, headers={})
    assert feed.hubs == ("https://hub.example/", "https://pub.example/relative-hub")
    assert feed.self_url == "https://pub.example/feed.json"


def test_json_feed_without_hubs() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "hubs": {}, "items": []}'
    feed = parse_feed(body, url=URL, headers={})
    assert (feed.hubs, feed.self_url) == ((), None)
