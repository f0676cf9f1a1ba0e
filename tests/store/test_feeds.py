"""Feeds: subscribing, finding, listing, enabling and removing them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.store.plans import NOW, failed
from tidings.errors import DuplicateError, NotFoundError
from tidings.store.store import Store


def test_add_find_list_remove(store: Store) -> None:
    fid = store.add_feed("https://e.org/feed", now=NOW, title="Mine", categories_=["Tech", "News"])
    with pytest.raises(DuplicateError, match="already subscribed"):
        store.add_feed("https://e.org/feed", now=NOW)
    feed = store.get_feed(fid)
    assert feed.title == "Mine" and feed.categories == ("News", "Tech")
    assert feed.next_check == NOW and feed.item_count == 0
    assert store.find_feed("https://e.org/feed") == feed
    assert store.find_feed("https://e.org/other") is None
    assert [c.slug for c in store.list_categories()] == ["news", "tech"]
    store.remove_feed(fid)
    with pytest.raises(NotFoundError):
        store.get_feed(fid)
    with pytest.raises(NotFoundError):
        store.remove_feed(fid)


def test_list_feeds_by_id_in_one_call(store: Store) -> None:
    a = store.add_feed("https://e.org/a", now=NOW)
    b = store.add_feed("https://e.org/b", now=NOW)
    store.add_feed("https://e.org/c", now=NOW)
    assert [f.id for f in store.list_feeds([b, a, 999])] == [a, b]
    assert store.list_feeds([]) == []
    assert len(store.list_feeds()) == 3


def test_enable_gives_a_clean_slate_due_now(store: Store) -> None:
    gone = store.add_feed("https://e.org/gone", now=NOW)
    store.apply(failed(gone, NOW, 3, disabled_reason="HTTP 410 Gone"))
    assert gone not in store.due_feed_ids(NOW + timedelta(days=30))
    later = NOW + timedelta(days=3)
    store.enable_feed(gone, now=later)
    feed = store.get_feed(gone)
    assert feed.disabled_reason is None and feed.error_count == 0 and feed.last_error is None
    assert feed.next_check == later and store.due_feed_ids(later) == [gone]
    assert store.health() == []
    with pytest.raises(NotFoundError):
        store.enable_feed(999, now=later)
