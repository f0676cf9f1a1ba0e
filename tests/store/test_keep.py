"""Retention and people: starred items are never deleted, unread ones kept as people want."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.store.plans import NOW
from tests.store.test_subscriptions import add_items, everything, person
from tidings.store.keep import Follower, kept_unread
from tidings.store.readers import ReadersPart
from tidings.store.schema import feeds
from tidings.store.store import Store
from tidings.types import ParsedItem, ReadingSettings, UpdatePlan
from tidings.update.decide import identity_of

DAY = timedelta(days=1)


def test_kept_unread_by_each_followers_days_and_the_cap() -> None:
    old, recent = NOW - 30 * DAY, NOW - 2 * DAY
    candidates = [(1, old), (2, old), (3, recent), (4, recent)]
    forever = Follower(1, read_until=1, keep_unread_days=None)
    week = Follower(2, read_until=0, keep_unread_days=7)
    assert kept_unread(candidates, [forever], {}, NOW) == {2, 3, 4}
    assert kept_unread(candidates, [forever], {(1, 3): True, (1, 1): False}, NOW) == {1, 2, 4}
    assert kept_unread(candidates, [week], {}, NOW) == {3, 4}
    assert kept_unread(candidates, [forever, week], {}, NOW, lowest_capped=4) == {4}
    assert kept_unread(candidates, [], {}, NOW) == set()


def expire(store: Store, feed_id: int, names: list[str]) -> None:
    gone = tuple(identity_of(ParsedItem(guid=n, title=n)) for n in names)
    store.apply(UpdatePlan(feed_id, NOW, NOW + DAY, expired=gone))


def test_retention_keeps_starred_and_unread_items(store: Store) -> None:
    ada, bob = person(store, "ada"), person(store, "bob")
    feed = store.add_feed("https://e.org/f", now=NOW)
    add_items(store, feed, ["a", "b", "c", "d"], NOW - 40 * DAY)
    store.add_subscription(ada, feed, now=NOW)
    store.add_subscription(bob, feed, now=NOW)
    a, b, c, d = everything(store, ada)
    store.mark_read(ada, now=NOW)
    store.set_starred(ada, [a], True, NOW)
    store.mark_read(bob, now=NOW, up_to_id=b)
    ReadersPart(store.engine).save_reading_settings(bob, ReadingSettings(keep_unread_days=60))
    expire(store, feed, ["a", "b", "c", "d"])
    # a: starred by ada; b: read by both; c, d: unread for bob, who keeps 60 days
    assert everything(store, ada) == [a, c, d]
    ReadersPart(store.engine).save_reading_settings(bob, ReadingSettings(keep_unread_days=30))
    with store.engine.begin() as conn:
        conn.execute(update(feeds).values(unread_cap=1))
    expire(store, feed, ["a", "b", "c", "d"])
    assert everything(store, ada) == [a]  # bob's 30 days have passed
    store.set_starred(ada, [a], False, NOW)
    expire(store, feed, ["a"])
    assert everything(store, ada) == []
    # gone for good: tombstoned, they never come back as new
    assert store.feed_state(feed).tombstones and len(store.feed_state(feed).tombstones) == 4


def test_unread_cap_keeps_only_the_newest(store: Store) -> None:
    ada = person(store, "ada")
    feed = store.add_feed("https://e.org/f", now=NOW)
    add_items(store, feed, ["a", "b", "c"], NOW - 40 * DAY)
    store.add_subscription(ada, feed, now=NOW)
    with store.engine.begin() as conn:
        conn.execute(update(feeds).values(unread_cap=2))
    expire(store, feed, ["a", "b", "c"])
    assert len(everything(store, ada)) == 2
