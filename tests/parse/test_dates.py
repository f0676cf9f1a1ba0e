"""dates.py: every spelling a feed uses, in UTC; nothing unreadable raises."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tidings.parse.dates import from_struct_time, parse_date


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # RFC 822 / 2822 as RSS uses them
        ("Mon, 01 Jan 2024 10:00:00 GMT", utc(2024, 1, 1, 10)),
        ("Mon, 01 Jan 2024 10:00:00 +0200", utc(2024, 1, 1, 8)),
        ("Mon, 01 Jan 2024 10:00:00 -0530", utc(2024, 1, 1, 15, 30)),
        ("01 Jan 2024 10:00 EST", utc(2024, 1, 1, 15)),
        ("Sat, 07 Sep 2002 00:00:01 GMT", utc(2002, 9, 7, 0, 0, 1)),
        ("Thu, 01 Jan 1970 00:00:00 GMT", utc(1970, 1, 1)),
        # the usual breakages
        ("Mon, 01 Jan 24 10:00:00 GMT", utc(2024, 1, 1, 10)),  # two-digit year
        ("Mon,01 Jan 2024 10:00:00 +02:00", utc(2024, 1, 1, 8)),  # colon in the offset
        ("Monday, 1 January 2024 10:00:00 CEST", utc(2024, 1, 1, 8)),  # long names, CEST
        ("Tue, 5 Sept 2023 8:05:00 PST", utc(2023, 9, 5, 16, 5)),  # "Sept", one-digit hour
        ("Mon, 01 Jan 2024 10:00:00 GMT+2", utc(2024, 1, 1, 8)),
        ("Mon, 01 Jan 2024 10:00:00", utc(2024, 1, 1, 10)),  # no zone: UTC
        ("Mon, 01 Jan 2024 10:00:00 (PST)", utc(2024, 1, 1, 10)),  # a comment is not a zone
        ("5 January 2024 10:00 PM", utc(2024, 1, 5, 22)),
        ("Fri, 5 Jan 2024 12:30:00 am EST", utc(2024, 1, 5, 5, 30)),
        ("Sun, 31 Dec 2023 23:59:60 GMT", utc(2023, 12, 31, 23, 59, 59)),  # leap second
        # RFC 3339 / ISO 8601 / W3CDTF
        ("2024-01-05T10:00:00Z", utc(2024, 1, 5, 10)),
        ("2024-01-05T10:00:00.5+05:30", utc(2024, 1, 5, 4, 30, 0, 500000)),
        ("2024-01-05T10:00:00.123456789-08:00", utc(2024, 1, 5, 18, 0, 0, 123456)),
        ("2024-01-05t10:00:00z", utc(2024, 1, 5, 10)),
        ("2024-01-05 10:00:00 +0100", utc(2024, 1, 5, 9)),
        ("2024-01-05T10:00Z", utc(2024, 1, 5, 10)),
        ("2024-01-05", utc(2024, 1, 5)),
        ("2024-01", utc(2024, 1, 1)),
        ("2024", utc(2024, 1, 1)),
        ("20240105T100000Z", utc(2024, 1, 5, 10)),
        ("2024-01-05T24:00:00Z", utc(2024, 1, 6)),
        ("  2024-01-05T10:00:00Z  ", utc(2024, 1, 5, 10)),
        # odd but unambiguous
        ("2024/01/05 10:00", utc(2024, 1, 5, 10)),
        ("January 5, 2024", utc(2024, 1, 5)),
        ("22.11.2022 12:16:00", utc(2022, 11, 22, 12, 16)),
        ("Friday, January 29, 2021 04:42 PM", utc(2021, 1, 29, 16, 42)),
        ("Fri, 17 May 2019 22:34:00 BST", utc(2019, 5, 17, 21, 34)),
        # far future and epoch are kept as given (the update layer clamps for sorting)
        ("9999-12-31", utc(9999, 12, 31)),
        ("1970-01-01T00:00:00Z", utc(1970, 1, 1)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    result = parse_date(text)
    assert result == expected
    assert result is not None and result.utcoffset() is not None
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "-1",
        "yesterday",
        "0000-00-00T00:00:00Z",
        "Mon, 32 Foo 99999 25:61:61 +2500",
        "Wed, 02 Oct 2002 13:00:00 +2500",
        "2024-02-30T00:00:00Z",
        "2024-13-01",
        "9999-12-31T23:00:00-05:00",  # overflows past year 9999 in UTC
        "01/02/03",  # ambiguous: refuse rather than guess
        "Fri, 05/03/2019 - 15:21",
        "x" * 10_000,
    ],
)
def test_unreadable_dates_are_none(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("value", [None, 1_700_000_000, b"2024-01-01", ["2024-01-01"]])
def test_wrong_types_are_none(value: object) -> None:
    assert parse_date(value) is None


def test_struct_time_is_utc() -> None:
    parsed = time.strptime("2024-03-04 05:06:07", "%Y-%m-%d %H:%M:%S")
    assert from_struct_time(parsed) == utc(2024, 3, 4, 5, 6, 7)


def test_bad_struct_time_is_none() -> None:
    assert from_struct_time(time.struct_time((0, 0, 0, 0, 0, 0, 0, 0, 0))) is None
    assert from_struct_time("2024-01-01") is None
    assert from_struct_time(None) is None
