"""Item and stream id spellings: the vectors of Google's ItemId page, Inoreader's and Miniflux's
parser tests, each client's form, and what is refused (skipped, never failing a batch)."""

from __future__ import annotations

import pytest

from tidings.web.greader.ids import (
    ITEM_PREFIX,
    Stream,
    item_ids,
    long_item_id,
    parse_item_id,
    parse_stream,
    short_item_id,
    stream_id,
)

U64 = 1 << 64


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12345", 12345),  # decimal (Read You, Liferea)
        (f"{ITEM_PREFIX}00000000148b9369", 344691561),  # long form (NetNewsWire)
        (f"{ITEM_PREFIX}2f2", 754),  # long form unpadded (older NetNewsWire)
        (f"{ITEM_PREFIX}272", 626),
        ("000000000000046f", 1135),  # bare 16 hex (Reeder, Fluent Reader, Read You today)
        ("5d0cfa30041d4348", 6705009029382226760),  # Inoreader's pairs
        ("024025978b5e50d2", 162170919393841362),
        ("fb115bd6d34a8e9f", -355401917359550817 % U64),
        ("-355401917359550817", -355401917359550817 % U64),  # signed decimal of the same
        ("6705009029382226760", 6705009029382226760),
        ("162170919393841362", 162170919393841362),
        (f"{ITEM_PREFIX.upper()}00000000000000FF", 255),
        ("  42 ", 42),
        ("0000000000000010", 16),  # 16 digits starting with 0: hex, as tidings writes them
        ("1000000000000010", 1000000000000010),  # 16 digits not starting with 0: decimal
        ("2f2", 754),  # bare hex with a letter cannot be decimal
    ],
)
def test_every_spelling_of_an_item_id_is_read(text: str, value: int) -> None:
    assert parse_item_id(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        f"{ITEM_PREFIX}",
        f"{ITEM_PREFIX}xyz",
        f"{ITEM_PREFIX}12345678901234567",
        "1.5",
        "18446744073709551616",
        "-9223372036854775809",
        "tag:google.com,2005:reader/feed/1",
    ],
)
def test_what_is_no_item_id_is_none(text: str) -> None:
    assert parse_item_id(text) is None


def test_ids_are_written_long_in_hex_and_short_in_signed_decimal() -> None:
    assert long_item_id(1135) == f"{ITEM_PREFIX}000000000000046f"
    assert long_item_id(6705009029382226760) == f"{ITEM_PREFIX}5d0cfa30041d4348"
    assert short_item_id(162170919393841362) == "162170919393841362"
    assert short_item_id(-355401917359550817 % U64) == "-355401917359550817"
    for value in (1, 2**31 + 7, 2**53 - 1, 2**63 - 1):
        assert parse_item_id(long_item_id(value)) == value
        assert parse_item_id(short_item_id(value)) == value
        assert parse_item_id(long_item_id(value)[len(ITEM_PREFIX) :]) == value


def test_a_batch_keeps_the_ids_the_store_may_hold_in_order_once_each() -> None:
    sent = [
        "3",
        "bogus",
        f"{ITEM_PREFIX}0000000000000001",
        "0000000000000003",
        "0",
        "-5",
        "fb115bd6d34a8e9f",
        "2",
    ]
    assert item_ids(sent) == [3, 1, 2]


@pytest.mark.parametrize(
    ("text", "stream"),
    [
        ("user/-/state/com.google/reading-list", Stream("state", "reading-list")),
        ("user/1/state/com.google/read", Stream("state", "read")),
        ("user/01234567890123456789/state/com.google/starred", Stream("state", "starred")),
        ("user/-/state/com.google/kept-unread", Stream("state", "kept-unread")),
        ("user/-/state/com.google/tracking-kept-unread", Stream("state", "tracking-kept-unread")),
        ("user/-/state/com.google/broadcast", Stream("state", "broadcast")),
        ("reading-list", Stream("state", "reading-list")),
        ("user/-/label/World", Stream("label", "World")),
        ("user/-/label/A/B & c", Stream("label", "A/B & c")),
        ("feed/42", Stream("feed", feed_id=42)),
        ("feed/https://e.org/f?x=1", Stream("feed", "https://e.org/f?x=1")),
        ("user%2F-%2Fstate%2Fcom.google%2Freading-list", Stream("state", "reading-list")),
        ("feed%2F42", Stream("feed", feed_id=42)),
        (" user/-/label/World ", Stream("label", "World")),
    ],
)
def test_every_spelling_of_a_stream_is_read(text: str, stream: Stream) -> None:
    assert parse_stream(text) == stream


@pytest.mark.parametrize(
    "text", ["", "feed/", "user/-/label/", "user/-/state/", "user/-/other/x", "splice/1|2", "x"]
)
def test_what_names_no_stream_is_none(text: str) -> None:
    assert parse_stream(text) is None


def test_streams_are_written_with_user_dash_and_feed_ids() -> None:
    assert stream_id(parse_stream("user/7/state/com.google/read") or Stream("x")) == (
        "user/-/state/com.google/read"
    )
    assert stream_id(Stream("label", "World")) == "user/-/label/World"
    assert stream_id(Stream("feed", feed_id=3)) == "feed/3"
    assert Stream("state", "starred").known_state and not Stream("state", "like").known_state
