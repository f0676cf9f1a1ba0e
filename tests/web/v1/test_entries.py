"""GET of /v1 entries: Miniflux's entry JSON exactly, and every filter, order and page of its
listings (all, a feed's, a category's, the ids), with a 400 naming what was wrong."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Clock
from tests.web.v1.conftest import Api
from tests.web.v1.entry_data import Feeds, add_feeds

DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ENTRY_KEYS = {
    "id", "user_id", "feed_id", "status", "hash", "title", "url", "comments_url", "language",
    "published_at", "created_at", "changed_at", "content", "author", "share_code", "starred",
    "reading_time", "enclosures", "tags", "feed",
}  # fmt: skip


@pytest.fixture
def feeds(api: Api, clock: Clock) -> Feeds:
    return add_feeds(api.agg, clock, api.user.id)


def get(api: Api, path: str, **params: Any) -> Any:
    response = api.client.get(path, params=params, headers=api.headers)
    assert response.status_code == 200, response.text
    return response.json()


def ids(api: Api, path: str = "/v1/entries", **params: Any) -> list[int]:
    return [e["id"] for e in get(api, path, **params)["entries"]]


def refused(api: Api, path: str, code: int = 400, **params: Any) -> str:
    response = api.client.get(path, params=params, headers=api.headers)
    assert response.status_code == code, response.text
    message: str = response.json()["error_message"]
    return message


def test_an_entry_is_miniflux_s_shape(api: Api, feeds: Feeds) -> None:
    page = get(api, "/v1/entries", order="id", direction="asc", limit=1)
    assert page["total"] == 12
    entry = page["entries"][0]
    assert set(entry) == ENTRY_KEYS
    assert entry["user_id"] == api.user.id and entry["feed_id"] == feeds.work
    assert (entry["title"], entry["url"], entry["status"], entry["starred"]) == (
        "Ferry timetable", "https://news.example/0", "unread", False
    )  # fmt: skip
    for name in ("published_at", "created_at", "changed_at"):
        assert DATE.match(entry[name]), entry[name]
    assert entry["created_at"] == entry["changed_at"]  # nothing marked yet
    assert entry["tags"] == ["ferries", "harbour"]
    assert entry["enclosures"] == [
        {
            "id": entry["id"] * 100 + 1,
            "user_id": api.user.id,
            "entry_id": entry["id"],
            "url": "https://news.example/0.mp3",
            "mime_type": "audio/mpeg",
            "size": 1234,
            "media_progression": 0,
        }
    ]
    assert re.fullmatch(r"[0-9a-f]{64}", entry["hash"])
    feed = entry["feed"]
    assert (feed["id"], feed["title"], feed["feed_url"]) == (
        feeds.work, "Alpha", "https://a.example/f"
    )  # fmt: skip
    assert feed["category"]["title"] == "Work" and isinstance(feed["category"]["id"], int)
    stored = api.agg.entry(api.user.id, entry["id"])
    assert entry["published_at"] == stored.item.sort_date.strftime("%Y-%m-%dT%H:%M:%SZ")
    # reading time: Miniflux's 265 words a minute, rounded up
    longest = get(api, "/v1/entries", order="id", direction="desc", limit=1)["entries"][0]
    assert longest["reading_time"] == -(-(11 * 100 + 2) // 265)


def test_a_feed_without_folder_is_uncategorized(api: Api, feeds: Feeds) -> None:
    entry = get(api, f"/v1/feeds/{feeds.loose}/entries", limit=1)["entries"][0]
    category = entry["feed"]["category"]
    assert category["title"] == "Uncategorized" and category["id"] >= 1
    listed = api.client.get(f"/v1/categories/{category['id']}/entries", headers=api.headers)
    assert {e["feed_id"] for e in listed.json()["entries"]} == {feeds.loose}


def test_status_is_repeatable_and_removed_matches_nothing(api: Api, feeds: Feeds) -> None:
    first_three = ids(api, order="id", direction="asc", limit=3)
    api.agg.set_read(api.user.id, first_three)
    assert sorted(ids(api, status="read")) == first_three
    assert len(ids(api, status="unread")) == 9
    both = api.client.get(
        "/v1/entries?status=read&status=unread&limit=50", headers=api.headers
    ).json()
    assert both["total"] == 12
    assert get(api, "/v1/entries", status="removed")["total"] == 0
    assert "status" in refused(api, "/v1/entries", status="gone")


def test_limit_offset_and_total(api: Api, feeds: Feeds) -> None:
    everything = ids(api, order="id", limit=0)  # 0: the most
    assert len(everything) == 12
    page = get(api, "/v1/entries", order="id", limit=5, offset=5)
    assert page["total"] == 12 and [e["id"] for e in page["entries"]] == everything[5:10]
    assert get(api, "/v1/entries", offset=100)["entries"] == []
    assert "limit" in refused(api, "/v1/entries", limit="-1")
    assert "offset" in refused(api, "/v1/entries", offset="x")


def test_the_default_limit_is_100_and_order_published_at_ascending(api: Api, clock: Clock) -> None:
    from tests.web.helpers import add_items
    from tidings.types import ParsedItem

    base = clock.now - timedelta(days=200)
    many = [ParsedItem(guid=f"m{n}", title=f"M{n}", published=base + timedelta(hours=n))
            for n in range(130)]  # fmt: skip
    fid = add_items(api.agg, clock.now, *reversed(many), url="https://m.example/f")
    api.agg.store.add_subscription(api.user.id, fid, now=clock.now)
    page = get(api, "/v1/entries")
    assert page["total"] == 130 and len(page["entries"]) == 100
    dates = [e["published_at"] for e in page["entries"]]
    assert dates == sorted(dates) and page["entries"][0]["title"] == "M0"


@pytest.mark.parametrize(
    ("order", "key"),
    [
        ("id", lambda e: e["id"]),
        ("published_at", lambda e: e["published_at"]),
        ("created_at", lambda e: e["created_at"]),
        ("changed_at", lambda e: e["changed_at"]),
        ("status", lambda e: e["status"]),
        ("title", lambda e: e["title"]),
        ("author", lambda e: e["author"]),
        ("category_title", lambda e: e["feed"]["category"]["title"].replace("Uncategorized", "")),
        ("category_id", lambda e: e["feed"]["category"]["id"]),
    ],
)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_every_order_both_ways_with_the_id_breaking_ties(
    api: Api, feeds: Feeds, clock: Clock, order: str, key: Any, direction: str
) -> None:
    some = ids(api, order="id", limit=4)
    api.agg.set_read(api.user.id, some[:2])
    clock.now += timedelta(minutes=5)
    api.agg.set_starred(api.user.id, some[1:3])
    entries = get(api, "/v1/entries", order=order, direction=direction, limit=0)["entries"]
    assert len(entries) == 12
    desc = direction == "desc"
    expected = sorted(entries, key=lambda e: (key(e), e["id"]), reverse=desc)
    assert [e["id"] for e in entries] == [e["id"] for e in expected]
    assert "order" in refused(api, "/v1/entries", order="random")
    assert "direction" in refused(api, "/v1/entries", direction="sideways")


def test_published_before_and_after_in_unix_seconds(api: Api, feeds: Feeds) -> None:
    entries = get(api, "/v1/entries", order="published_at", limit=0)["entries"]
    from datetime import datetime

    def unix(e: dict[str, Any]) -> int:
        return int(datetime.fromisoformat(e["published_at"]).timestamp())

    middle = unix(entries[5])
    later = [e["id"] for e in entries if unix(e) > middle]
    earlier = [e["id"] for e in entries if unix(e) < middle]
    assert ids(api, order="published_at", published_after=middle, limit=0) == later
    assert ids(api, order="published_at", after=middle, limit=0) == later
    assert ids(api, order="published_at", published_before=middle, limit=0) == earlier
    assert ids(api, order="published_at", before=middle, limit=0) == earlier
    assert ids(api, published_after=middle, published_before=unix(entries[8])) == [
        e["id"] for e in entries[6:8]
    ]
    assert "published_after" in refused(api, "/v1/entries", published_after="soon")


def test_changed_before_and_after_are_the_state_changes(
    api: Api, feeds: Feeds, clock: Clock
) -> None:
    mark_time = clock.now + timedelta(hours=2)
    clock.now = mark_time
    ten = ids(api, order="id", limit=10)
    # above unread items of their feed: rows with a read time (marking a feed's oldest unread
    # items read moves its watermark instead, which has no time: /v1/changes sees those)
    api.agg.set_read(api.user.id, ten[2:4])
    api.agg.set_starred(api.user.id, ten[8:9])
    seconds = int(mark_time.timestamp())
    assert sorted(ids(api, changed_after=seconds - 1)) == ten[2:4] + ten[8:9]
    assert ids(api, changed_after=seconds) == []
    assert len(ids(api, changed_before=seconds, limit=0)) == 9
    changed = get(api, f"/v1/entries/{ten[2]}")["changed_at"]
    assert changed == mark_time.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_entry_id_bounds(api: Api, feeds: Feeds) -> None:
    everything = ids(api, order="id", limit=0)
    assert ids(api, order="id", after_entry_id=everything[3], limit=0) == everything[4:]
    assert ids(api, order="id", before_entry_id=everything[3], limit=0) == everything[:3]
    between = ids(api, order="id", after_entry_id=everything[2], before_entry_id=everything[6])
    assert between == everything[3:6]


def test_starred_true_and_false(api: Api, feeds: Feeds) -> None:
    two = ids(api, order="id", limit=2)
    api.agg.set_starred(api.user.id, two)
    assert ids(api, order="id", starred="true") == two
    assert ids(api, order="id", starred="1") == two
    assert len(ids(api, starred="false", limit=0)) == 10
    assert two[0] not in ids(api, starred="false", limit=0)
    assert "starred" in refused(api, "/v1/entries", starred="maybe")


def test_a_starred_entry_of_a_feed_no_longer_followed(api: Api, feeds: Feeds) -> None:
    one = ids(api, path=f"/v1/feeds/{feeds.loose}/entries", order="id", limit=1)
    api.agg.set_starred(api.user.id, one)
    api.agg.unsubscribe(api.user.id, feeds.loose)
    entries = get(api, "/v1/entries", starred="true")["entries"]
    assert [e["id"] for e in entries] == one
    assert entries[0]["feed"]["id"] == feeds.loose
    assert entries[0]["feed"]["category"]["title"] == "Uncategorized"
    assert one[0] not in ids(api, limit=0)  # not among the followed feeds' entries


def test_search_in_titles_and_text(api: Api, feeds: Feeds) -> None:
    found = get(api, "/v1/entries", search="story 07")["entries"]
    assert [e["title"] for e in found] == ["Story 07"]
    assert [e["title"] for e in get(api, "/v1/entries", search="harbour 3")["entries"]] == [
        "Story 03"
    ]
    assert get(api, "/v1/entries", search="100%_")["total"] == 0  # wildcards are literal


def test_feed_and_category_scopes(api: Api, feeds: Feeds) -> None:
    work = ids(api, f"/v1/feeds/{feeds.work}/entries", limit=0)
    assert len(work) == 6 and ids(api, feed_id=feeds.work, limit=0) == work
    folders = {f.name: f.id for f in api.agg.sync_folders(api.user.id)}
    in_work = ids(api, f"/v1/categories/{folders['Work']}/entries", limit=0)
    assert in_work == work and ids(api, category_id=folders["Work"], limit=0) == work
    assert len(ids(api, category_id=folders["Play"])) == 2  # hidden feeds are listed
    assert ids(api, f"/v1/categories/{folders['Play']}/entries", feed_id=feeds.work) == []
    assert refused(api, "/v1/entries", feed_id=999) == "invalid feed ID"
    assert refused(api, "/v1/entries", category_id=999) == "invalid category ID"
    # in the path, a feed or category the person does not have is not found
    assert refused(api, "/v1/feeds/999/entries", 404) == "invalid feed ID"
    assert refused(api, "/v1/categories/999/entries", 404) == "invalid category ID"
    assert refused(api, f"/v1/feeds/{2**63 + 5}/entries") == "invalid feed ID"  # not an id


def test_globally_visible_leaves_out_hidden_feeds(api: Api, feeds: Feeds) -> None:
    assert get(api, "/v1/entries")["total"] == 12  # apps hide nothing unless asked
    visible = get(api, "/v1/entries", globally_visible="true", limit=0)["entries"]
    assert len(visible) == 10 and feeds.hidden not in {e["feed_id"] for e in visible}


def test_entry_ids_newest_first_with_the_same_filters(api: Api, feeds: Feeds) -> None:
    everything = ids(api, order="id", limit=0)
    answer = get(api, "/v1/entries/ids")
    assert answer == {"total": 12, "entry_ids": everything[::-1]}
    api.agg.set_read(api.user.id, everything[:4])
    unread = get(api, "/v1/entries/ids", status="unread", limit=3)
    assert unread == {"total": 8, "entry_ids": everything[::-1][:3]}
    assert get(api, "/v1/entries/ids", feed_id=feeds.hidden)["total"] == 2
    after = get(api, "/v1/entries/ids", after_entry_id=everything[9], direction="asc")
    assert after["entry_ids"] == everything[10:]
    assert "status" in refused(api, "/v1/entries/ids", status="new")


def test_one_entry_alone_in_its_feed_and_in_its_category(api: Api, feeds: Feeds) -> None:
    first = ids(api, f"/v1/feeds/{feeds.work}/entries", order="id", limit=1)[0]
    folders = {f.name: f.id for f in api.agg.sync_folders(api.user.id)}
    assert get(api, f"/v1/entries/{first}")["id"] == first
    assert get(api, f"/v1/feeds/{feeds.work}/entries/{first}")["id"] == first
    assert get(api, f"/v1/categories/{folders['Work']}/entries/{first}")["id"] == first
    for path in (
        f"/v1/feeds/{feeds.loose}/entries/{first}",
        f"/v1/categories/{folders['Play']}/entries/{first}",
        f"/v1/categories/99/entries/{first}",
        "/v1/entries/99999",
        f"/v1/entries/{2**64}",
    ):
        response = api.client.get(path, headers=api.headers)
        assert response.status_code == 404, path
        assert response.json()["error_message"]


def test_another_person_sees_none_of_it(api: Api, feeds: Feeds) -> None:
    from tests.web.v1.conftest import api_user

    _bob, key = api_user(api.agg, "bob")
    theirs = {"X-Auth-Token": key}
    assert api.client.get("/v1/entries", headers=theirs).json() == {"total": 0, "entries": []}
    first = ids(api, order="id", limit=1)[0]
    assert api.client.get(f"/v1/entries/{first}", headers=theirs).status_code == 404
    assert api.client.get("/v1/entries").status_code == 401
