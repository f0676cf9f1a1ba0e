"""A person's entries and marks: read, unread, starred, "up to", paging, sync, and isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.store.plans import NOW
from tests.store.test_subscriptions import add_items, everything, person
from tidings.errors import TidingsError
from tidings.store.schema import entry_states
from tidings.store.store import Store
from tidings.types import EntryQuery


def rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(entry_states)).scalar() or 0)


def setup(store: Store, n: int = 5) -> tuple[int, int, int, list[int]]:
    ada, bob = person(store, "ada"), person(store, "bob")
    feed = store.add_feed("https://e.org/f", now=NOW)
    for i in range(n):
        add_items(store, feed, [f"i{i}"], NOW + timedelta(minutes=i))
    store.add_subscription(ada, feed, now=NOW)
    store.add_subscription(bob, feed, now=NOW)
    return ada, bob, feed, everything(store, ada)


def test_read_unread_and_starred_by_ids_for_one_person_only(store: Store) -> None:
    ada, bob, feed, ids = setup(store)
    first = store.set_read(ada, ids[:2], True, NOW)
    assert first.marked == 2 and first.seq == 1
    assert store.set_read(ada, ids[:2], True, NOW).marked == 0  # already read
    assert everything(store, ada, "unread") == ids[2:]
    assert everything(store, ada, "read") == ids[:2]
    assert everything(store, bob, "unread") == ids  # bob's state is his own
    assert store.set_starred(ada, [ids[0], ids[4]], True, NOW).marked == 2
    assert everything(store, ada, "starred") == [ids[0], ids[4]]
    assert everything(store, bob, "starred") == []
    counts = store.unread_counts(ada)
    assert (counts.total, counts.starred, counts.by_feed) == (3, 2, {feed: 3})
    assert store.unread_counts(bob).total == 5
    again = store.set_read(ada, [ids[0]], False, NOW)
    assert again.marked == 1 and again.seq == 4
    entry = store.entry(ada, ids[0])
    assert entry is not None and not entry.read and entry.starred and entry.starred_at == NOW
    assert store.entry(bob, ids[0]) is not None and store.entry(ada, 10_000) is None


def test_mark_read_up_to_leaves_what_arrived_later_unread(store: Store) -> None:
    ada, bob, feed, ids = setup(store)
    store.set_read(ada, [ids[4]], True, NOW)  # an explicit row above the watermark
    store.set_read(ada, [ids[1]], False, NOW)  # an explicit unread: no row needed yet
    store.set_starred(ada, [ids[2]], True, NOW)
    add_items(store, feed, ["late"], NOW + timedelta(hours=1))  # arrives while reading
    done = store.mark_read(ada, now=NOW, up_to_id=ids[4])
    assert done.marked == 4  # i0..i3 (i4 was read already)
    assert everything(store, ada, "unread") == [max(everything(store, ada))]
    assert everything(store, ada, "starred") == [ids[2]]
    assert rows(store) == 1  # only the starred row is left
    assert store.unread_counts(bob).total == 6
    # by time: items first seen at or before it
    store.mark_read(bob, now=NOW, feed_id=feed, before=NOW + timedelta(minutes=2))
    assert everything(store, bob, "unread") == [*ids[3:], max(everything(store, bob))]
    # an unread mark under the watermark counts, and "up to" reads it again
    store.set_read(bob, [ids[0]], False, NOW)
    assert store.unread_counts(bob).by_feed == {feed: 4}
    assert store.mark_read(bob, now=NOW, folder=None, up_to_id=ids[0]).marked == 1
    assert store.unread_counts(bob).by_feed == {feed: 3}


def test_keyset_pages_in_both_orders(store: Store) -> None:
    ada, _bob, _feed, ids = setup(store, 7)
    seen: list[int] = []
    after = None
    while True:
        page = store.entries(ada, EntryQuery(limit=3, after=after))
        if not page:
            break
        seen += [e.item.id for e in page]
        last = page[-1].item
        after = (last.sort_date, last.id)
    assert seen == list(reversed(ids))
    received = store.entries(ada, EntryQuery(order="received", direction="asc", limit=2))
    assert [e.item.id for e in received] == ids[:2]
    following = EntryQuery(order="received", direction="asc", limit=10, after=(ids[1], ids[1]))
    assert [e.item.id for e in store.entries(ada, following)] == ids[2:]
    found = store.entries(ada, EntryQuery(status="all", search="I3"))
    assert [e.item.title for e in found] == ["i3"]
    assert store.entries(ada, EntryQuery(ids=())) == []


def test_hidden_subscriptions_and_folders(store: Store) -> None:
    ada, _bob, feed, ids = setup(store, 2)
    other = store.add_feed("https://e.org/g", now=NOW)
    add_items(store, other, ["g0"])
    store.add_subscription(ada, other, now=NOW, folder="Later")
    store.edit_subscription(ada, other, hide_from_all=True)
    assert everything(store, ada, "unread") == [*ids, max(ids) + 1]  # include_hidden
    assert len(store.entries(ada, EntryQuery())) == 2  # "all" leaves the hidden one out
    assert len(store.entries(ada, EntryQuery(folder="Later"))) == 1
    assert len(store.entries(ada, EntryQuery(feed_id=other))) == 1
    assert store.unread_counts(ada).total == 2
    assert store.mark_read(ada, now=NOW, folder="Later").marked == 1
    assert store.unread_counts(ada).by_feed == {feed: 2, other: 0}


def test_changes_since_a_seq(store: Store) -> None:
    ada, bob, feed, ids = setup(store)
    store.set_read(ada, [ids[0]], True, NOW)
    seq = store.set_starred(ada, [ids[1]], True, NOW).seq
    store.mark_read(ada, now=NOW, up_to_id=ids[2])
    entries, marks, now_seq = store.changes(ada, seq)
    assert marks == [(feed, ids[2])] and now_seq == seq + 1
    # the starred row turned read; the read row of ids[0] went (the watermark says it)
    assert [(e.item.id, e.read, e.starred) for e in entries] == [(ids[1], True, True)]
    entries, marks, _ = store.changes(ada, 0)
    assert [(e.item.id, e.read, e.starred) for e in entries] == [(ids[1], True, True)]
    assert store.changes(bob, 0) == ([], [], 0)


def test_ten_thousand_ids_in_one_call(store: Store) -> None:
    ada, _bob, _feed, ids = setup(store, 3)
    many = [*ids, *range(10**6, 10**6 + 12_000)]  # unknown ids are ignored
    assert store.set_read(ada, many, True, NOW).marked == 3
    assert store.set_starred(ada, many, True, NOW).marked == 3


def test_a_query_that_means_nothing_is_refused(store: Store) -> None:
    ada, _bob, _feed, ids = setup(store, 1)
    for bad in (
        EntryQuery(status="new"),
        EntryQuery(order="random"),
        EntryQuery(direction="up"),
        EntryQuery(after=(ids[0], ids[0])),  # published order: a date first
        EntryQuery(order="received", after=(NOW, ids[0])),
    ):
        with pytest.raises(TidingsError):
            store.entries(ada, bad)


def test_few_unread_are_paged_from_their_ids(store: Store) -> None:
    ada, _bob, feed, ids = setup(store, 6)
    store.mark_read(ada, now=NOW, up_to_id=ids[3])
    store.set_read(ada, [ids[1]], False, NOW)  # an explicit unread under the watermark
    store.set_read(ada, [ids[5]], True, NOW)  # an explicit read above it
    page = store.entries(ada, EntryQuery(limit=1))
    assert [e.item.id for e in page] == [ids[4]]
    after = (page[0].item.sort_date, page[0].item.id)
    assert [e.item.id for e in store.entries(ada, EntryQuery(after=after))] == [ids[1]]
    store.mark_read(ada, now=NOW)
    assert store.entries(ada, EntryQuery()) == []  # all read: no page to walk
    assert store.entries(ada, EntryQuery(feed_id=feed)) == []
