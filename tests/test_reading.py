"""The facade's reading, over a real loopback feed server and a real SQLite file: subscribing,
the window of unread items, marking read up to, starring through retention, and two people who
never see each other's state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tidings.core import Aggregator
from tidings.errors import DuplicateError, NotFoundError, TidingsError
from tidings.types import Entry, EntryQuery, ReadingSettings

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>{name}</title><link>https://example.org/</link>
{items}</channel></rss>"""
ITEM = "<item><title>{t}</title><guid>{g}</guid><description>About {t}</description></item>"


def rss(*titles: str, name: str = "Ferries") -> bytes:
    items = "".join(ITEM.format(t=t, g=t.lower().replace(" ", "-")) for t in titles)
    return RSS.format(name=name, items=items).encode()


def titles(entries: Sequence[Entry]) -> list[str | None]:
    return [e.item.title for e in entries]


def ids(agg: Aggregator, user_id: int, status: str = "all") -> list[int]:
    q = EntryQuery(status=status, order="received", direction="asc", include_hidden=True)
    return [e.item.id for e in agg.entries(user_id, q)]


async def test_a_new_feed_is_private_all_unread_and_joins_the_site_when_an_admin_adds_it(
    agg: Aggregator, server: FeedServer
) -> None:
    bob = agg.add_user("bob", "correct horse battery")
    server.routes["/p.xml"] = Route(rss("One", "Two", name="Private news"))
    sub = await agg.subscribe(bob.id, server.url("/p.xml"), folder=" Work ")
    assert (sub.title, sub.folder, sub.unread) == ("Private news", "Work", 2)
    assert len(server.hits("/p.xml")) == 1 and not sub.feed.on_site
    # nothing of it on the site's pages, outputs, OPML or search
    assert agg.feeds() == [] and agg.items() == [] and agg.count_items() == 0
    assert agg.latest_per_feed() == {} and agg.search("One") == []
    assert b"p.xml" not in agg.export_opml()
    with pytest.raises(NotFoundError):
        agg.site_feed(sub.feed.id)
    assert agg.due_feed_ids() == []  # fetched on its schedule, not before
    # an admin adds it to the site: the same feed, nothing fetched, no duplicate
    added = await agg.add_feed(server.url("/p.xml"), categories=["News"])
    assert added.id == sub.feed.id and added.on_site and added.categories == ("News",)
    assert len(server.hits("/p.xml")) == 1
    assert sorted(i.title or "" for i in agg.items()) == ["One", "Two"]
    with pytest.raises(DuplicateError):
        await agg.add_feed(server.url("/p.xml"))
    # taken off the site: bob keeps it and his marks
    agg.set_read(bob.id, ids(agg, bob.id)[:1])
    agg.remove_feed(added.id)
    assert agg.feeds() == [] and agg.items() == []
    assert agg.unread_counts(bob.id).by_feed == {added.id: 1}
    # the site's OPML import puts it back on the site, as adding it does
    opml = f'<opml version="2.0"><body><outline type="rss" xmlUrl="{added.url}"/></body></opml>'
    assert agg.import_opml(opml.encode()).added == (added.url,)
    assert [f.id for f in agg.feeds()] == [added.id]
    agg.remove_feed(added.id)
    # his last subscription gone, so is the feed
    agg.unsubscribe(bob.id, added.id)
    with pytest.raises(NotFoundError):
        agg.feed(added.id)


