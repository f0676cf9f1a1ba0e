"""A stream with its xt and it filters as an IdQuery: every stream takes every filter, and a
combination that can hold nothing is None."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tidings.synctypes import IdQuery
from tidings.web.greader.ids import Stream, parse_stream
from tidings.web.greader.params import Page
from tidings.web.greader.query import id_query, paged

URLS = {"https://nato.example/feed": 1, "https://harbour.example/feed": 2}
FOLDERS = {"World": (1,), "Science": (3,), "Empty": ()}


def query(s: str, *, xt: tuple[str, ...] = (), it: tuple[str, ...] = ()) -> IdQuery | None:
    def streams(values: tuple[str, ...]) -> tuple[Stream, ...]:
        found = tuple(parse_stream(v) for v in values)
        assert None not in found
        return found  # type: ignore[return-value]

    stream = parse_stream(s)
    assert stream is not None
    page = Page(exclude=streams(xt), include=streams(it))
    return id_query(stream, page, URLS.get, lambda name: FOLDERS.get(name, ()))


R = "user/-/state/com.google/"


@pytest.mark.parametrize(
    ("s", "xt", "it", "fields"),
    [
        (R + "reading-list", (), (), {"status": "all"}),
        (R + "reading-list", (R + "read",), (), {"status": "unread"}),
        (R + "reading-list", (), (R + "read",), {"status": "read"}),
        (R + "read", (), (), {"status": "read"}),
        (R + "kept-unread", (), (), {"status": "unread"}),
        (R + "starred", (), (), {"status": "starred", "starred": None}),
        (R + "starred", (R + "read",), (), {"status": "unread", "starred": True}),
        (R + "reading-list", (), (R + "starred",), {"status": "all", "starred": True}),
        (R + "reading-list", (R + "starred",), (), {"status": "all", "starred": False}),
        ("feed/1", (R + "read",), (), {"status": "unread", "feed_ids": (1,)}),
        ("feed/https://harbour.example/feed", (), (), {"feed_ids": (2,)}),
        ("user/-/label/World", (R + "read",), (), {"folder": "World", "status": "unread"}),
        (R + "reading-list", ("user/-/label/World",), (), {"exclude_folder": "World"}),
        (
            R + "reading-list",
            ("user/-/label/World", "user/-/label/Science", "feed/2"),
            (),
            {"exclude_folder": "World", "exclude_feed_ids": (2, 3)},
        ),
        (R + "reading-list", (), ("feed/1",), {"feed_ids": (1,)}),
        (R + "reading-list", (R + "broadcast", R + "tracking-body-link-used"), (), {}),
        (R + "starred", (), ("user/-/label/World",), {"status": "starred", "folder": "World"}),
    ],
)
def test_streams_and_filters(
    s: str, xt: tuple[str, ...], it: tuple[str, ...], fields: dict[str, object]
) -> None:
    found = query(s, xt=xt, it=it)
    assert found is not None
    for name, value in fields.items():
        assert getattr(found, name) == value, name


@pytest.mark.parametrize(
    ("s", "xt", "it"),
    [
        (R + "read", (R + "read",), ()),  # read and not read
        (R + "kept-unread", (), (R + "read",)),
        (R + "starred", (R + "starred",), ()),
        ("feed/https://unknown.example/", (), ()),  # not followed
        ("feed/1", (), ("feed/2",)),
        ("feed/1", ("feed/1",), ()),
        ("user/-/label/World", (), ("user/-/label/Science",)),
        ("user/-/label/World", ("user/-/label/World",), ()),
        (R + "reading-list", (R + "reading-list",), ()),
        (R + "broadcast", (), ()),  # a state tidings keeps nothing in
        (R + "reading-list", (), (R + "like",)),
    ],
)
def test_what_cannot_hold_anything_is_none(
    s: str, xt: tuple[str, ...], it: tuple[str, ...]
) -> None:
    assert query(s, xt=xt, it=it) is None


def test_the_time_bounds_and_order_pass_through_and_pages_bound_the_id() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    stream = Stream("state", "reading-list")
    page = Page(seen_after=when, seen_before=when, newest_first=False, continuation=40)
    found = id_query(stream, page, URLS.get, lambda name: ())
    assert found is not None
    assert (found.seen_after, found.seen_before, found.newest_first) == (when, when, False)
    assert (paged(found, page, 11).after_id, paged(found, page, 11).limit) == (40, 11)
    newest = Page(continuation=40)
    assert paged(found, newest, 5).before_id == 40
