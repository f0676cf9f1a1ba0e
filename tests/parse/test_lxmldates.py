"""lxmldates.py: the lxml path gets feedparser's reading of odd dates without its internals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from feedparser.datetimes import _parse_date

from tidings.parse.dates import parse_date
from tidings.parse.lxmldates import FeedparserDates, feedparser_dates

# dates in formats feedparser's date handlers know; ours reads some of them strictly too
ODD_DATES = [
    "Τετ, 26 Ιούλ 2006 09:23:00 EEST",
    "2004년 05월 28일  01:31:15 PM",
    "2004-07-08 23:56:58.0",
    "Fri, 2006/09/15 08:19:53 EDT",
    "Sun Jan  4 16:29:06 PST 2004",
    "Seg, 24 Set 2018 19:42:40 -0300",
    "2017-06-13T03:18:00+00:0",
    "22.11.2022 12:16:00",
    "Mon, 06 Sep 2004 21:00 GMT & <b>",
    "not a date at all",
]


def test_feedparser_dates_equal_feedparser_internal_reading() -> None:
    found = feedparser_dates(ODD_DATES)
    assert found == {raw: _parse_date(raw) for raw in ODD_DATES}
    assert found["not a date at all"] is None


@pytest.mark.parametrize("raw", ODD_DATES)
def test_one_date_alone_reads_the_same(raw: str) -> None:
    assert feedparser_dates([raw]) == {raw: _parse_date(raw)}


def test_one_document_serves_every_odd_date_of_a_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    import tidings.parse.lxmldates as lxmldates

    calls: list[list[str]] = []
    real = lxmldates._entries

    def counting(raws: list[str]) -> list[Mapping[str, Any]]:
        calls.append(raws)
        return real(raws)

    monkeypatch.setattr(lxmldates, "_entries", counting)
    entries = [{"published": raw, "updated": "2024-01-02T03:04:05Z"} for raw in ODD_DATES]
    unread = [raw for raw in ODD_DATES if parse_date(raw, loose=False) is None]
    dates = FeedparserDates(entries)
    for entry in entries:
        if entry["published"] in unread:  # the mapping asks only about these
            assert dates(entry, "published") == _parse_date(entry["published"])
    assert calls == [unread]  # one document, without the dates ours reads
    assert len(unread) > 3
    assert dates({"published": ""}, "published") is None
    assert dates({}, "updated") is None
