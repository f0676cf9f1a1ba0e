"""One story in many feeds of a folder that folds: listed once, its copies read with it, on
both backends; other folders and other people see every copy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.store.plans import NOW, ok, write
from tests.store.test_subscriptions import person
from tidings.errors import NotFoundError
from tidings.store.store import Store
from tidings.types import EntryQuery, ParsedItem

STORY = "https://news.example/2026/12/story"


def feed_with(store: Store, url: str, *links: str, minutes: int = 0) -> int:
    fid = store.add_feed(url, now=NOW)
    at = NOW + timedelta(minutes=minutes)
    new = tuple(
        write(ParsedItem(guid=f"{url}#{n}", title=f"t{n}", link=link), first_seen=at)
        for n, link in enumerate(links)
    )
    store.apply(ok(fid, at, new=new))
    return fid


def ids(
    store: Store, user_id: int, folder: str, *, fold: bool, status: str = "unread"
) -> list[int]:
    query = EntryQuery(status=status, folder=folder, order="received", direction="asc", fold=fold)
    return [e.item.id for e in store.entries(user_id, query)]


def by_feed(store: Store, user_id: int, feed_id: int) -> list[tuple[int, bool]]:
    query = EntryQuery(status="all", feed_id=feed_id, order="received", direction="asc")
    return [(e.item.id, e.read) for e in store.entries(user_id, query)]


@pytest.fixture
def world(store: Store) -> tuple[Store, int, int, list[int]]:
    """ada follows feeds a and b in News, c in Other; bob follows a and b in News, not folding.
    Each of a, b and c carries the story (under its own tracking parameters)."""
    ada, bob = person(store, "ada"), person(store, "bob")
    a = feed_with(store, "https://a.example/f", f"{STORY}?utm_source=a", "https://a.example/1")
    b = feed_with(store, "https://b.example/f", f"{STORY}#top", "https://b.example/1", minutes=1)
    c = feed_with(store, "https://c.example/f", STORY, minutes=2)
    for who, folders in ((ada, ("News", "News", "Other")), (bob, ("News", "News", "News"))):
        for fid, folder in zip((a, b, c), folders, strict=True):
            store.add_subscription(who, fid, now=NOW, folder=folder)
    store.set_fold(ada, "News", True)
    return store, ada, bob, [a, b, c]


def test_a_folder_that_folds_lists_the_first_copy_with_the_other_feeds(
    world: tuple[Store, int, int, list[int]],
) -> None:
    store, ada, bob, (a, b, c) = world
    assert store.folding(ada) == {"News"} and store.folding(bob) == set()
    every = ids(store, ada, "News", fold=False)
    assert len(every) == 4  # two copies of the story, one item each of its own
    once = ids(store, ada, "News", fold=True)
    first, b_copy = by_feed(store, ada, a)[0][0], by_feed(store, ada, b)[0][0]
    assert once == [i for i in every if i != b_copy]
    assert first in once
    assert store.also_in(ada, once) == {first: ["https://b.example/f"]}
    assert ids(store, ada, "Other", fold=True) == [by_feed(store, ada, c)[0][0]]
    assert store.also_in(bob, once) == {}  # bob's folder does not fold


def test_reading_one_copy_reads_the_others_in_the_folder_only(
    world: tuple[Store, int, int, list[int]],
) -> None:
    store, ada, bob, (a, b, c) = world
    b_copy = by_feed(store, ada, b)[0][0]
    store.set_read(ada, [b_copy], True, NOW)  # the later copy, as an app would mark it
    assert [read for _, read in by_feed(store, ada, a)] == [True, False]
    assert [read for _, read in by_feed(store, ada, b)] == [True, False]
    assert [read for _, read in by_feed(store, ada, c)] == [False]  # another folder
    assert all(not read for f in (a, b, c) for _, read in by_feed(store, bob, f))
    store.set_read(ada, [b_copy], False, NOW)  # unread: the copy alone
    assert [read for _, read in by_feed(store, ada, a)] == [True, False]


def test_marking_a_feed_read_reads_its_copies_in_other_feeds(
    world: tuple[Store, int, int, list[int]],
) -> None:
    store, ada, _, (a, b, _c) = world
    store.mark_read(ada, now=NOW, feed_id=a)
    assert [read for _, read in by_feed(store, ada, b)] == [True, False]


def test_stopping_and_unknown_folders(world: tuple[Store, int, int, list[int]]) -> None:
    store, ada, _, (a, b, _c) = world
    store.set_fold(ada, "News", False)
    assert store.folding(ada) == set()
    store.set_read(ada, [by_feed(store, ada, a)[0][0]], True, NOW)
    assert [read for _, read in by_feed(store, ada, b)] == [False, False]
    with pytest.raises(NotFoundError):
        store.set_fold(ada, "Nowhere", True)
