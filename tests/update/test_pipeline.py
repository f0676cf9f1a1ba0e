"""Whole updates: a real loopback server, the real client and parser, a real SQLite file."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.errors import (
    BlockedAddressError,
    DiscoveryError,
    DuplicateError,
    FetchTimeoutError,
    HTTPStatusError,
    NotAFeedError,
    TooLargeError,
)

# slow together (about 14 s here): the corpus and the pipeline over loopback servers
pytestmark = pytest.mark.slow

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Loopback news</title><link>http://example.org/</link>
<description>News from the loopback</description>{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><link>http://example.org/{guid}</link><guid>{guid}</guid>
<pubDate>{date}</pubDate><description>&lt;p&gt;About {title}&lt;/p&gt;</description></item>"""


def rss(*titles: str, day: int = 20) -> bytes:
    items = "".join(
        ITEM.format(
            title=t, guid=t.lower().replace(" ", "-"), date=f"{day - n:02d} Nov 2026 10:00:00 +0000"
        )
        for n, t in enumerate(titles)
    )
    return RSS.format(items=items).encode()


def manifest(corpus: Path) -> list[dict[str, str]]:
    with (corpus.parent / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.mark.parametrize(
    "fmt", ["rss2.0", "atom1.0", "rdf(rss1.0)", "jsonfeed", "rss0.91", "rss0.92"]
)
async def test_each_format_from_the_corpus(
    fmt: str, agg: Aggregator, server: FeedServer, corpus: Path
) -> None:
    rows = [r for r in manifest(corpus) if r["format"] == fmt]
    added = 0
    for row in rows[:5]:
        try:
            feed = await agg.add_feed(server.url("/" + row["file"]))
        except (NotAFeedError, DiscoveryError):
            continue
        added += 1
        assert feed.last_success is not None
        items = agg.items(feed_id=feed.id, limit=500)
        assert len(items) == feed.item_count
    assert added, f"no {fmt} file of the corpus could be subscribed"


async def test_atom_03(agg: Aggregator, server: FeedServer) -> None:
    server.routes["/a03.xml"] = Route(
        b'<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#">'
        b'<title>Old Atom</title><link rel="alternate" type="text/html" href="http://e.org/"/>'
        b"<modified>2026-11-20T10:00:00Z</modified><entry><title>Entry</title>"
        b'<link rel="alternate" type="text/html" href="http://e.org/1"/><id>tag:e.org,1</id>'
        b"<issued>2026-11-20T10:00:00Z</issued><modified>2026-11-20T10:00:00Z</modified>"
        b'<content type="text/html" mode="escaped">&lt;p&gt;Hi&lt;/p&gt;</content></entry></feed>'
    )
    feed = await agg.add_feed(server.url("/a03.xml"))
    (item,) = agg.items(feed_id=feed.id)
    assert (feed.title, item.title, item.link, item.guid) == (
        "Old Atom",
        "Entry",
        "http://e.org/1",
        "tag:e.org,1",
    )
    assert item.published is not None and item.published.isoformat().startswith("2026-11-20T10")


async def test_validators_304_and_unchanged_body(agg: Aggregator, server: FeedServer) -> None:
    server.routes["/v.xml"] = Route(rss("One", "Two"))
    server.routes["/plain.xml"] = Route(rss("Three"), validators=False)
    v = await agg.add_feed(server.url("/v.xml"))
    p = await agg.add_feed(server.url("/plain.xml"))
    assert (v.item_count, p.item_count) == (2, 1)
    assert v.etag and v.last_modified
    results = {r.feed_id: r for r in await agg.update(all_feeds=True)}
    assert results[v.id].not_modified and results[p.id].not_modified
    second = server.hits("/v.xml")[-1].headers
    assert second["if-none-match"] == v.etag
    assert second["if-modified-since"] == v.last_modified
    assert "tidings" in second["user-agent"]
    assert "gzip" in second["accept-encoding"]
    assert "if-none-match" not in server.hits("/plain.xml")[-1].headers


async def test_new_and_changed_items(agg: Aggregator, server: FeedServer, clock: Clock) -> None:
    server.routes["/f.xml"] = Route(rss("One", "Two"))
    feed = await agg.add_feed(server.url("/f.xml"))
    first_seen = {i.guid: i.first_seen for i in agg.items(feed_id=feed.id)}
    clock.now += timedelta(hours=2)
    body = rss("Zero", "One", "Two", day=21).replace(b"About One", b"About One, corrected")
    server.routes["/f.xml"] = Route(body)
    (result,) = await agg.update([feed.id])
    assert (result.new, result.changed) == (1, 1)
    items = {i.guid: i for i in agg.items(feed_id=feed.id)}
    assert items["one"].first_seen == first_seen["one"]
    assert items["zero"].first_seen == clock.now
    assert "corrected" in (items["one"].summary_html or "")


async def test_redirects_gzip_and_relative_links(agg: Aggregator, server: FeedServer) -> None:
    server.routes["/old.xml"] = Route(
        status=301, headers={"Location": "/new.xml"}, validators=False
    )
    server.routes["/new.xml"] = Route(rss("Moved"), gzip=True)
    feed = await agg.add_feed(server.url("/old.xml"))
    assert feed.url == server.url("/old.xml")  # adopted only after repeated 301s
    assert [i.title for i in agg.items(feed_id=feed.id)] == ["Moved"]


async def test_failures_are_results_and_others_keep_updating(
    agg: Aggregator, server: FeedServer
) -> None:
    server.routes["/good.xml"] = Route(rss("Good"))
    server.routes["/flaky.xml"] = Route(rss("Flaky"))
    server.routes["/page.xml"] = Route(rss("Page"))
    good = await agg.add_feed(server.url("/good.xml"))
    flaky = await agg.add_feed(server.url("/flaky.xml"))
    page = await agg.add_feed(server.url("/page.xml"))
    server.routes["/good.xml"] = Route(rss("Good", "Better"))
    server.routes["/flaky.xml"] = Route(b"oops", status=500, content_type="text/plain")
    server.routes["/page.xml"] = Route(b"<html><body>moved</body></html>", content_type="text/html")
    results = {r.feed_id: r for r in await agg.update(all_feeds=True)}
    assert results[good.id].ok and results[good.id].new == 1
    assert results[flaky.id].error_kind == "http" and "500" in (results[flaky.id].error or "")
    assert results[page.id].error_kind == "not_a_feed"
    stored = agg.feed(flaky.id)
    assert stored.error_count == 1 and stored.last_error and stored.item_count == 1
    assert stored.next_check and stored.next_check > agg.clock() + timedelta(minutes=10)
    assert agg.feed(page.id).item_count == 1  # a failed parse deletes nothing
    log = agg.store.fetch_history(flaky.id)
    assert log[0].status == 500 and log[0].error


async def test_410_disables_the_feed(agg: Aggregator, server: FeedServer) -> None:
    server.routes["/gone.xml"] = Route(rss("Bye"))
    feed = await agg.add_feed(server.url("/gone.xml"))
    server.routes["/gone.xml"] = Route(b"", status=410, content_type="text/plain")
    (result,) = await agg.update([feed.id])
    assert result.permanent
    assert "410" in (agg.feed(feed.id).disabled_reason or "")
    assert feed.id not in agg.due_feed_ids()


async def test_add_refuses_and_stores_nothing(agg: Aggregator, server: FeedServer) -> None:
    server.routes["/f.xml"] = Route(rss("One"))
    server.routes["/missing.xml"] = Route(b"no", status=404, content_type="text/plain")
    server.routes["/blank.html"] = Route(
        b"<!doctype html><html><head><title>x</title></head><body>no feeds here</body></html>",
        content_type="text/html",
    )
    server.routes["/json.json"] = Route(b'{"hello": "world"}', content_type="application/json")
    await agg.add_feed(server.url("/f.xml"))
    with pytest.raises(DuplicateError):
        await agg.add_feed(server.url("/f.xml"))
    with pytest.raises(HTTPStatusError, match="404"):
        await agg.add_feed(server.url("/missing.xml"))
    with pytest.raises(DiscoveryError, match="no feed"):
        await agg.add_feed(server.url("/blank.html"))
    with pytest.raises(NotAFeedError):
        await agg.add_feed(server.url("/json.json"))
    assert [f.url for f in agg.feeds()] == [server.url("/f.xml")]


async def test_discovery_from_a_page(agg: Aggregator, server: FeedServer) -> None:
    server.routes["/blog/"] = Route(
        b'<html><head><link rel="alternate" type="application/atom+xml" href="feed.atom">'
        b"</head><body>hi</body></html>",
        content_type="text/html; charset=utf-8",
    )
    server.routes["/blog/feed.atom"] = Route(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title><id>urn:x</id>'
        b'<entry><id>urn:e1</id><title>Post</title><link href="/p/1"/>'
        b"<updated>2026-11-20T10:00:00Z</updated></entry></feed>",
        content_type="application/atom+xml",
    )
    server.routes["/site/"] = Route(b"<html><body>no links</body></html>", content_type="text/html")
    server.routes["/feed"] = Route(rss("Guessed"))
    feed = await agg.add_feed(server.url("/blog/"))
    assert feed.url == server.url("/blog/feed.atom") and feed.title == "Blog"
    (item,) = agg.items(feed_id=feed.id)
    assert item.link == server.url("/p/1")
    guessed = await agg.add_feed(server.url("/site/"))
    assert guessed.url == server.url("/feed")


async def test_private_addresses_refused_unless_allowed(
    tmp_path: Path, server: FeedServer, clock: Clock
) -> None:
    server.routes["/f.xml"] = Route(rss("One"))
    strict = make_aggregator(Settings.load({"TIDINGS_DATA_DIR": str(tmp_path / "s")}), clock=clock)
    async with strict:
        with pytest.raises(BlockedAddressError):
            await strict.add_feed(server.url("/f.xml"))
    assert strict.feeds() == []
    strict.close()
    assert not server.hits("/f.xml")  # never dialled


async def test_timeout_and_oversized_body(
    settings: Settings, server: FeedServer, clock: Clock
) -> None:
    server.routes["/slow.xml"] = Route(rss("Slow"), delay=1.5)
    server.routes["/big.xml"] = Route(rss("Big") + b"<!--" + b"x" * 200_000 + b"-->")
    tight = make_aggregator(
        replace(settings, read_timeout=0.5, max_body_bytes=100_000), clock=clock
    )
    async with tight:
        with pytest.raises(FetchTimeoutError):
            await tight.add_feed(server.url("/slow.xml"))
        with pytest.raises(TooLargeError):
            await tight.add_feed(server.url("/big.xml"))
    tight.close()


async def test_retention_and_tombstones(agg: Aggregator, server: FeedServer, clock: Clock) -> None:
    server.routes["/r.xml"] = Route(rss("Recent", "Old", day=27))
    feed = await agg.add_feed(server.url("/r.xml"))
    with agg.store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE feeds SET retention_days = 1, body_hash = NULL")
    clock.now += timedelta(hours=1)
    (result,) = await agg.update([feed.id], all_feeds=True)
    assert result.ok
    assert [i.title for i in agg.items(feed_id=feed.id)] == []  # both older than a day now
    clock.now += timedelta(hours=1)
    server.routes["/r.xml"] = Route(rss("Recent", "Old", day=27) + b" ")
    (again,) = await agg.update([feed.id])
    assert again.new == 0  # tombstones keep them from coming back


async def test_opml_round_trip_into_a_fresh_database(
    agg: Aggregator, server: FeedServer, tmp_path: Path, clock: Clock
) -> None:
    server.routes["/a.xml"] = Route(rss("A"))
    server.routes["/b.xml"] = Route(rss("B"))
    await agg.add_feed(server.url("/a.xml"), categories=["Tech"])
    await agg.add_feed(server.url("/b.xml"), title="Bee & co")
    data = agg.export_opml()
    fresh = make_aggregator(
        Settings.load(
            {"TIDINGS_DATA_DIR": str(tmp_path / "fresh"), "TIDINGS_ALLOWED_NETWORKS": "127.0.0.1"}
        ),
        clock=clock,
    )
    report = fresh.import_opml(data)
    assert sorted(report.added) == sorted([server.url("/a.xml"), server.url("/b.xml")])
    assert fresh.import_opml(data).added == ()
    feeds = {f.url: f for f in fresh.feeds()}
    assert feeds[server.url("/a.xml")].categories == ("Tech",)
    assert feeds[server.url("/b.xml")].title == "Bee & co"
    async with fresh:
        results = await fresh.update()
    assert len(results) == 2 and all(r.ok for r in results)
    assert fresh.count_items() == 2
    fresh.close()
