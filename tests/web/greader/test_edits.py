"""Writes in-process: edit-tag (read, unread, kept-unread, starred, the tags tidings ignores, bad
ids skipped one by one), mark-all-as-read (its streams and its ``ts`` by magnitude), ``OK``
exactly, 405 for a write sent as GET, 404 for a path that is no call."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.greader.helpers import (
    API,
    BACKENDS,
    ITEM_PREFIX,
    KEPT_UNREAD,
    READ,
    READING_LIST,
    STARRED,
    Reader,
    arrive,
    backend_settings,
    item,
)

web_settings = pytest.fixture(params=BACKENDS)(backend_settings)


def test_edit_tag_read_unread_and_starred_in_any_spelling(reader: Reader) -> None:
    ids = sorted(reader.every())
    spelled = [str(ids[0]), f"{ITEM_PREFIX}{ids[1]:016x}", f"{ids[2]:016x}"]
    done = reader.post(f"{API}/edit-tag", {"i": spelled, "a": READ, "T": ""})
    assert done.status_code == 200 and done.text == "OK"
    assert done.headers["content-type"].startswith("text/plain")
    assert reader.unread() == set(ids[3:])
    assert reader.post(f"{API}/edit-tag", {"i": spelled[:1], "r": READ}).text == "OK"
    assert reader.unread() == {ids[0], *ids[3:]}
    assert reader.post(f"{API}/edit-tag", {"i": [str(ids[1])], "a": KEPT_UNREAD}).text == "OK"
    assert reader.unread() == {ids[0], ids[1], *ids[3:]}
    assert reader.post(f"{API}/edit-tag", {"i": spelled, "a": STARRED}).text == "OK"
    assert reader.starred() == set(ids[:3])
    assert reader.post(f"{API}/edit-tag", {"i": spelled[1:], "r": STARRED}).text == "OK"
    assert reader.starred() == {ids[0]}


def test_newsboat_pairs_and_ignored_tags(reader: Reader) -> None:
    ids = sorted(reader.every())
    # Newsboat: mark read, then unread, each with its companion tags and ac=edit
    read = f"i={ids[0]}&a={READ}&r={KEPT_UNREAD}&ac=edit&T=x"
    unread = (
        f"i={ids[0]}&r={READ}&a={KEPT_UNREAD}"
        "&a=user/-/state/com.google/tracking-kept-unread&ac=edit&T=x"
    )
    form = {"Content-Type": "application/x-www-form-urlencoded", **reader.headers()}
    assert reader.http.post(f"{API}/edit-tag", content=read, headers=form).text == "OK"
    assert ids[0] not in reader.unread()
    assert reader.http.post(f"{API}/edit-tag", content=unread, headers=form).text == "OK"
    assert ids[0] in reader.unread()
    # broadcast, like, a label on an item, a tag that is nothing: OK, nothing changes
    before = (reader.unread(), reader.starred())
    for tag in (
        "user/-/state/com.google/broadcast",
        "user/-/state/com.google/like",
        "user/-/label/Later",
        "whatever",
    ):
        assert reader.post(f"{API}/edit-tag", {"i": str(ids[1]), "a": tag}).text == "OK"
    assert (reader.unread(), reader.starred()) == before


def test_bad_ids_are_skipped_one_by_one(reader: Reader, bob: Reader) -> None:
    ids = sorted(reader.every())
    sent = ["garbage", str(ids[0]), f"{ITEM_PREFIX}{ids[1]:d}zz", str(2**70), "-1", str(ids[1])]
    # News+ adds s per item and async=true
    data = {"i": sent, "s": ["feed/1"] * len(sent), "a": READ, "async": "true"}
    assert reader.post(f"{API}/edit-tag", data).text == "OK"
    assert reader.unread() == set(ids[2:])
    # ada's harbour items are not bob's: marking them changes nothing of his or hers
    harbour = reader.ids(s=f"feed/{reader.feeds['harbour']}")
    assert bob.post(f"{API}/edit-tag", {"i": [str(i) for i in harbour], "a": STARRED}).text == "OK"
    assert bob.starred() == set() and not reader.starred() & set(harbour)
    missing = reader.post(f"{API}/edit-tag", {"a": READ})
    assert missing.status_code == 400


def test_mark_all_as_read_by_stream(reader: Reader) -> None:
    feeds = reader.feeds
    assert reader.post(f"{API}/mark-all-as-read", {"s": f"feed/{feeds['nato']}"}).text == "OK"
    assert not set(reader.ids(s=f"feed/{feeds['nato']}")) & reader.unread()
    assert reader.post(f"{API}/mark-all-as-read", {"s": "user/-/label/Science"}).text == "OK"
    assert reader.unread() == set(reader.ids(s=f"feed/{feeds['harbour']}"))
    harbour = reader.ids(s=f"feed/{feeds['harbour']}")
    reader.agg.set_starred(reader.user_id, harbour[:1])
    assert reader.post(f"{API}/mark-all-as-read", {"s": STARRED}).text == "OK"
    assert reader.unread() == set(harbour[1:])
    assert reader.post(f"{API}/mark-all-as-read", {"s": READING_LIST, "T": ""}).text == "OK"
    assert reader.unread() == set()
    assert reader.post(f"{API}/mark-all-as-read", {"s": READ}).text == "OK"


@pytest.mark.parametrize(
    "s", ["feed/999", "feed/https://nowhere.example/", "user/-/label/Nowhere", "bogus", ""]
)
def test_mark_all_as_read_of_an_unknown_stream_is_a_400(reader: Reader, s: str) -> None:
    before = reader.unread()
    response = reader.post(f"{API}/mark-all-as-read", {"s": s})
    assert response.status_code == 400 and response.text != "OK"
    assert reader.unread() == before


@pytest.mark.parametrize(
    "spell",
    [
        lambda s: str(s),  # seconds
        lambda s: str(s * 1000),  # ms
        lambda s: f"{s * 1000}999",  # ms and 999 (News+)
        lambda s: str(s * 1_000_000),  # µs (the documented unit)
        lambda s: str(s * 1_000_000_000),  # ns
    ],
)
def test_mark_all_as_read_ts_by_magnitude_spares_what_came_later(reader: Reader, spell) -> None:  # type: ignore[no-untyped-def]
    nato = reader.feeds["nato"]
    later = reader.clock.now + timedelta(minutes=10)
    arrive(reader.agg, nato, later, item(7, "new", later))
    new_id = max(reader.every())
    ts = spell(int(reader.clock.now.timestamp()))
    assert reader.post(f"{API}/mark-all-as-read", {"s": READING_LIST, "ts": ts}).text == "OK"
    assert reader.unread() == {new_id}


def test_mark_all_as_read_without_ts_is_up_to_now(reader: Reader) -> None:
    nato = reader.feeds["nato"]
    # first seen after the server's now (it came in while the call was on its way)
    later = reader.clock.now + timedelta(seconds=5)
    arrive(reader.agg, nato, later, item(7, "new", later))
    assert reader.post(f"{API}/mark-all-as-read", {"s": f"feed/{nato}"}).text == "OK"
    assert reader.ids(s=f"feed/{nato}", xt=READ) == [max(reader.every())]


@pytest.mark.parametrize(
    "call",
    [
        "edit-tag",
        "mark-all-as-read",
        "subscription/edit",
        "subscription/quickadd",
        "rename-tag",
        "disable-tag",
        "subscription/import",
    ],
)
def test_a_write_sent_as_get_is_a_405_and_changes_nothing(reader: Reader, call: str) -> None:
    before = reader.unread()
    response = reader.get(f"{API}/{call}", s=READING_LIST, i=str(min(before)), a=READ)
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert reader.unread() == before


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/nothing",
        f"{API}/stream/other",
        f"/api/greader.php{API}/friend/list",
        f"{API}/",
        f"{API}/preference/list",
    ],
)
def test_unknown_calls_are_404(reader: Reader, path: str) -> None:
    response = reader.http.get(path, headers=reader.headers())
    assert response.status_code == 404 and response.text.startswith("Not Found")
    assert reader.http.post(path, headers=reader.headers()).status_code == 404
    assert reader.http.get("/api/greader.php/whatever").status_code == 404
