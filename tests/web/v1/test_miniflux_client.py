"""Miniflux's own Python client library (PyPI ``miniflux``) against a real ``tidings serve``: an
API key and Basic with the API password, entries listed and filtered, marked read, starred,
2,000 entries paged through by cursor and by offset, and its errors for what is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.shared import in_ci
from tests.web.v1.served import API_PASSWORD, Served, served

try:
    import miniflux  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - the dev extra brings it
    miniflux = None

MISSING = "the miniflux client library is not installed (pip install -e '.[dev]')"
if miniflux is None and in_ci():
    raise RuntimeError(f"the Miniflux client tests must run under CI, but {MISSING}")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(miniflux is None, reason=MISSING),
]
BIG = 2000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    with served(tmp_path_factory.mktemp("miniflux")) as site:
        key = site.reader(
            "ada",
            {"/ferries.xml": ("Ferries", 5, "Work"), "/big.xml": ("Big news", BIG, None)},
        )
        yield site, key


@pytest.fixture
def client(site: tuple[Served, str]) -> Any:
    served_site, key = site
    return miniflux.Client(served_site.base, api_key=key, timeout=30)


def feed_ids(client: Any) -> dict[str, int]:
    """The feeds' ids by title, from their entries (the first followed has the first ids)."""
    oldest = client.get_entries(order="id", limit=1)["entries"]
    newest = client.get_entries(order="id", direction="desc", limit=1)["entries"]
    return {e["feed"]["title"]: e["feed_id"] for e in oldest + newest}


def test_an_api_key_and_basic_with_the_api_password(site: tuple[Served, str]) -> None:
    served_site, key = site
    by_key = miniflux.Client(served_site.base, api_key=key).get_entries(limit=1)
    by_basic = miniflux.Client(served_site.base, username="ada", password=API_PASSWORD)
    assert by_basic.get_entries(limit=1) == by_key
    assert by_key["total"] == BIG + 5
    with pytest.raises(miniflux.AccessUnauthorized):
        miniflux.Client(
            served_site.base, username="ada", password="sign-in password 1"
        ).get_entries()
    with pytest.raises(miniflux.AccessUnauthorized):
        miniflux.Client(served_site.base, api_key="not a key").get_entries()


def test_entries_of_a_feed_and_a_category(client: Any) -> None:
    ferries = client.get_feed_entries(feed_ids(client)["Ferries"], order="published_at",
                                      direction="desc")  # fmt: skip
    assert ferries["total"] == 5
    titles = [e["title"] for e in ferries["entries"]]
    assert titles == [f"Ferries {n}" for n in range(5)]
    category = ferries["entries"][0]["feed"]["category"]
    assert category["title"] == "Work"
    in_work = client.get_category_entries(category["id"])
    assert {e["id"] for e in in_work["entries"]} == {e["id"] for e in ferries["entries"]}
    one = ferries["entries"][0]
    assert client.get_entry(one["id"]) == one
    assert client.get_feed_entry(one["feed_id"], one["id"]) == one
    assert client.get_category_entry(category["id"], one["id"]) == one


def test_mark_read_and_unread(client: Any) -> None:
    ferries = feed_ids(client)["Ferries"]
    ids = [e["id"] for e in client.get_feed_entries(ferries, order="id")["entries"]]
    assert client.update_entries(ids[:3], status="read") is True
    read = client.get_feed_entries(ferries, status="read", order="id")
    assert [e["id"] for e in read["entries"]] == ids[:3]
    assert client.get_entry(ids[0])["status"] == "read"
    client.update_entries(ids[:3], status="unread")
    assert client.get_feed_entries(ferries, status="unread")["total"] == 5
    with pytest.raises(miniflux.BadRequest):
        client.update_entries(ids[:1], status="gone")


def test_star_toggles(client: Any) -> None:
    first = client.get_entries(order="id", limit=1)["entries"][0]["id"]
    assert client.toggle_bookmark(first) is True
    assert client.get_entry(first)["starred"] is True
    assert [e["id"] for e in client.get_entries(starred=True)["entries"]] == [first]
    client.toggle_bookmark(first)
    assert client.get_entries(starred=True)["total"] == 0
    with pytest.raises(miniflux.ResourceNotFound):
        client.toggle_bookmark(10**9)


def test_edit_refused_and_the_stored_content(client: Any) -> None:
    first = client.get_entries(order="id", limit=1)["entries"][0]
    with pytest.raises(miniflux.AccessForbidden):
        client.update_entry(first["id"], title="Mine")
    assert client.fetch_entry_content(first["id"])["content"] == first["content"]
    with pytest.raises(miniflux.ResourceNotFound):
        client.get_entry(10**9)


def test_two_thousand_entries_paged_by_cursor_and_by_offset(client: Any) -> None:
    big = feed_ids(client)["Big news"]
    by_cursor: list[int] = []
    cursor = 0
    for _ in range(BIG // 250 + 2):  # bounded: one more page than needed, and the empty one
        page = client.get_feed_entries(big, order="id", direction="asc", limit=250,
                                       after_entry_id=cursor)  # fmt: skip
        if not page["entries"]:
            break
        assert page["total"] == BIG - len(by_cursor)
        by_cursor += [e["id"] for e in page["entries"]]
        cursor = by_cursor[-1]
    assert len(by_cursor) == len(set(by_cursor)) == BIG and by_cursor == sorted(by_cursor)
    by_offset: list[int] = []
    for page_number in range(BIG // 500 + 1):
        page = client.get_feed_entries(big, order="id", limit=500, offset=500 * page_number)
        by_offset += [e["id"] for e in page["entries"]]
    assert by_offset == by_cursor
    ids = client._session.get(f"{client._base_url}/v1/entries/ids", params={"feed_id": big})
    assert ids.json() == {"total": BIG, "entry_ids": by_cursor[::-1]}
