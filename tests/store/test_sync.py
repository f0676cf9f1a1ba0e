"""The sync reads on both backends: item ids by state and keyset, per-feed figures, folder ids,
and item ids that become visible in id order even when two workers insert at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests.pg import fresh_schema
from tests.store.plans import NOW, write
from tests.store.test_subscriptions import add_items, everything, person
from tidings.store.planwrite import _insert_items
from tidings.store.store import Store
from tidings.synctypes import IdQuery
from tidings.types import EntryQuery, ParsedItem, UpdatePlan


def test_item_ids_agree_with_the_entries_state(store: Store) -> None:
    ada = person(store, "ada")
    feed = store.add_feed("https://e.org/f", now=NOW)
    add_items(store, feed, [f"i{i}" for i in range(6)])
    store.add_subscription(ada, feed, now=NOW)
    ids = everything(store, ada)
    store.mark_read(ada, now=NOW, up_to_id=ids[2])  # the watermark
    store.set_read(ada, [ids[1]], False, NOW)  # unread under it
    store.set_read(ada, [ids[4]], True, NOW)  # read above it
    store.set_starred(ada, [ids[0], ids[5]], True, NOW)
    for status in ("unread", "read", "starred"):
        found = store.item_ids(ada, IdQuery(status=status, newest_first=False))
        assert found == everything(store, ada, status), status
    assert store.item_ids(ada, IdQuery(status="unread", starred=True)) == [ids[5]]
    assert store.item_ids(ada, IdQuery(after_id=ids[3], newest_first=False)) == ids[4:]
    assert store.item_ids(ada, IdQuery(before_id=ids[3])) == ids[:3][::-1]
    stats = store.feed_stats(ada)[feed]
    assert (stats.items, stats.unread, stats.newest_seen) == (6, 3, NOW)
    count, fetched = store.sync_totals(ada)
    assert (count, fetched) == (6, NOW)
    assert store.sync_totals(person(store, "bea")) == (0, None)
    folders = store.sync_folders(ada)
    assert [(f.name, f.unread, f.feed_count) for f in folders] == [("", 3, 1)]


@pytest.mark.postgres
def test_item_inserts_commit_in_id_order(pg_database: str) -> None:
    """While one transaction holds new items uncommitted, another cannot insert: an app that
    paged past an id never misses a smaller one committed later."""
    fresh_schema(pg_database)
    store = Store.open(pg_database)
    try:
        _two_workers(store)
    finally:
        store.close()


def _two_workers(store: Store) -> None:
    feed = store.add_feed("https://e.org/f", now=NOW)
    inserted, release, done = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        plan = UpdatePlan(feed, NOW, NOW, new=(write(ParsedItem(guid="a", title="a")),))
        with store.engine.begin() as conn:
            _insert_items(conn, [plan])
            inserted.set()
            release.wait(10)

    def second() -> None:
        add_items(store, feed, ["b"], NOW + timedelta(minutes=1))
        done.set()

    one = threading.Thread(target=first)
    one.start()
    assert inserted.wait(10)
    two = threading.Thread(target=second)
    two.start()
    assert not done.wait(0.5)  # waits for the first to commit
    release.set()
    one.join(10)
    two.join(10)
    assert done.is_set()
    ada = person(store, "ada")
    store.add_subscription(ada, feed, now=NOW)
    query = EntryQuery(status="all", order="received", direction="asc")
    assert [e.item.title for e in store.entries(ada, query)] == ["a", "b"]
