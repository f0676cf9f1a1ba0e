"""Whole updates of a feed whose guids change at every fetch, on SQLite and PostgreSQL: the
story stays one item, with its id, first arrival and people's state."""

from __future__ import annotations

import itertools
from datetime import timedelta

from tests.conftest import Clock
from tests.feedserver import FeedServer, RequestRecord, Route
from tidings.core import Aggregator
from tidings.types import EntryQuery

DOC = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Markets</title><link>http://example.org/</link>
<description>d</description>
<item><title>Fed Holds Rates Steady</title>
<link>http://example.org/articles/fed-holds?mod=rss_markets&amp;utm_source=feed{n}</link>
<guid isPermaLink="false">SB1000{n}</guid><pubDate>Thu, 26 Nov 2026 14:02:00 GMT</pubDate>
<description>The central bank kept its rate.</description></item>
<item><title>Retail Sales Rise</title><link>http://example.org/articles/retail</link>
<guid isPermaLink="false">retail-{n}</guid><pubDate>Thu, 26 Nov 2026 13:30:00 GMT</pubDate>
<description>Shoppers spent more.</description></item>
</channel></rss>"""


async def test_a_new_guid_at_every_fetch_keeps_one_item(
    backend: Aggregator, server: FeedServer, clock: Clock
) -> None:
    agg = backend
    fetches = itertools.count()

    def changing(_: RequestRecord) -> Route:
        return Route(DOC.format(n=next(fetches)).encode(), validators=False)

    server.routes["/markets.xml"] = changing
    feed = await agg.add_feed(server.url("/markets.xml"))
    first = {i.title: i for i in agg.items(feed_id=feed.id)}
    assert len(first) == 2
    for _ in range(4):
        clock.now += timedelta(hours=1)
        (result,) = await agg.update([feed.id])
        assert (result.new, result.changed) == (0, 2)
    now = {i.title: i for i in agg.items(feed_id=feed.id)}
    assert set(now) == set(first)
    for title, item in now.items():
        assert (item.id, item.first_seen) == (first[title].id, first[title].first_seen)
    assert now["Retail Sales Rise"].guid == "retail-4"


def wire(name: str, *links: str) -> bytes:
    items = "".join(
        f"<item><title>{name} {n}</title><link>{link}</link><guid>{name}-{n}</guid>"
        f"<pubDate>Thu, 26 Nov 2026 1{n}:00:00 GMT</pubDate></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>http://example.org/</link><description>d</description>{items}</channel></rss>"
    ).encode()


async def test_a_copy_arriving_after_its_story_was_read_arrives_read(
    backend: Aggregator, server: FeedServer, clock: Clock
) -> None:
    """ada folds her folder: the story read in one feed, its copy that another feed carries
    later arrives read for her (the apps see it read); bob, who does not fold, sees it unread."""
    agg, story = backend, "http://example.org/2026/story"
    server.routes["/a.xml"] = Route(wire("A", f"{story}?utm_source=a", "http://example.org/a"))
    server.routes["/b.xml"] = Route(wire("B", "http://example.org/b"))
    ada = agg.add_user("ada", "correct horse battery", role="reader").id
    bob = agg.add_user("bob", "correct horse battery", role="reader").id
    for who in (ada, bob):
        for path in ("/a.xml", "/b.xml"):
            await agg.subscribe(who, server.url(path), folder="Port")
    agg.fold_duplicates(ada, "Port")
    a_story = next(e for e in agg.entries(ada, EntryQuery()) if e.item.title == "A 0")
    agg.set_read(ada, [a_story.item.id], True)

    server.routes["/b.xml"] = Route(wire("B", "http://example.org/b", story))
    clock.now += timedelta(hours=1)
    b = next(s for s in agg.subscriptions(ada) if s.feed.url.endswith("/b.xml"))
    (result,) = await agg.update([b.feed.id])
    assert result.new == 1
    status = {e.item.title: e.read for e in agg.entries(ada, EntryQuery(status="all"))}
    assert status["B 1"] is True and status["B 0"] is False
    assert {e.item.title for e in agg.entries(bob, EntryQuery())} >= {"A 0", "B 1"}
