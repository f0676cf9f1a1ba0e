"""The facade's part for the apps: API passwords and keys, the Google Reader token and the Fever
key, and people's items as the sync protocols read them (ids by state, feed, folder, crawl time
and keyset bounds; entries by id; folders with stable ids; per-feed figures)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tests.test_reading import rss
from tidings.core import Aggregator
from tidings.errors import DuplicateError, NotFoundError, TidingsError
from tidings.synctypes import IdQuery


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def test_an_api_password_signs_apps_in_and_only_it(agg: Aggregator) -> None:
    ada = agg.add_user("ada", "sign-in password")
    assert agg.api_sign_in("ada", "sign-in password") is None  # not the sign-in password
    assert not agg.has_api_password(ada.id)
    agg.set_api_password(ada.id, "app password")
    assert agg.has_api_password(ada.id)
    assert agg.api_sign_in("ada", "app password") == ada
    assert agg.api_sign_in(" ada@example.org ", "app password") == ada  # apps ask for an email
    assert agg.api_sign_in("ada", "app password ") is None
    assert agg.api_sign_in("nobody", "app password") is None
    assert agg.fever_user(md5("ada:app password")) == ada
    assert agg.fever_user(md5("ada:app password").upper()) == ada
    assert agg.fever_user(md5("ada:wrong")) is None and agg.fever_user("short") is None
    with pytest.raises(TidingsError, match="at least 8 characters"):
        agg.set_api_password(ada.id, "short")


def test_a_new_api_password_signs_every_app_out(agg: Aggregator) -> None:
    ada = agg.add_user("ada", "sign-in password")
    agg.set_api_password(ada.id, "first password")
    token = agg.greader_auth(ada)
    assert agg.greader_auth(ada) == token  # stable: apps keep it for good
    assert agg.user_for_greader_auth(token) == ada
    assert agg.api_sign_in("ada", "first password") == ada  # now remembered
    agg.set_api_password(ada.id, "second password")
    assert agg.user_for_greader_auth(token) is None
    assert agg.api_sign_in("ada", "first password") is None  # the memory does not outlive it
    assert agg.fever_user(md5("ada:first password")) is None
    assert agg.user_for_greader_auth(agg.greader_auth(ada)) == ada
    agg.clear_api_password(ada.id)
    assert agg.api_sign_in("ada", "second password") is None
    with pytest.raises(TidingsError, match="no API password"):
        agg.greader_auth(ada)
    for forged in ("", "/", "1/", "x/abc", f"{ada.id}/{'0' * 64}", "99999999999999999999/a"):
        assert agg.user_for_greader_auth(forged) is None


def test_api_keys_are_shown_once_and_can_be_revoked(agg: Aggregator, clock: Clock) -> None:
    ada, bea = agg.add_user("ada", "password one"), agg.add_user("bea", "password two")
    key, secret = agg.create_api_key(ada.id, "  my   phone ")
    assert key.description == "my phone" and key.last_used_at is None
    assert agg.user_for_api_key(secret) == ada
    assert agg.api_keys(ada.id)[0].last_used_at == clock.now
    clock.now += timedelta(seconds=30)
    agg.user_for_api_key(secret)
    assert agg.api_keys(ada.id)[0].last_used_at == clock.now - timedelta(seconds=30)
    assert agg.user_for_api_key(secret + "x") is None and agg.user_for_api_key("") is None
    with pytest.raises(NotFoundError):
        agg.revoke_api_key(bea.id, key.id)  # not bea's
    agg.revoke_api_key(ada.id, key.id)
    assert agg.user_for_api_key(secret) is None and agg.api_keys(ada.id) == []
    with pytest.raises(TidingsError, match="describe the key"):
        agg.create_api_key(ada.id, " ")


async def test_item_ids_filter_as_the_protocols_do(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    ada = agg.add_user("ada", "password one")
    server.routes["/a.xml"] = Route(rss("A1", "A2", name="Alpha"))
    server.routes["/b.xml"] = Route(rss("B1", name="Beta"))
    a = await agg.subscribe(ada.id, server.url("/a.xml"), folder="Work")
    first_batch = clock.now
    clock.now += timedelta(hours=1)
    b = await agg.subscribe(ada.id, server.url("/b.xml"))
    every = agg.item_ids(ada.id, IdQuery())
    assert len(every) == 3 and every == sorted(every, reverse=True)
    a_ids = agg.item_ids(ada.id, IdQuery(feed_ids=(a.feed.id,), newest_first=False))
    (b_id,) = agg.item_ids(ada.id, IdQuery(feed_ids=(b.feed.id,)))
    assert agg.item_ids(ada.id, IdQuery(folder="Work")) == a_ids[::-1]
    assert agg.item_ids(ada.id, IdQuery(folder="")) == [b_id]
    assert agg.item_ids(ada.id, IdQuery(exclude_folder="Work")) == [b_id]
    assert agg.item_ids(ada.id, IdQuery(exclude_feed_ids=(b.feed.id,))) == a_ids[::-1]
    # crawl time: a's items were first seen an hour before b's
    assert agg.item_ids(ada.id, IdQuery(seen_after=clock.now)) == [b_id]
    assert agg.item_ids(ada.id, IdQuery(seen_before=clock.now)) == a_ids[::-1]
    assert (
        agg.item_ids(ada.id, IdQuery(seen_after=first_batch, seen_before=clock.now))
        == (a_ids[::-1])
    )
    # state
    agg.set_read(ada.id, [a_ids[0]])
    agg.set_starred(ada.id, [a_ids[0], b_id])
    assert agg.item_ids(ada.id, IdQuery(status="unread")) == [b_id, a_ids[1]]
    assert agg.item_ids(ada.id, IdQuery(status="read")) == [a_ids[0]]
    assert agg.item_ids(ada.id, IdQuery(status="starred")) == [b_id, a_ids[0]]
    assert agg.item_ids(ada.id, IdQuery(status="starred", starred=True)) == [b_id, a_ids[0]]
    assert agg.item_ids(ada.id, IdQuery(status="unread", starred=False)) == [a_ids[1]]
    # keyset bounds and limits
    assert agg.item_ids(ada.id, IdQuery(after_id=a_ids[0])) == [b_id, a_ids[1]]
    assert agg.item_ids(ada.id, IdQuery(before_id=b_id, limit=1)) == [a_ids[1]]
    assert agg.item_ids(ada.id, IdQuery(ids=(b_id, 999_999))) == [b_id]
    assert agg.item_ids(ada.id, IdQuery(ids=())) == []
    with pytest.raises(TidingsError, match="status is one of"):
        agg.item_ids(ada.id, IdQuery(status="kept"))
    # a starred item outlives its subscription; the others go from the lists
    agg.unsubscribe(ada.id, b.feed.id)
    assert agg.item_ids(ada.id, IdQuery(status="starred")) == [b_id, a_ids[0]]
    assert b_id not in agg.item_ids(ada.id, IdQuery())
    entries = agg.entries_by_ids(ada.id, [a_ids[1], b_id, a_ids[0], 424242])
    assert [e.item.id for e in entries] == [b_id, a_ids[1], a_ids[0]]
    assert [(e.read, e.starred) for e in entries] == [(False, True), (False, False), (True, True)]
    # another person sees none of it
    bea = agg.add_user("bea", "password two")
    assert agg.item_ids(bea.id, IdQuery()) == [] and agg.entries_by_ids(bea.id, every) == []


async def test_folders_keep_their_ids_through_renames(agg: Aggregator, server: FeedServer) -> None:
    ada = agg.add_user("ada", "password one")
    server.routes["/a.xml"] = Route(rss("A1", "A2", name="Alpha"))
    server.routes["/b.xml"] = Route(rss("B1", name="Beta"))
    a = await agg.subscribe(ada.id, server.url("/a.xml"), folder="Work")
    await agg.subscribe(ada.id, server.url("/b.xml"))
    none, work = agg.sync_folders(ada.id)
    assert (none.name, none.unread, none.feed_count) == ("", 1, 1)
    assert (work.name, work.unread, work.feed_count) == ("Work", 2, 1)
    assert agg.sync_folders(ada.id) == [none, work]  # the same ids every time
    renamed = agg.rename_folder(ada.id, work.id, "Office")
    assert (renamed.id, renamed.name) == (work.id, "Office")
    assert agg.subscription(ada.id, a.feed.id).folder == "Office"
    empty = agg.create_folder(ada.id, "Later")
    assert [f.name for f in agg.sync_folders(ada.id)] == ["", "Later", "Office"]
    with pytest.raises(DuplicateError):
        agg.create_folder(ada.id, "Later")
    with pytest.raises(DuplicateError):
        agg.rename_folder(ada.id, empty.id, "Office")
    with pytest.raises(TidingsError):
        agg.delete_folder(ada.id, none.id)
    with pytest.raises(TidingsError):
        agg.rename_folder(ada.id, none.id, "Something")
    agg.delete_folder(ada.id, work.id)
    assert agg.subscription(ada.id, a.feed.id).folder is None
    assert agg.folder_by_id(ada.id, none.id).feed_count == 2
    with pytest.raises(NotFoundError):
        agg.folder_by_id(ada.id, work.id)
    # a folder given on the reading pages gets its id when an app asks; a deleted id is not reused
    agg.edit_subscription(ada.id, a.feed.id, folder="Work")
    again = {f.name: f.id for f in agg.sync_folders(ada.id)}["Work"]
    assert again > work.id
    bea = agg.add_user("bea", "password two")
    with pytest.raises(NotFoundError):
        agg.folder_by_id(bea.id, empty.id)


async def test_feed_stats_count_items_unread_and_the_newest(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    ada = agg.add_user("ada", "password one")
    server.routes["/a.xml"] = Route(rss("A1", "A2", "A3", name="Alpha"))
    a = await agg.subscribe(ada.id, server.url("/a.xml"))
    ids = agg.item_ids(ada.id, IdQuery())
    agg.set_read(ada.id, ids[:1])
    stats = agg.feed_stats(ada.id)[a.feed.id]
    assert (stats.items, stats.unread, stats.newest_seen) == (3, 2, clock.now)


async def test_set_state_changes_what_is_given(agg: Aggregator, server: FeedServer) -> None:
    ada = agg.add_user("ada", "password one")
    server.routes["/a.xml"] = Route(rss("A1", "A2", name="Alpha"))
    await agg.subscribe(ada.id, server.url("/a.xml"))
    ids = agg.item_ids(ada.id, IdQuery())
    agg.set_state(ada.id, ids, read=True)
    agg.set_state(ada.id, ids[:1], starred=True)
    agg.set_state(ada.id, ids[1:])  # nothing asked, nothing changed
    entries = agg.entries_by_ids(ada.id, ids)
    assert [(e.read, e.starred) for e in entries] == [(True, True), (True, False)]
    agg.set_state(ada.id, ids, read=False, starred=False)
    assert agg.item_ids(ada.id, IdQuery(status="unread")) == ids
    assert agg.item_ids(ada.id, IdQuery(status="starred")) == []
