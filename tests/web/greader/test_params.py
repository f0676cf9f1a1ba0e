"""Paging and filter parameters: n, r, c, ot, nt, xt, it, s and times by magnitude."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.datastructures import ImmutableMultiDict

from tidings.web.greader.ids import Stream
from tidings.web.greader.params import DEFAULT_N, moment, page, stream_param
from tidings.web.greader.replies import ApiError

T = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
S = 1795867200  # T in seconds


def params(*pairs: tuple[str, str]) -> ImmutableMultiDict[str, str]:
    return ImmutableMultiDict(list(pairs))


def test_defaults() -> None:
    found = page(params(), 1000)
    assert (found.n, found.newest_first, found.continuation) == (DEFAULT_N, True, None)
    assert (found.seen_after, found.seen_before, found.exclude, found.include) == (
        None,
        None,
        (),
        (),
    )


def test_n_is_cut_to_the_cap_and_must_be_a_count() -> None:
    assert page(params(("n", "200000")), 10_000).n == 10_000
    assert page(params(("n", "7")), 10_000).n == 7
    assert page(params(("n", "")), 10_000).n == DEFAULT_N  # empty is absent
    for bad in ("0", "-1", "ten", "1e3", "9" * 13):
        with pytest.raises(ApiError) as raised:
            page(params(("n", bad)), 100)
        assert raised.value.status == 400 and "n must be" in raised.value.message


def test_r_o_is_oldest_first_anything_else_newest_first() -> None:
    assert not page(params(("r", "o")), 10).newest_first
    assert page(params(("r", "n")), 10).newest_first
    assert page(params(("r", "d")), 10).newest_first


def test_continuation_is_an_id_this_server_gave() -> None:
    assert page(params(("c", "12345")), 10).continuation == 12345
    assert page(params(("continuation", "9")), 10).continuation == 9
    for bad in ("abc", "-3", str(2**63)):
        with pytest.raises(ApiError):
            page(params(("c", bad)), 10)


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        (str(S), T, T + timedelta(seconds=1)),  # seconds
        (str(S * 1000 + 250), T + timedelta(milliseconds=250), T + timedelta(milliseconds=251)),
        (f"{S * 1000}999", T + timedelta(microseconds=999), T + timedelta(microseconds=1000)),
        (str(S * 1_000_000 + 7), T + timedelta(microseconds=7), T + timedelta(microseconds=8)),
        (str(S * 10**9 + 5000), T + timedelta(microseconds=5), T + timedelta(microseconds=6)),
        ("0", datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)),
    ],
)
def test_times_are_read_by_their_magnitude(value: str, start: datetime, end: datetime) -> None:
    assert moment(value, "ts") == start
    assert moment(value, "ts", end=True) == end


@pytest.mark.parametrize("bad", ["-1", "1.5", "soon", "1" * 21])
def test_a_time_that_is_none_is_a_400(bad: str) -> None:
    with pytest.raises(ApiError) as raised:
        moment(bad, "ts")
    assert raised.value.status == 400 and "ts" in raised.value.message


def test_ot_is_at_or_after_nt_at_or_before_that_second() -> None:
    found = page(params(("ot", str(S)), ("nt", str(S + 60))), 10)
    assert found.seen_after == T
    assert found.seen_before == T + timedelta(seconds=61)


def test_xt_and_it_repeat_and_a_bad_one_is_a_400() -> None:
    found = page(
        params(
            ("xt", "user/-/state/com.google/read"),
            ("xt", "user/-/label/World"),
            ("it", "user/-/state/com.google/starred"),
            ("xt", ""),
        ),
        10,
    )
    assert found.exclude == (Stream("state", "read"), Stream("label", "World"))
    assert found.include == (Stream("state", "starred"),)
    with pytest.raises(ApiError):
        page(params(("xt", "bogus")), 10)


def test_s_is_the_first_stream_or_the_default() -> None:
    assert stream_param(params(("s", "feed/3"), ("s", "feed/4"))) == Stream("feed", feed_id=3)
    assert stream_param(params(), Stream("state", "reading-list")) == Stream(
        "state", "reading-list"
    )
    assert stream_param(params(("s", " "))) is None
