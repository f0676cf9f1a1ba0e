"""Changing entries through /v1: read and unread, starred, the star toggles, an edit refused,
the stored content, the changes since a seq, and cursor paging that changes between pages
cannot disturb."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Clock
from tests.web.helpers import add_items
from tests.web.v1.conftest import Api
from tests.web.v1.entry_data import Feeds, add_feeds
from tidings.types import ParsedItem


@pytest.fixture
def feeds(api: Api, clock: Clock) -> Feeds:
    return add_feeds(api.agg, clock, api.user.id)


def get(api: Api, path: str, **params: Any) -> Any:
    response = api.client.get(path, params=params, headers=api.headers)
    assert response.status_code == 200, response.text
    return response.json()


def all_ids(api: Api) -> list[int]:
    return [e["id"] for e in get(api, "/v1/entries", order="id", limit=0)["entries"]]


def put(api: Api, path: str, body: Any = None) -> Any:
    return api.client.put(path, json=body, headers=api.headers)


def test_put_entries_marks_read_unread_and_starred(api: Api, feeds: Feeds) -> None:
    ids = all_ids(api)
    response = put(api, "/v1/entries", {"entry_ids": ids[:3], "status": "read"})
    assert response.status_code == 204 and response.content == b""
    assert get(api, "/v1/entries", status="read")["total"] == 3
    assert put(api, "/v1/entries", {"entry_ids": ids[1:2], "status": "unread"}).status_code == 204
    read = get(api, "/v1/entries/ids", status="read")["entry_ids"]
    assert sorted(read) == [ids[0], ids[2]]
    both = {"entry_ids": ids[5:7], "status": "read", "starred": True}
    assert put(api, "/v1/entries", both).status_code == 204
    starred = get(api, "/v1/entries", starred="true", order="id")["entries"]
    assert [(e["id"], e["status"]) for e in starred] == [(ids[5], "read"), (ids[6], "read")]
    assert put(api, "/v1/entries", {"entry_ids": ids[5:6], "starred": False}).status_code == 204
    assert get(api, "/v1/entries/ids", starred="true")["entry_ids"] == [ids[6]]
    # another person's ids, or none at all, change nothing of theirs and are no error
    assert put(api, "/v1/entries", {"entry_ids": [99999], "status": "read"}).status_code == 204


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"entry_ids": [], "status": "read"}, "cannot be empty"),
        ({"status": "read"}, "entry_ids is required"),
        ({"entry_ids": [1]}, "either the status or the starred"),
        ({"entry_ids": [1], "status": "removed"}, "invalid entry status"),
        ({"entry_ids": [True], "status": "read"}, "entry_ids"),
        ({"entry_ids": ["1"], "status": "read"}, "entry_ids"),
        ({"entry_ids": [0], "status": "read"}, "entry_ids"),
        ({"entry_ids": [2**64], "status": "read"}, "entry_ids"),
        ({"entry_ids": [1], "starred": "yes"}, "starred"),
        ({"entry_ids": "1,2", "status": "read"}, "entry_ids"),
        ([1, 2], "JSON object"),
    ],
)
def test_put_entries_refuses_what_it_cannot_mean(
    api: Api, feeds: Feeds, body: Any, words: str
) -> None:
    response = put(api, "/v1/entries", body)
    assert response.status_code == 400
    assert words in response.json()["error_message"]


def test_a_body_that_is_not_json_is_a_400(api: Api) -> None:
    response = api.client.put("/v1/entries", content=b"{nope", headers=api.headers)
    assert response.status_code == 400 and "not JSON" in response.json()["error_message"]


@pytest.mark.parametrize("toggle", ["bookmark", "star"])
def test_the_star_toggles(api: Api, feeds: Feeds, toggle: str) -> None:
    first = all_ids(api)[0]
    assert put(api, f"/v1/entries/{first}/{toggle}").status_code == 204
    assert get(api, f"/v1/entries/{first}")["starred"] is True
    assert put(api, f"/v1/entries/{first}/{toggle}").status_code == 204
    assert get(api, f"/v1/entries/{first}")["starred"] is False
    missing = put(api, f"/v1/entries/99999/{toggle}")
    assert missing.status_code == 404 and missing.json()["error_message"]


def test_editing_an_entry_is_refused_politely(api: Api, feeds: Feeds) -> None:
    first = all_ids(api)[0]
    before = get(api, f"/v1/entries/{first}")
    response = put(api, f"/v1/entries/{first}", {"title": "Mine now"})
    assert response.status_code == 403
    assert "shared" in response.json()["error_message"]
    assert get(api, f"/v1/entries/{first}") == before
    empty = put(api, f"/v1/entries/{first}", {})
    assert empty.status_code == 201 and empty.json() == before  # nothing asked, nothing done
    assert put(api, f"/v1/entries/{first}", {"title": ""}).status_code == 400
    assert put(api, f"/v1/entries/{first}", {"content": 5}).status_code == 400
    assert put(api, "/v1/entries/99999", {"title": "x"}).status_code == 404


def test_fetch_content_answers_the_stored_content(api: Api, feeds: Feeds) -> None:
    first = all_ids(api)[3]
    entry = get(api, f"/v1/entries/{first}")
    content = get(api, f"/v1/entries/{first}/fetch-content", update_content="true")
    assert content == {"content": entry["content"], "reading_time": entry["reading_time"]}
    assert api.client.get("/v1/entries/99999/fetch-content", headers=api.headers).status_code == 404


def test_changes_since_a_seq(api: Api, feeds: Feeds, clock: Clock) -> None:
    ids = all_ids(api)
    start = get(api, "/v1/changes")
    assert start == {"since": 0, "seq": 0, "entries": [], "read_up_to": []}
    clock.now += timedelta(minutes=1)
    put(api, "/v1/entries", {"entry_ids": [ids[2]], "status": "read"})
    put(api, f"/v1/entries/{ids[4]}/bookmark")
    first = get(api, "/v1/changes", since=0)
    assert first["seq"] == 2
    states = {e["id"]: (e["status"], e["starred"]) for e in first["entries"]}
    assert states == {ids[2]: ("read", False), ids[4]: ("unread", True)}
    assert all(
        e["changed_at"] == clock.now.strftime("%Y-%m-%dT%H:%M:%SZ") for e in first["entries"]
    )
    # the oldest unread entries of a feed marked read move its watermark
    put(api, "/v1/entries", {"entry_ids": ids[:2], "status": "read"})
    second = get(api, "/v1/changes", since=first["seq"])
    assert second["seq"] == 3 and second["since"] == 2
    assert second["read_up_to"] == [{"feed_id": feeds.work, "read_up_to": ids[1]}]
    assert get(api, "/v1/changes", since=3) == {
        "since": 3, "seq": 3, "entries": [], "read_up_to": []
    }  # fmt: skip
    response = api.client.get("/v1/changes?since=-1", headers=api.headers)
    assert response.status_code == 400 and "since" in response.json()["error_message"]


def add_later(api: Api, clock: Clock, n: int, start: int) -> list[int]:
    """``n`` new items in a new feed the person follows (arriving between two pages)."""
    clock.now += timedelta(minutes=1)
    fresh = [ParsedItem(guid=f"late{start + k}", title=f"Late {start + k}") for k in range(n)]
    fid = add_items(api.agg, clock.now, *fresh, url=f"https://late{start}.example/f")
    api.agg.store.add_subscription(api.user.id, fid, now=clock.now)
    return sorted(api.agg.store.item_ids(api.user.id, _only_feed(fid)))


def _only_feed(fid: int) -> Any:
    from tidings.synctypes import IdQuery

    return IdQuery(feed_ids=(fid,), newest_first=False)


def test_cursor_paging_of_unread_entries_neither_skips_nor_repeats_under_drift(
    api: Api, feeds: Feeds, clock: Clock
) -> None:
    """Between pages, entries arrive and entries already seen are marked read (as an app does
    while it syncs): after_entry_id paging ends with every unread entry exactly once, where
    offset paging would skip as many as were marked read."""
    seen: list[int] = []
    cursor, pages = 0, 0
    arrived: list[int] = []
    while pages < 20:
        page = get(api, "/v1/entries", status="unread", order="id", direction="asc", limit=4,
                   after_entry_id=cursor)["entries"]  # fmt: skip
        if not page:
            break
        pages += 1
        got = [e["id"] for e in page]
        seen += got
        cursor = got[-1]
        put(api, "/v1/entries", {"entry_ids": got, "status": "read"})
        if pages <= 2:
            arrived += add_later(api, clock, 3, pages * 10)
    assert len(seen) == len(set(seen)) == 12 + 6
    assert sorted(seen) == seen and set(arrived) <= set(seen)
    assert get(api, "/v1/entries", status="unread")["total"] == 0


def test_offset_paging_under_the_same_drift_skips_entries(api: Api, feeds: Feeds) -> None:
    """Why the cursor matters: the same marking between offset pages skips entries."""
    seen: list[int] = []
    for page_number in range(10):
        page = get(api, "/v1/entries", status="unread", order="id", limit=4,
                   offset=4 * page_number)["entries"]  # fmt: skip
        if not page:
            break
        seen += [e["id"] for e in page]
        put(api, "/v1/entries", {"entry_ids": [e["id"] for e in page], "status": "read"})
    assert len(seen) < 12


def test_id_paging_newest_first_with_before_entry_id(api: Api, feeds: Feeds) -> None:
    seen: list[int] = []
    cursor = 0
    for _ in range(10):
        params: dict[str, Any] = {"order": "id", "direction": "desc", "limit": 5}
        if cursor:
            params["before_entry_id"] = cursor
        page = [e["id"] for e in get(api, "/v1/entries", **params)["entries"]]
        if not page:
            break
        seen += page
        cursor = page[-1]
    assert seen == sorted(all_ids(api), reverse=True)
