"""Categories are a person's folders with stable ids: Uncategorized is the feeds without one;
create, rename (the feeds move), delete (the feeds stay), list their feeds, mark them read."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Clock
from tests.web.helpers import add_items
from tests.web.v1.conftest import Api, api_user, backend_settings
from tidings.config import Settings
from tidings.types import ParsedItem


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test here runs on a SQLite file and on the real PostgreSQL."""
    return backend_settings(request, tmp_path)


def follow(api: Api, clock: Clock, url: str, folder: str | None, n: int = 2) -> int:
    """A feed of ``n`` items, followed by the reader in ``folder``; its id."""
    items = [ParsedItem(guid=f"{url}#{i}", title=f"Item {i}") for i in range(n)]
    fid = add_items(api.agg, clock.now, *items, url=url, title=url.rsplit("/", 1)[1])
    api.agg.store.add_subscription(api.user.id, fid, now=clock.now, folder=folder)
    return fid


def categories(api: Api, counts: bool = False) -> list[dict[str, Any]]:
    query = "?counts=true" if counts else ""
    response = api.client.get("/v1/categories" + query, headers=api.headers)
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.json()
    return found


def by_title(api: Api) -> dict[str, dict[str, Any]]:
    return {c["title"]: c for c in categories(api, counts=True)}


def test_every_feed_is_in_one_category_and_uncategorized_comes_first(
    api: Api, clock: Clock
) -> None:
    follow(api, clock, "https://a.example/work", "Work")
    follow(api, clock, "https://a.example/loose", None, n=3)
    listed = categories(api)
    assert [c["title"] for c in listed] == ["Uncategorized", "Work"]
    assert all(isinstance(c["id"], int) and c["id"] >= 1 for c in listed)
    assert listed[0] == {
        "id": listed[0]["id"],
        "title": "Uncategorized",
        "user_id": api.user.id,
        "hide_globally": False,
    }
    counted = by_title(api)
    assert (counted["Uncategorized"]["feed_count"], counted["Uncategorized"]["total_unread"]) == (
        1,
        3,
    )
    assert (counted["Work"]["feed_count"], counted["Work"]["total_unread"]) == (1, 2)


def test_a_person_with_no_feeds_has_uncategorized(api: Api) -> None:
    assert [c["title"] for c in categories(api)] == ["Uncategorized"]


def test_create_rename_delete(api: Api, clock: Clock) -> None:
    made = api.client.post("/v1/categories", json={"title": "News"}, headers=api.headers)
    assert made.status_code == 201
    news = made.json()
    assert news["title"] == "News"
    assert news["user_id"] == api.user.id
    fid = follow(api, clock, "https://a.example/n", "News")
    renamed = api.client.put(
        f"/v1/categories/{news['id']}", json={"title": "Papers"}, headers=api.headers
    )
    assert renamed.status_code == 201
    assert renamed.json() == {**news, "title": "Papers"}  # the id stays
    assert api.agg.subscription(api.user.id, fid).folder == "Papers"  # its feed moved too
    gone = api.client.delete(f"/v1/categories/{news['id']}", headers=api.headers)
    assert gone.status_code == 204
    assert [c["title"] for c in categories(api)] == ["Uncategorized"]
    assert api.agg.subscription(api.user.id, fid).folder is None  # still followed


def test_duplicates_and_bad_bodies_are_400s(api: Api) -> None:
    api.client.post("/v1/categories", json={"title": "News"}, headers=api.headers)
    cases: list[Any] = [
        {"title": "News"},
        {"title": "uncategorized"},
        {"title": ""},
        {"title": 3},
        {},
        ["News"],
    ]
    for body in cases:
        response = api.client.post("/v1/categories", json=body, headers=api.headers)
        assert response.status_code == 400, body
        assert response.json()["error_message"], body
    broken = api.client.post(
        "/v1/categories", content=b"{not json", headers={**api.headers, "Content-Type": "x"}
    )
    assert broken.status_code == 400
    assert "not JSON" in broken.json()["error_message"]


