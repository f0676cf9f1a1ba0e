"""People's subscriptions: the window of unread items, titles and folders, counts, unfollowing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.store.plans import NOW, write
from tidings.errors import DuplicateError, NotFoundError, TidingsError
from tidings.store.accounts import Accounts
from tidings.store.store import Store
from tidings.types import EntryQuery, ParsedItem, UpdatePlan


def person(store: Store, name: str) -> int:
    return Accounts(store.engine).add_user(name, "hash", NOW).id


def everything(store: Store, user_id: int, status: str = "all") -> list[int]:
    query = EntryQuery(status=status, order="received", direction="asc", include_hidden=True)
    return [e.item.id for e in store.entries(user_id, query)]


def add_items(store: Store, feed_id: int, names: list[str], first_seen: datetime = NOW) -> None:
    store.apply(
        UpdatePlan(
            feed_id,
            first_seen,
            first_seen,
            new=tuple(
                write(ParsedItem(guid=n, title=n, published=first_seen), first_seen=first_seen)
                for n in names
            ),
        )
    )


def test_following_a_stored_feed_reads_what_is_older_than_the_window(store: Store) -> None:
    ada, bob = person(store, "ada"), person(store, "bob")
    feed = store.add_feed("https://e.org/f", now=NOW)
    add_items(store, feed, ["old1", "old2"], NOW - timedelta(days=10))
    add_items(store, feed, ["new1", "new2", "new3"], NOW - timedelta(days=1))
    sub = store.add_subscription(ada, feed, now=NOW, window_start=NOW - timedelta(days=7))
    assert sub.unread == 3 and sub.title == "https://e.org/f" and sub.folder is None
    # a new feed (no window): everything unread
    assert store.add_subscription(bob, feed, now=NOW).unread == 5
    with pytest.raises(DuplicateError, match="already subscribed"):
        store.add_subscription(ada, feed, now=NOW)
    with pytest.raises(NotFoundError):
        store.add_subscription(ada, 999, now=NOW)


def test_titles_folders_counts_and_hidden_subscriptions(store: Store) -> None:
    ada = person(store, "ada")
    f1 = store.add_feed("https://e.org/1", now=NOW)
    f2 = store.add_feed("https://e.org/2", now=NOW)
    f3 = store.add_feed("https://e.org/3", now=NOW)
    for fid, n in ((f1, 2), (f2, 3), (f3, 4)):
        add_items(store, fid, [f"{fid}-{i}" for i in range(n)])
    store.add_subscription(ada, f1, now=NOW, title="  Zeta  ", folder="  News   Daily ")
    store.add_subscription(ada, f2, now=NOW, title="Alpha", folder="News Daily")
    store.add_subscription(ada, f3, now=NOW, title="Beta")
    subs = store.subscriptions(ada)
    assert [(s.title, s.folder, s.unread) for s in subs] == [
        ("Beta", None, 4),
        ("Alpha", "News Daily", 3),
        ("Zeta", "News Daily", 2),
    ]
    assert store.folders(ada) == ["News Daily"]
    edited = store.edit_subscription(ada, f3, hide_from_all=True, folder="", title="")
    assert edited.hide_from_all and edited.folder is None and edited.title == "https://e.org/3"
    counts = store.unread_counts(ada)
    assert counts.total == 5 and counts.starred == 0
    assert counts.by_feed == {f1: 2, f2: 3, f3: 4}
    assert counts.by_folder == {"News Daily": 5}
    with pytest.raises(NotFoundError):
        store.edit_subscription(ada, 999, title="x")
    with pytest.raises(TidingsError, match="200 characters"):
        store.edit_subscription(ada, f1, folder="x" * 201)


def test_unfollowing_keeps_starred_and_removes_a_private_feed_nobody_needs(store: Store) -> None:
    ada, bob = person(store, "ada"), person(store, "bob")
    private = store.add_feed("https://e.org/p", now=NOW, on_site=False)
    add_items(store, private, ["a", "b", "c"])
    store.add_subscription(ada, private, now=NOW)
    store.add_subscription(bob, private, now=NOW)
    a, b, c = everything(store, ada)
    store.set_starred(ada, [a], True, NOW)
    store.set_read(ada, [b], True, NOW)
    store.remove_subscription(bob, private)
    assert store.followed_feed_ids([private]) == {private}  # ada still follows it
    store.remove_subscription(ada, private)
    # nobody follows it, but ada starred an item of it: kept (not fetched: not due)
    assert store.get_feed(private).item_count == 3
    assert everything(store, ada, "starred") == [a]
    assert everything(store, ada) == []
    assert store.due_feed_ids(NOW + timedelta(days=1)) == []
    store.set_starred(ada, [a], False, NOW)
    assert everything(store, ada, "starred") == []
    with pytest.raises(NotFoundError):  # its last star gone, so is the feed
        store.get_feed(private)
    assert c > b > a
