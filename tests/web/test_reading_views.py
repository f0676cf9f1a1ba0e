"""The reading page's views, pure: URLs, queries, cursors and where a change may lead."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.exceptions import HTTPException

from tidings.types import Entry, Item
from tidings.web.reading_views import (
    View,
    cursor_of,
    next_url,
    parse_cursor,
    parse_id,
    view_from_url,
    view_of,
)

WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def entry(item_id: int) -> Entry:
    item = Item(item_id, 3, "NATO News", None, "t", None, None, None, None, WHEN, WHEN, None, None)
    return Entry(item, 1, "NATO News", None, False, False, None, None)


def test_a_view_says_only_what_differs_from_the_defaults() -> None:
    assert View().url() == "/read"
    assert View("feed", feed_id=3, status="all").url() == "/read/feeds/3?status=all"
    assert View("folder", folder="A/B c").url() == "/read/folders/A%2FB%20c"
    assert View("starred", status="starred").url() == "/read/starred"
    assert View(order="received", search="harbour").url(after="5,5") == (
        "/read?order=received&q=harbour&after=5%2C5"
    )
    assert View("feed", feed_id=3).with_status("all") == "/read/feeds/3?status=all"


def test_the_model_query_of_a_view() -> None:
    query = View("folder", folder="News", status="all", order="received").query(limit=51)
    assert (query.status, query.folder, query.order, query.limit) == ("all", "News", "received", 51)
    assert View("starred").query().status == "starred"
    assert view_of("all", {"status": "starred"}).kind == "starred"


def test_a_list_url_round_trips() -> None:
    for view in (
        View(),
        View("feed", feed_id=7, order="received"),
        View("folder", folder="Ünïcode / news", status="all", search="a b"),
        View("starred", status="starred"),
    ):
        assert view_from_url(view.url()) == view
    assert view_from_url("https://evil.example/read") == View()
    assert view_from_url("/read/feeds/x") == View()
    assert view_from_url("/read?status=bogus") == View()


@pytest.mark.parametrize(
    "params",
    [{"status": "bogus"}, {"order": "up"}, {"q": "x" * 201}],
)
def test_bad_parameters_are_400(params: dict[str, str]) -> None:
    with pytest.raises(HTTPException) as caught:
        view_of("all", params)
    assert caught.value.status_code == 400


def test_cursors() -> None:
    assert cursor_of(entry(9), "received") == "9,9"
    assert parse_cursor("9,9", "received") == (9, 9)
    assert parse_cursor(cursor_of(entry(9), "published"), "published") == (WHEN, 9)
    assert parse_cursor(None, "published") is None
    for bad in ("x", "2026-11-28T12:00:00,9", "1,2", ",9"):
        with pytest.raises(HTTPException):
            parse_cursor(bad, "published")


def test_a_change_goes_back_only_under_read() -> None:
    assert next_url("/read/feeds/3?status=all") == "/read/feeds/3?status=all"
    assert (
        next_url("/read") == "/read" and next_url("/read?order=received") == "/read?order=received"
    )
    for target in (
        None,
        "",
        "/admin",
        "https://evil.example/read",
        "//evil.example",
        "/read\\x",
        "/readme",
        "/read/../admin",
        "/read/./x",
    ):
        assert next_url(target) == "/read"


def test_ids() -> None:
    assert parse_id("12") == 12
    for bad in ("", "0", "-1", "1.5", "١٢", None, "9" * 30):
        with pytest.raises(HTTPException):
            parse_id(bad)