def test_uncategorized_cannot_be_renamed_or_deleted(api: Api) -> None:
    (uncategorized,) = categories(api)
    path = f"/v1/categories/{uncategorized['id']}"
    renamed = api.client.put(path, json={"title": "Misc"}, headers=api.headers)
    assert renamed.status_code == 400
    assert api.client.delete(path, headers=api.headers).status_code == 400
    assert categories(api) == [uncategorized]


def test_unknown_and_foreign_categories_are_404s(api: Api, clock: Clock) -> None:
    _other, other_key = api_user(api.agg, "bea")
    made = api.client.post(
        "/v1/categories", json={"title": "Hers"}, headers={"X-Auth-Token": other_key}
    )
    hers = made.json()["id"]
    for path in (
        f"/v1/categories/{hers}",
        "/v1/categories/999999",
        "/v1/categories/99999999999999999999",
    ):
        assert api.client.get(path, headers=api.headers).status_code == 404
        assert api.client.put(path, json={"title": "x"}, headers=api.headers).status_code == 404
        assert api.client.delete(path, headers=api.headers).status_code == 404
        assert api.client.get(path + "/feeds", headers=api.headers).status_code == 404
        marked = api.client.put(path + "/mark-all-as-read", headers=api.headers)
        assert marked.status_code == 404
        assert marked.json()["error_message"]
    assert [c["title"] for c in categories(api)] == ["Uncategorized"]


def test_a_category_lists_its_feeds(api: Api, clock: Clock) -> None:
    work = follow(api, clock, "https://a.example/work", "Work")
    loose = follow(api, clock, "https://a.example/loose", None)
    ids = by_title(api)
    for title, fid in (("Work", work), ("Uncategorized", loose)):
        response = api.client.get(f"/v1/categories/{ids[title]['id']}/feeds", headers=api.headers)
        assert response.status_code == 200
        (feed,) = response.json()
        assert feed["id"] == fid
        assert feed["category"]["id"] == ids[title]["id"]
        assert feed["category"]["title"] == title


def test_mark_a_category_read_leaves_the_others(api: Api, clock: Clock) -> None:
    work = follow(api, clock, "https://a.example/work", "Work", n=3)
    loose = follow(api, clock, "https://a.example/loose", None, n=2)
    clock.now += timedelta(minutes=1)
    ids = by_title(api)
    response = api.client.put(
        f"/v1/categories/{ids['Work']['id']}/mark-all-as-read", headers=api.headers
    )
    assert response.status_code == 204
    assert response.content == b""
    unread = api.agg.unread_counts(api.user.id).by_feed
    assert (unread.get(work, 0), unread.get(loose, 0)) == (0, 2)
    api.client.put(
        f"/v1/categories/{ids['Uncategorized']['id']}/mark-all-as-read", headers=api.headers
    )
    assert api.agg.unread_counts(api.user.id).by_feed.get(loose, 0) == 0


def test_hostile_bodies_are_400s(api: Api) -> None:
    """What a fuzzer sends: NUL, lone surrogates, huge numbers, deep nesting, bad UTF-8."""
    headers = {**api.headers, "Content-Type": "application/json"}
    bodies = [
        b'{"title": "a\\u0000b"}',
        b'{"title": "\\ud800"}',
        b'{"title": ' + b"9" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"title": "\xff"}',
    ]
    for body in bodies:
        response = api.client.post("/v1/categories", content=body, headers=headers)
        assert response.status_code == 400, body[:20]
        assert response.json()["error_message"]
    assert [c["title"] for c in categories(api)] == ["Uncategorized"]


def test_one_category_by_its_id(api: Api, clock: Clock) -> None:
    follow(api, clock, "https://a.example/work", "Work", n=3)
    work = by_title(api)["Work"]
    plain = api.client.get(f"/v1/categories/{work['id']}", headers=api.headers)
    assert plain.status_code == 200
    assert plain.json() == {k: work[k] for k in ("id", "title", "user_id", "hide_globally")}
    counted = api.client.get(f"/v1/categories/{work['id']}?counts=true", headers=api.headers)
    assert (counted.json()["feed_count"], counted.json()["total_unread"]) == (1, 3)
    assert api.client.get("/v1/categories/424242", headers=api.headers).status_code == 404
