"""Reading streams in-process: stream/contents in its three ways of naming the stream, the
ids and their pages, contents by id in every spelling, unread counts, and every filter on every
stream type."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from tests.web.greader.helpers import (
    API,
    BACKENDS,
    HARBOUR,
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


def titles(page: dict[str, Any]) -> list[str]:
    return [i["title"] for i in page["items"]]


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/stream/contents/{READING_LIST}",
        f"{API}/stream/contents/{quote(READING_LIST, safe='')}",  # News+
        f"/api/greader.php{API}/stream/contents/{quote(READING_LIST, safe='')}",
        f"{API}/stream/contents/reading-list",
        f"{API}/stream/contents",  # no stream at all: Fluent Reader, FeedMe
        f"{API}/stream/contents?s={quote(READING_LIST, safe='')}",
        f"{API}/stream/contents/user/1/state/com.google/reading-list",
    ],
)
def test_stream_contents_names_its_stream_three_ways_and_is_json_without_output(
    reader: Reader, path: str
) -> None:
    response = reader.http.get(path, headers=reader.headers())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    page = response.json()
    assert page["id"] == READING_LIST
    assert len(page["items"]) == 6 and "continuation" not in page
    ids = [int(i["id"][len(ITEM_PREFIX) :], 16) for i in page["items"]]
    assert ids == sorted(ids, reverse=True)


def test_feed_and_label_streams_by_id_url_and_encoded(reader: Reader) -> None:
    nato = reader.feeds["nato"]
    by_id = reader.json(f"{API}/stream/contents/feed%2F{nato}")  # Newsboat's spelling
    assert titles(by_id) == ["nato 3", "nato 2", "nato 1"] and by_id["title"] == "NATO News"
    by_url = reader.json(f"{API}/stream/contents/feed%2F{quote(HARBOUR, safe='')}")
    assert titles(by_url) == ["harbour 2", "harbour 1"]
    assert titles(reader.json(f"{API}/stream/contents/feed/{HARBOUR}")) == titles(by_url)
    world = reader.json(f"{API}/stream/contents/user%2F-%2Flabel%2FWorld")
    assert titles(world) == ["nato 3", "nato 2", "nato 1"]
    assert {c for i in world["items"] for c in i["categories"]} == {
        READING_LIST,
        "user/-/label/World",
    }
    assert reader.json(f"{API}/stream/contents/user/-/label/Nowhere")["items"] == []
    assert reader.json(f"{API}/stream/contents/feed/999")["items"] == []  # not followed
    bad = reader.get(f"{API}/stream/contents/splice%2F1")
    assert bad.status_code == 400 and "no such stream" in bad.text


def test_contents_pages_by_continuation_oldest_first_too(reader: Reader) -> None:
    seen: list[str] = []
    cont = None
    for _ in range(10):
        extra: dict[str, str] = {"c": cont} if cont else {}
        page = reader.json(f"{API}/stream/contents", n=4, r="o", **extra)
        seen += titles(page)
        cont = page.get("continuation")
        if not cont:
            break
        assert len(page["items"]) == 4
    assert seen == ["nato 1", "nato 2", "nato 3", "harbour 1", "harbour 2", "science 1"]


def test_ot_and_nt_are_on_the_crawl_time_not_the_publication_date(reader: Reader) -> None:
    later = reader.clock.now + timedelta(hours=2)
    # published long ago, seen late: a back-dated item (NetNewsWire PR #5156)
    old = item(9, "late", reader.clock.now - timedelta(days=300))
    arrive(reader.agg, reader.feeds["nato"], later, old)
    cut = int((reader.clock.now + timedelta(hours=1)).timestamp())
    after = reader.json(f"{API}/stream/contents", ot=cut)
    assert titles(after) == ["late 9"]
    assert after["items"][0]["published"] < cut < int(after["items"][0]["crawlTimeMsec"]) // 1000
    before = reader.json(f"{API}/stream/contents", nt=cut)
    assert "late 9" not in titles(before) and len(before["items"]) == 6
    ids_after = reader.ids(s=READING_LIST, ot=cut)
    assert len(ids_after) == 1
    # nt is inclusive of its second
    seen_at = int(reader.clock.now.timestamp())
    assert len(reader.ids(s=READING_LIST, nt=seen_at)) == 6
    assert reader.ids(s=READING_LIST, nt=seen_at - 1) == []


def test_every_filter_on_every_stream(reader: Reader) -> None:
    every = reader.ids(s=READING_LIST)
    nato = reader.feeds["nato"]
    nato_ids = reader.ids(s=f"feed/{nato}")
    reader.agg.set_read(reader.user_id, [nato_ids[0], every[0]])
    reader.agg.set_starred(reader.user_id, [nato_ids[1], every[0]])
    assert reader.ids(s=f"feed/{nato}", xt=READ) == nato_ids[1:]  # miniflux #2171
    assert reader.ids(s=f"feed/{nato}", it=READ) == nato_ids[:1]
    assert reader.ids(s="user/-/label/World", xt=READ) == nato_ids[1:]
    assert reader.ids(s="user/-/label/World", it=STARRED) == nato_ids[1:2]
    assert reader.ids(s=READ) == sorted([nato_ids[0], every[0]], reverse=True)
    assert reader.ids(s=READING_LIST, it=READ) == reader.ids(s=READ)  # Read You on FreshRSS
    assert set(reader.ids(s=KEPT_UNREAD)) == reader.unread()
    assert reader.ids(s=STARRED) == sorted([nato_ids[1], every[0]], reverse=True)
    assert reader.ids(s=STARRED, xt=READ) == [nato_ids[1]]
    assert reader.ids(s=READING_LIST, xt=STARRED) == [
        i for i in every if i not in (nato_ids[1], every[0])
    ]
    assert set(reader.ids(s=READING_LIST, xt="user/-/label/World")) == set(every) - set(nato_ids)
    assert reader.ids(s=READING_LIST, xt=f"feed/{nato}", it=READ) == [every[0]]
    assert reader.ids(s=READING_LIST, xt=READING_LIST) == []
    assert reader.ids(s="user/-/state/com.google/like") == []
    for bad in ("bogus", "user/-/nothing/x"):
        assert reader.get(f"{API}/stream/items/ids", s=bad).status_code == 400


def test_a_starred_item_of_a_feed_no_longer_followed_stays_in_starred(reader: Reader) -> None:
    harbour = reader.ids(s=f"feed/{reader.feeds['harbour']}")
    reader.agg.set_starred(reader.user_id, harbour[:1])
    reader.agg.unsubscribe(reader.user_id, reader.feeds["harbour"])
    assert reader.ids(s=STARRED) == harbour[:1]
    assert harbour[0] not in reader.ids(s=READING_LIST)
    page = reader.post(f"{API}/stream/items/contents", {"i": str(harbour[0])}).json()
    assert page["items"][0]["origin"]["streamId"] == f"feed/{reader.feeds['harbour']}"
    assert STARRED in page["items"][0]["categories"]


def test_ids_pages_are_full_until_the_last_and_an_empty_one_has_no_continuation(
    reader: Reader,
) -> None:
    first = reader.json(f"{API}/stream/items/ids", s=READING_LIST, n=3)
    assert len(first["itemRefs"]) == 3 and first["continuation"]
    second = reader.json(f"{API}/stream/items/ids", s=READING_LIST, n=3, c=first["continuation"])
    assert len(second["itemRefs"]) == 3 and "continuation" not in second  # exactly 6: no more
    assert all(isinstance(r["id"], str) and r["id"].isdigit() for r in second["itemRefs"])
    everything = [int(r["id"]) for r in first["itemRefs"] + second["itemRefs"]]
    assert everything == sorted(reader.every(), reverse=True)
    empty = reader.json(f"{API}/stream/items/ids", s=READ, n=3)
    assert empty == {"itemRefs": []}
    assert reader.json(f"{API}/stream/items/ids", s=READING_LIST)["itemRefs"]  # n default 20
    oldest = reader.json(f"{API}/stream/items/ids", s=READING_LIST, n=2, r="o")
    assert [int(r["id"]) for r in oldest["itemRefs"]] == sorted(reader.every())[:2]


def test_items_contents_by_every_spelling_get_and_post(reader: Reader, bob: Reader) -> None:
    ids = sorted(reader.every())
    spellings = [
        str(ids[0]),
        f"{ITEM_PREFIX}{ids[1]:016x}",
        f"{ids[2]:016x}",
        f"{ITEM_PREFIX}{ids[3]:x}",
        "not an id",
        str(10**12),  # no such item
    ]
    posted = reader.post(f"{API}/stream/items/contents", {"i": spellings, "T": ""}, output="json")
    assert posted.status_code == 200
    got = [int(i["id"][len(ITEM_PREFIX) :], 16) for i in posted.json()["items"]]
    assert got == sorted(ids[:4], reverse=True)
    by_get = reader.get(f"{API}/stream/items/contents", i=spellings)
    assert by_get.json()["items"] == posted.json()["items"]
    # bob follows only NATO: ada's other items are not his to read
    theirs = bob.post(f"{API}/stream/items/contents", {"i": [str(i) for i in ids]}).json()
    assert {i["origin"]["streamId"] for i in theirs["items"]} == {f"feed/{bob.feeds['nato']}"}
    too_many = reader.post(f"{API}/stream/items/contents", {"i": ["1"] * 10_001})
    assert too_many.status_code == 400


def test_unread_count_per_feed_folder_and_reading_list(reader: Reader) -> None:
    nato = reader.ids(s=f"feed/{reader.feeds['nato']}")
    reader.agg.set_read(reader.user_id, nato[:2])
    found = reader.json(f"{API}/unread-count", output="json")
    counts = {row["id"]: row["count"] for row in found["unreadcounts"]}
    feeds = reader.feeds
    assert counts == {
        f"feed/{feeds['nato']}": 1,
        f"feed/{feeds['harbour']}": 2,
        f"feed/{feeds['science']}": 1,
        "user/-/label/World": 1,
        "user/-/label/Science": 1,
        READING_LIST: 4,
    }
    usec = str(int(reader.clock.now.timestamp()) * 1_000_000)
    assert {row["newestItemTimestampUsec"] for row in found["unreadcounts"]} == {usec}
    assert isinstance(found["max"], int)
