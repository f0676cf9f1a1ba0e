"""Miniflux-style listings on both backends: every filter and every order of ``EntryFilter``
agrees with the same filter and order worked out in Python over all of a person's entries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.store.plans import NOW, write
from tests.store.test_subscriptions import person
from tidings.entryfilter import ORDERS, EntryFilter, changed_at
from tidings.errors import TidingsError
from tidings.store.store import Store
from tidings.types import Entry, ParsedItem, UpdatePlan

DAY = timedelta(days=1)


def feed_with(store: Store, url: str, names: list[str], offset: float) -> int:
    """A feed whose items are published a day apart, from ``offset`` days before NOW."""
    feed = store.add_feed(url, now=NOW)
    items = [
        ParsedItem(
            guid=n,
            title=n,
            author=f"writer {len(n) % 3}",
            published=NOW - (offset + k) * DAY,
            content_html=f"<p>about {n}</p>",
        )
        for k, n in enumerate(names)
    ]
    store.apply(UpdatePlan(feed, NOW, NOW, new=tuple(write(i, first_seen=NOW) for i in items)))
    return feed


@pytest.fixture
def setup(store: Store) -> tuple[Store, int, dict[str, int]]:
    ada = person(store, "ada")
    feeds = {
        "work": feed_with(store, "https://w.example/f", ["wa", "wbb", "wccc", "wd"], 0.5),
        "loose": feed_with(store, "https://l.example/f", ["la", "lbb", "lc"], 0.25),
        "hidden": feed_with(store, "https://h.example/f", ["ha", "hbb"], 0),
    }
    store.add_subscription(ada, feeds["work"], now=NOW, folder="Work")
    store.add_subscription(ada, feeds["loose"], now=NOW)
    store.add_subscription(ada, feeds["hidden"], now=NOW, folder="Play")
    store.edit_subscription(ada, feeds["hidden"], hide_from_all=True)
    store.sync_folders(ada)
    ids = [e.item.id for e in store.entry_list(ada, EntryFilter(order="id", limit=0))[1]]
    store.mark_read(ada, now=NOW, up_to_id=ids[1])  # the watermark: no read time
    store.set_read(ada, [ids[3]], True, NOW + DAY)
    store.set_read(ada, [ids[1]], False, NOW + DAY)
    store.set_starred(ada, [ids[4], ids[8]], True, NOW + 2 * DAY)
    store.set_read(ada, [ids[8]], True, NOW + 3 * DAY)
    return store, ada, feeds


def every(store: Store, user_id: int) -> list[Entry]:
    return store.entry_list(user_id, EntryFilter(order="id", limit=0))[1]


def key_of(store: Store, user_id: int, order: str) -> Callable[[Entry], Any]:
    folder_ids = {f.name: f.id for f in store.sync_folders(user_id)}
    keys: dict[str, Callable[[Entry], Any]] = {
        "id": lambda e: e.item.id,
        "status": lambda e: "read" if e.read else "unread",
        "changed_at": lambda e: changed_at(e.read_at, e.starred_at, e.item.first_seen),
        "published_at": lambda e: e.item.sort_date,
        "created_at": lambda e: e.item.first_seen,
        "category_title": lambda e: e.folder or "",
        "category_id": lambda e: folder_ids[e.folder or ""],
        "title": lambda e: e.item.title or "",
        "author": lambda e: e.item.author or "",
    }
    return keys[order]


@pytest.mark.parametrize("order", ORDERS)
def test_every_order_both_ways(setup: tuple[Store, int, dict[str, int]], order: str) -> None:
    store, ada, _ = setup
    key = key_of(store, ada, order)
    for direction in ("asc", "desc"):
        expected = sorted(every(store, ada), key=lambda e: (key(e), e.item.id),
                          reverse=direction == "desc")  # fmt: skip
        f = EntryFilter(order=order, direction=direction, limit=0)
        total, found = store.entry_list(ada, f)
        assert total == 9
        assert [e.item.id for e in found] == [e.item.id for e in expected], direction
        # pages of 4 by offset make up the same list
        paged: list[int] = []
        for page in range(3):
            step = replace(f, limit=4, offset=4 * page)
            paged += [e.item.id for e in store.entry_list(ada, step)[1]]
        assert paged == [e.item.id for e in expected]
        assert store.entry_id_list(ada, f) == (9, [e.item.id for e in expected])


def test_every_filter(setup: tuple[Store, int, dict[str, int]]) -> None:
    store, ada, feeds = setup
    entries = every(store, ada)
    ids = [e.item.id for e in entries]

    def check(f: EntryFilter, keep: Callable[[Entry], bool]) -> None:
        expected = [e.item.id for e in entries if keep(e)]
        total, found = store.entry_list(ada, replace(f, order="id", limit=0))
        assert (total, [e.item.id for e in found]) == (len(expected), expected), f

    check(EntryFilter(statuses=("read",)), lambda e: e.read)
    check(EntryFilter(statuses=("unread",)), lambda e: not e.read)
    check(EntryFilter(statuses=("unread", "read")), lambda e: True)
    check(EntryFilter(statuses=("removed",)), lambda e: False)
    check(EntryFilter(statuses=("removed", "unread")), lambda e: not e.read)
    check(EntryFilter(starred=True), lambda e: e.starred)
    check(EntryFilter(starred=False), lambda e: not e.starred)
    check(EntryFilter(feed_id=feeds["loose"]), lambda e: e.item.feed_id == feeds["loose"])
    check(EntryFilter(folder=""), lambda e: e.folder is None)
    check(EntryFilter(folder="Work"), lambda e: e.folder == "Work")
    check(EntryFilter(visible_only=True), lambda e: e.item.feed_id != feeds["hidden"])
    middle = NOW - 2 * DAY
    check(EntryFilter(published_after=middle), lambda e: e.item.sort_date > middle)
    check(EntryFilter(published_before=middle), lambda e: e.item.sort_date < middle)
    mark = NOW + 2 * DAY
    changed = {i: changed_at(e.read_at, e.starred_at, e.item.first_seen) for i, e in
               zip(ids, entries, strict=True)}  # fmt: skip
    check(EntryFilter(changed_after=mark), lambda e: changed[e.item.id] > mark)
    check(EntryFilter(changed_before=mark), lambda e: changed[e.item.id] < mark)
    assert store.entry_list(ada, EntryFilter(changed_after=mark))[0] == 1  # read after starred
    check(EntryFilter(after_id=ids[2], before_id=ids[6]), lambda e: ids[2] < e.item.id < ids[6])
    check(EntryFilter(search="BB"), lambda e: "bb" in (e.item.title or ""))
    check(EntryFilter(search="about wc"), lambda e: e.item.title == "wccc")
    check(EntryFilter(search="a%"), lambda e: False)  # a literal percent sign
    check(EntryFilter(search="b\x00b"), lambda e: "bb" in (e.item.title or ""))  # no NUL
    check(EntryFilter(ids=(ids[0], ids[5], 10**9)), lambda e: e.item.id in (ids[0], ids[5]))
    check(EntryFilter(ids=()), lambda e: False)
    both = EntryFilter(statuses=("unread",), folder="Work", starred=False)
    check(both, lambda e: not e.read and e.folder == "Work" and not e.starred)


def test_starred_includes_feeds_no_longer_followed(
    setup: tuple[Store, int, dict[str, int]],
) -> None:
    store, ada, feeds = setup
    starred = [e.item.id for e in every(store, ada) if e.starred]
    store.remove_subscription(ada, feeds["loose"])
    total, found = store.entry_list(ada, EntryFilter(starred=True, order="id"))
    assert (total, [e.item.id for e in found]) == (2, starred)
    assert store.entry_list(ada, EntryFilter())[0] == 6


def test_limits_and_refusals(setup: tuple[Store, int, dict[str, int]]) -> None:
    store, ada, _ = setup
    assert len(store.entry_list(ada, EntryFilter(limit=2))[1]) == 2
    assert store.entry_list(ada, EntryFilter(offset=50)) == (9, [])
    assert store.entry_list(person(store, "bea"), EntryFilter()) == (0, [])
    for bad in (
        EntryFilter(order="random"),
        EntryFilter(direction="up"),
        EntryFilter(statuses=("new",)),
        EntryFilter(offset=-1),
    ):
        with pytest.raises(TidingsError):
            store.entry_list(ada, bad)