async def test_a_stored_feed_is_followed_with_the_window_unread(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    ada = agg.add_user("ada", "correct horse battery")
    server.routes["/f.xml"] = Route(rss("Old one", "Old two"))
    feed = await agg.add_feed(server.url("/f.xml"))
    clock.now += timedelta(days=10)
    server.routes["/f.xml"] = Route(rss("Fresh", "Old one", "Old two"))
    await agg.update([feed.id])
    hits = len(server.hits("/f.xml"))
    sub = await agg.subscribe(ada.id, server.url("/f.xml"), title="Mine")
    assert len(server.hits("/f.xml")) == hits  # nothing fetched: the feed is stored
    assert sub.unread == 1 and sub.title == "Mine" and sub.feed.on_site
    assert titles(agg.entries(ada.id, EntryQuery())) == ["Fresh"]
    assert titles(agg.entries(ada.id, EntryQuery(status="read"))) == ["Old two", "Old one"]
    with pytest.raises(DuplicateError, match="already subscribed"):
        await agg.subscribe(ada.id, server.url("/f.xml"))


async def test_mark_read_up_to_leaves_an_item_that_arrived_meanwhile_unread(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    ada = agg.add_user("ada", "correct horse battery")
    server.routes["/f.xml"] = Route(rss("A", "B", "C"))
    sub = await agg.subscribe(ada.id, server.url("/f.xml"))
    page = agg.entries(ada.id, EntryQuery(order="received"))
    seen_up_to = page[0].item.id
    clock.now += timedelta(hours=2)
    server.routes["/f.xml"] = Route(rss("D", "A", "B", "C"))
    await agg.update([sub.feed.id])  # D arrives while ada reads
    done = agg.mark_read(ada.id, feed_id=sub.feed.id, up_to_id=seen_up_to)
    assert done.marked == 3 and done.seq == 1
    assert titles(agg.entries(ada.id, EntryQuery())) == ["D"]
    assert agg.unread_counts(ada.id).total == 1
    entries, marks, seq = agg.changes(ada.id, 0)
    assert marks == [(sub.feed.id, seen_up_to)] and seq == 1 and entries == []


async def test_a_star_survives_retention_and_unsubscribing(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    ada = agg.add_user("ada", "correct horse battery")
    server.routes["/f.xml"] = Route(rss("Keep me", "Let go"))
    sub = await agg.subscribe(ada.id, server.url("/f.xml"))
    keep, go = ids(agg, ada.id)
    agg.set_starred(ada.id, [keep])
    agg.mark_read(ada.id)
    feed = sub.feed
    agg.edit_feed(
        feed.id,
        url=feed.url,
        title=None,
        categories=(),
        refresh_seconds=None,
        retention_days=1,
    )
    clock.now += timedelta(days=3)
    await agg.update([feed.id])
    assert ids(agg, ada.id) == [keep]  # "Let go" went with retention, the starred one stayed
    starred = agg.entries(ada.id, EntryQuery(status="starred"))
    assert titles(starred) == ["Keep me"] and starred[0].starred
    agg.unsubscribe(ada.id, feed.id)
    assert agg.subscriptions(ada.id) == [] and ids(agg, ada.id) == []
    after = agg.entries(ada.id, EntryQuery(status="starred"))
    assert titles(after) == ["Keep me"] and after[0].subscription_id == 0
    assert agg.entry(ada.id, keep).starred
    with pytest.raises(NotFoundError):
        agg.entry(ada.id, go)


async def test_two_people_never_see_each_others_state(agg: Aggregator, server: FeedServer) -> None:
    ada = agg.add_user("ada", "correct horse battery")
    bob = agg.add_user("bob", "correct horse battery")
    server.routes["/a.xml"] = Route(rss("A1", "A2", name="Ada's"))
    server.routes["/s.xml"] = Route(rss("S1", "S2", name="Shared"))
    only_ada = await agg.subscribe(ada.id, server.url("/a.xml"), folder="Secret")
    shared = await agg.subscribe(ada.id, server.url("/s.xml"), title="Ada's name")
    await agg.subscribe(bob.id, server.url("/s.xml"))
    a1 = ids(agg, ada.id)[0]
    s1 = next(
        e.item.id for e in agg.entries(bob.id, EntryQuery(status="all")) if e.item.title == "S1"
    )
    agg.set_read(ada.id, [s1])
    agg.set_starred(ada.id, [s1])
    assert [s.title for s in agg.subscriptions(bob.id)] == ["Shared"]
    assert agg.folders(bob.id) == [] and agg.folders(ada.id) == ["Secret"]
    assert agg.unread_counts(bob.id).total == 2 and agg.unread_counts(bob.id).starred == 0
    assert not agg.entry(bob.id, s1).read and not agg.entry(bob.id, s1).starred
    # what is not bob's does nothing for him and is not found
    with pytest.raises(NotFoundError):
        agg.entry(bob.id, a1)
    assert agg.set_read(bob.id, [a1]).marked == 0
    assert agg.set_starred(bob.id, [a1]).marked == 0
    with pytest.raises(NotFoundError):
        agg.edit_subscription(bob.id, only_ada.feed.id, title="mine now")
    with pytest.raises(NotFoundError):
        agg.unsubscribe(bob.id, only_ada.feed.id)
    assert agg.mark_read(bob.id).marked == 2
    assert agg.unread_counts(ada.id).total == 3  # ada's unread are hers
    assert agg.changes(bob.id, 0)[0] == [] and agg.changes(ada.id, 0)[2] == 2
    assert b"a.xml" not in agg.export_subscriptions(bob.id)
    assert shared.title == "Ada's name"


async def test_opml_per_person_tokens_and_settings(agg: Aggregator, server: FeedServer) -> None:
    ada = agg.add_user("ada", "correct horse battery")
    bob = agg.add_user("bob", "correct horse battery")
    server.routes["/f.xml"] = Route(rss("One"))
    await agg.subscribe(ada.id, server.url("/f.xml"), folder="Boats", title="Ferries")
    exported = agg.export_subscriptions(ada.id)
    assert b'text="Boats"' in exported and b"Ferries" in exported
    report = agg.import_subscriptions(bob.id, exported)
    assert report.added == (server.url("/f.xml"),)
    (sub,) = agg.subscriptions(bob.id)
    assert (sub.folder, sub.title) == ("Boats", "Ferries")
    assert agg.import_subscriptions(bob.id, exported).skipped
    # private feed tokens: one per person, rotating ends the old one
    token = agg.feed_token(ada.id)
    assert agg.user_for_feed_token(token) == ada and token == agg.feed_token(ada.id)
    assert agg.user_for_feed_token(f"{bob.id}-{token.split('-')[1]}") is None
    assert agg.user_for_feed_token("garbage") is None and agg.user_for_feed_token("") is None
    rotated = agg.rotate_feed_token(ada.id)
    assert rotated != token and agg.user_for_feed_token(token) is None
    assert agg.user_for_feed_token(rotated) == ada
    # the admin's cap on what retention keeps unread
    feed_id = agg.subscriptions(ada.id)[0].feed.id
    assert agg.set_unread_cap(feed_id, 100).unread_cap == 100
    assert agg.set_unread_cap(feed_id, None).unread_cap is None
    with pytest.raises(TidingsError, match="unread cap"):
        agg.set_unread_cap(feed_id, -1)
    # reading settings
    assert agg.reading_settings(ada.id) == ReadingSettings(None, False)
    saved = agg.save_reading_settings(ada.id, ReadingSettings(30, True))
    assert (
        saved == ReadingSettings(30, True) and agg.reading_settings(bob.id).keep_unread_days is None
    )
    with pytest.raises(TidingsError, match="days"):
        agg.save_reading_settings(ada.id, ReadingSettings(0, False))
