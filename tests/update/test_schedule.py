"""Every scheduling rule, table by table, through the decider with the clock injected.

Each row goes through ``decide_success`` / ``decide_failure`` (not only the helper that computes
it), so a rule that the decider stops applying fails here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tidings.errors import FetchTimeoutError, HTTPStatusError, TidingsError
from tidings.types import FeedState, FetchResult, ParsedFeed, ParsedItem, StoredItem
from tidings.update.decide import decide_failure, decide_success
from tidings.update.schedule import (
    Policy,
    activity_interval,
    avoid_skips,
    backoff_interval,
    cache_seconds,
    next_check_at,
    permanent_target,
    publisher_minutes,
    track_redirect,
    unit_jitter,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # a Saturday
POLICY = Policy()
HOUR = 3600
DAY = 24 * HOUR


def fetched(
    status: int = 200,
    headers: dict[str, str] | None = None,
    redirects: tuple[tuple[int, str], ...] = (),
    url: str = "https://example.org/feed",
) -> FetchResult:
    return FetchResult(
        url=url,
        final_url=redirects[-1][1] if redirects else url,
        status=status,
        headers=headers or {},
        body=b"<rss/>" if status == 200 else b"",
        elapsed=0.1,
        redirects=redirects,
    )


def doc(**kw: object) -> ParsedFeed:
    return ParsedFeed(version="rss20", title="T", **kw)  # type: ignore[arg-type]


def items_over(count: int, days: float) -> dict[str, StoredItem]:
    """``count`` stored items spread evenly over the last ``days`` days."""
    out = {}
    for n in range(count):
        when = NOW - timedelta(days=days) * (n + 0.5) / count
        out[f"i{n}"] = StoredItem(f"i{n}", "h", when, when)
    return out


OLD_ITEMS = {
    f"o{n}": StoredItem(f"o{n}", "h", NOW - timedelta(days=40 + n), NOW - timedelta(days=40 + n))
    for n in range(20)
}
EVERY_DAY = frozenset(
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
)
DEFAULT, OWN, ADAPTIVE, TTL, CACHE = (
    "the default interval",
    "the feed's own interval",
    "adaptive",
    "the feed's ttl",
    "Cache-Control/Expires",
)


def interval_of(plan_next: datetime) -> float:
    return (plan_next - NOW).total_seconds()


def within_jitter(seconds: float, expected: int, policy: Policy = POLICY) -> bool:
    """Jitter only ever adds (up to 10 %), except at the cap, where it only takes away."""
    if expected >= policy.max_refresh:
        return expected * (1 - policy.jitter) - 1 <= seconds <= expected + 1
    return expected - 1 <= seconds <= expected * (1 + policy.jitter) + 1


# -- the interval after a good answer ------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "parsed", "headers", "expected", "reason"),
    [
        # the default, a feed's own interval, the floor, the cap
        (FeedState(1, "u"), doc(), {}, HOUR, DEFAULT),
        (FeedState(1, "u", refresh_seconds=1800), doc(), {}, 1800, OWN),
        (FeedState(1, "u", refresh_seconds=60), doc(), {}, 300, OWN),  # the floor
        (FeedState(1, "u", refresh_seconds=10 * DAY), doc(), {}, DAY, OWN),  # the cap
        # adaptive: four checks per average gap between items over four weeks
        (FeedState(1, "u", items=items_over(28, 28)), doc(), {}, 6 * HOUR, ADAPTIVE),
        (FeedState(1, "u", items=items_over(672, 28)), doc(), {}, 900, ADAPTIVE),
        (FeedState(1, "u", items=items_over(5000, 28)), doc(), {}, 300, ADAPTIVE),  # floor
        (FeedState(1, "u", items=items_over(4, 28)), doc(), {}, DAY, ADAPTIVE),  # cap
        (FeedState(1, "u", items=OLD_ITEMS), doc(), {}, DAY, "adaptive: no items"),
        # a person's interval wins over adaptation
        (FeedState(1, "u", refresh_seconds=1800, items=items_over(4, 28)), doc(), {}, 1800, OWN),
        # the publisher's hints are floors: RSS ttl, sy:updatePeriod, Cache-Control, Expires
        (FeedState(1, "u"), doc(ttl_minutes=120), {}, 7200, TTL),
        (FeedState(1, "u", refresh_seconds=7200), doc(ttl_minutes=30), {}, 7200, OWN),
        (FeedState(1, "u"), doc(ttl_minutes=100_000), {}, DAY, TTL),
        (FeedState(1, "u"), doc(update_period_seconds=6 * HOUR), {}, 6 * HOUR, TTL),
        (FeedState(1, "u"), doc(ttl_minutes=60, update_period_seconds=3 * HOUR), {}, 3 * HOUR, TTL),
        (FeedState(1, "u", items=items_over(672, 28)), doc(ttl_minutes=60), {}, HOUR, TTL),
        (FeedState(1, "u"), doc(), {"cache-control": "public, max-age=7200"}, 7200, CACHE),
        (FeedState(1, "u"), doc(), {"cache-control": "max-age=60"}, HOUR, DEFAULT),
        (FeedState(1, "u"), doc(), {"cache-control": "max-age=999999"}, DAY, CACHE),
        (
            FeedState(1, "u"),
            doc(),
            {"expires": "Sat, 28 Nov 2026 15:00:00 GMT", "date": "Sat, 28 Nov 2026 12:00:00 GMT"},
            3 * HOUR,
            CACHE,
        ),
        # no Date: measured from our clock
        (FeedState(1, "u"), doc(), {"expires": "Sat, 28 Nov 2026 14:00:00 GMT"}, 2 * HOUR, CACHE),
        (FeedState(1, "u"), doc(), {"expires": "0"}, HOUR, DEFAULT),
        (FeedState(1, "u"), doc(), {"expires": "Sat, 28 Nov 2026 11:00:00 GMT"}, HOUR, DEFAULT),
        (
            FeedState(1, "u"),  # max-age wins over Expires, both ways
            doc(),
            {"cache-control": "max-age=5400", "expires": "Sun, 29 Nov 2026 12:00:00 GMT"},
            5400,
            CACHE,
        ),
        (
            FeedState(1, "u"),
            doc(),
            {"cache-control": "max-age=5400", "expires": "Sat, 28 Nov 2026 12:30:00 GMT"},
            5400,
            CACHE,
        ),
    ],
)
def test_success_interval(
    state: FeedState, parsed: ParsedFeed, headers: dict[str, str], expected: int, reason: str
) -> None:
    plan = decide_success(state, fetched(headers=headers), parsed, NOW, POLICY)
    assert within_jitter(interval_of(plan.next_check), expected), (
        interval_of(plan.next_check),
        plan.schedule_reason,
    )
    assert plan.schedule_reason.startswith(reason), plan.schedule_reason


def test_adaptive_counts_the_new_items_too_and_can_be_switched_off() -> None:
    parsed = doc(
        items=tuple(
            ParsedItem(guid=str(n), published=NOW - timedelta(hours=n)) for n in range(672 // 4)
        )
    )
    busy = decide_success(FeedState(1, "u"), fetched(), parsed, NOW, POLICY)
    # 168 items in the last week alone: 168 in four weeks, one check per hour
    assert within_jitter(interval_of(busy.next_check), HOUR)
    assert busy.schedule_reason.startswith("adaptive")
    fixed = decide_success(
        FeedState(1, "u"), fetched(), parsed, NOW, replace(POLICY, adaptive=False)
    )
    assert fixed.schedule_reason == "the default interval"


def test_hints_are_kept_across_a_304_and_replaced_by_the_next_document() -> None:
    state = FeedState(1, "u", ttl_minutes=180, skip_hours=frozenset({3}), skip_days=frozenset())
    same = decide_success(state, fetched(status=304), None, NOW, POLICY)
    assert within_jitter(interval_of(same.next_check), 3 * HOUR)
    assert (same.ttl_minutes, same.skip_hours) == (180, frozenset({3}))
    fresh = decide_success(state, fetched(), doc(ttl_minutes=30), NOW, POLICY)
    assert within_jitter(interval_of(fresh.next_check), HOUR)
    assert (fresh.ttl_minutes, fresh.skip_hours) == (30, frozenset())


@pytest.mark.parametrize(
    ("ttl", "period", "expected"),
    [(None, None, None), (30, None, 30), (None, 3600, 60), (90, 3600, 90), (None, 61, 2)],
)
def test_publisher_minutes(ttl: int | None, period: int | None, expected: int | None) -> None:
    assert publisher_minutes(ttl, period) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"cache-control": "no-cache"}, None),
        ({"cache-control": "max-age=0"}, None),
        ({"cache-control": 'private, max-age="600"'}, 600),
        ({"cache-control": "s-maxage=900"}, None),  # a shared cache's, not ours
        ({"expires": "not a date"}, None),
        ({"expires": "Sat, 28 Nov 2026 12:10:00 GMT"}, 600),
        # the server's clock is an hour behind ours: Expires is measured against its Date
        (
            {"expires": "Sat, 28 Nov 2026 11:10:00 GMT", "date": "Sat, 28 Nov 2026 11:00:00 GMT"},
            600,
        ),
    ],
)
def test_cache_seconds(headers: dict[str, str], expected: int | None) -> None:
    assert cache_seconds(headers, NOW) == expected


# -- failures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "count_before", "expected", "disabled"),
    [
        (FetchTimeoutError("slow"), 0, 900, False),
        (FetchTimeoutError("slow"), 3, 7200, False),
        (HTTPStatusError("HTTP 404 Not Found", status=404), 0, 900, False),
        (HTTPStatusError("HTTP 500 Internal Server Error", status=500), 4, 4 * 3600, False),
        # Retry-After on 429 and 503 is a floor ...
        (HTTPStatusError("HTTP 429", status=429, retry_after=7200), 0, 7200, False),
        (HTTPStatusError("HTTP 503", status=503, retry_after=3 * HOUR), 0, 3 * HOUR, False),
        (HTTPStatusError("HTTP 503", status=503, retry_after=60), 2, 3600, False),
        # ... capped at 24 h ...
        (HTTPStatusError("HTTP 429", status=429, retry_after=7 * DAY), 0, DAY, False),
        # ... and means nothing on other statuses
        (HTTPStatusError("HTTP 500", status=500, retry_after=7200), 0, 900, False),
        # never abandoned: the backoff stops growing at 48 h
        (FetchTimeoutError("slow"), 10_000, 48 * HOUR, False),
        # 410 Gone disables, with the reason
        (HTTPStatusError("HTTP 410 Gone", status=410), 0, 900, True),
    ],
)
def test_failure_schedule(
    error: TidingsError, count_before: int, expected: int, disabled: bool
) -> None:
    state = FeedState(9, "u", error_count=count_before)
    plan = decide_failure(state, error, NOW, POLICY)
    cap_policy = replace(POLICY, max_refresh=POLICY.backoff_max)
    assert within_jitter(interval_of(plan.next_check), expected, cap_policy), interval_of(
        plan.next_check
    )
    assert plan.error_count == count_before + 1
    assert (plan.disabled_reason is not None) is disabled
    if disabled:
        assert "410 Gone" in (plan.disabled_reason or "") and plan.permanent


@pytest.mark.parametrize(
    ("count", "retry_after", "expected"),
    [(0, None, 900), (1, None, 900), (2, None, 1800), (9, None, 48 * HOUR), (1, 100.0, 900)],
)
def test_backoff_doubles_to_the_cap(count: int, retry_after: float | None, expected: int) -> None:
    assert backoff_interval(count, POLICY, retry_after) == expected


# -- skipHours and skipDays ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "days", "expected_hour", "expected_day"),
    [
        (set(), set(), 13, 28),  # nothing skipped: the plain interval
        ({13}, set(), 14, 28),
        ({13, 14, 15}, set(), 16, 28),
        ({13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, set(), 0, 29),
        (set(), {"Saturday"}, 0, 29),
        ({0, 1}, {"Saturday"}, 2, 29),
        (set(range(24)), set(), 13, 28),  # skipping every hour is a mistake: ignored
        (set(), set(EVERY_DAY), 13, 28),  # and so is skipping every day
    ],
)
def test_skip_hours_and_days_move_the_check(
    hours: set[int], days: set[str], expected_hour: int, expected_day: int
) -> None:
    state = FeedState(3, "u", refresh_seconds=HOUR)
    parsed = doc(skip_hours=frozenset(hours), skip_days=frozenset(days))
    plan = decide_success(state, fetched(), parsed, NOW, POLICY)
    when = plan.next_check
    assert (when.hour, when.day) == (expected_hour, expected_day), when
    if hours or days:
        assert when.hour not in hours or len(hours) == 24
        assert when.strftime("%A") not in days or len(days) == 7


def test_skipping_never_waits_past_24_hours() -> None:
    weekdays = frozenset({"Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"})
    when = avoid_skips(NOW, frozenset(), weekdays, latest=NOW + timedelta(days=1))
    assert when == NOW + timedelta(days=1)
    state = FeedState(3, "u", skip_days=weekdays)
    failed = decide_failure(state, FetchTimeoutError("x"), NOW, POLICY)
    assert interval_of(failed.next_check) <= 48 * HOUR


def test_skips_apply_after_a_failure_too() -> None:
    state = FeedState(3, "u", skip_hours=frozenset({12, 13}))
    plan = decide_failure(state, FetchTimeoutError("x"), NOW, POLICY)
    assert plan.next_check.hour == 14


# -- jitter --------------------------------------------------------------------------------------


def test_jitter_spreads_feeds_fetched_together_and_is_deterministic() -> None:
    times = [
        decide_success(FeedState(fid, "u"), fetched(), doc(), NOW, POLICY).next_check
        for fid in range(200)
    ]
    spread = (max(times) - min(times)).total_seconds()
    assert len(set(times)) == 200
    assert spread > 0.08 * HOUR  # about 10 % of the interval
    assert all(t >= NOW + timedelta(hours=1) for t in times)  # upward: never before the floor
    again = decide_success(FeedState(7, "u"), fetched(), doc(), NOW, POLICY).next_check
    assert again == times[7]


def test_jitter_at_the_cap_spreads_below_it() -> None:
    times = [next_check_at(fid, NOW, DAY, POLICY, cap=DAY) for fid in range(100)]
    assert all(NOW + timedelta(hours=21) <= t <= NOW + timedelta(days=1) for t in times)
    assert len(set(times)) == 100


def test_unit_jitter_range() -> None:
    values = [unit_jitter(n, NOW) for n in range(1000)]
    assert all(0 <= v < 1 for v in values)
    assert min(values) < 0.05 and max(values) > 0.95


# -- activity ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recent", "expected"),
    [(1, DAY), (7, DAY), (14, 12 * HOUR), (28, 6 * HOUR), (112, 90 * 60), (672, 900)],
)
def test_activity_interval(recent: int, expected: int) -> None:
    dates = [NOW - timedelta(hours=n) for n in range(recent)]
    found = activity_interval(dates, NOW, POLICY)
    assert found is not None and found.seconds == expected


def test_activity_ignores_items_outside_the_window() -> None:
    assert activity_interval([], NOW, POLICY) is None
    old = [NOW - timedelta(days=40)] * 50
    far_future = [NOW + timedelta(days=300)] * 50
    found = activity_interval([*old, *far_future], NOW, POLICY)
    assert found is not None and found.seconds == DAY


# -- redirects -----------------------------------------------------------------------------------

A = "https://new.example.org/feed"
B = "https://other.example.org/feed"


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        ((), None),
        (((301, A),), A),
        (((308, A),), A),
        (((302, A),), None),
        (((307, A),), None),
        (((301, A), (301, B)), B),
        (((301, A), (302, B)), A),  # permanently to A, which moved B for now
        (((302, A), (301, B)), None),
    ],
)
def test_permanent_target(chain: tuple[tuple[int, str], ...], expected: str | None) -> None:
    assert permanent_target(chain) == expected


@pytest.mark.parametrize(
    ("fetches", "adopted_at"),
    [
        ([((301, A),)] * 3, 3),
        ([((308, A),)] * 3, 3),
        ([((301, A),)] * 2, None),
        ([((302, A),)] * 10, None),
        ([((307, A),)] * 10, None),
        ([((301, A),), ((302, A),), ((301, A),), ((301, A),)], None),
        ([((301, A),), ((302, A),), ((301, A),), ((301, A),), ((301, A),)], 5),
        ([((301, A),), ((301, B),), ((301, B),), ((301, B),)], 4),
        ([((301, A),), (), ((301, A),), ((301, A),)], None),
        ([((301, A), (302, B))] * 3, 3),
        ([((301, A),), "fail", ((301, A),), ((301, A),)], None),  # a failure breaks the run
    ],
)
def test_redirect_adopted_after_three_consecutive_permanent_ones(
    fetches: list[object], adopted_at: int | None
) -> None:
    state = FeedState(1, "https://example.org/feed")
    adopted = None
    for n, chain in enumerate(fetches, start=1):
        if chain == "fail":
            plan = decide_failure(state, FetchTimeoutError("x"), NOW, POLICY)
        else:
            assert isinstance(chain, tuple)
            plan = decide_success(state, fetched(redirects=chain), doc(), NOW, POLICY)
        if plan.adopt_redirect:
            adopted = n
            assert isinstance(chain, tuple)
            assert plan.redirect_url == permanent_target(chain)
            break
        state = replace(state, redirect_url=plan.redirect_url, redirect_count=plan.redirect_count)
    assert adopted == adopted_at


def test_redirect_to_itself_is_not_counted() -> None:
    track = track_redirect(A, None, 0, ((301, A),), POLICY)
    assert track.url is None and not track.adopt


HTTP_A = "http://new.example.org/feed"
DROPS = "permanently redirects to http://new.example.org/feed; not adopted: it would drop https"


@pytest.mark.parametrize(
    ("url", "fetches", "notices"),
    [
        # https to http: never adopted; noticed once it would have been
        ("https://example.org/feed", [((301, HTTP_A),)] * 4, [None, None, DROPS, DROPS]),
        ("https://example.org/feed", [((308, HTTP_A),)] * 3, [None, None, DROPS]),
        # a temporary one is no notice; a later fetch without the redirect clears it
        ("https://example.org/feed", [((302, HTTP_A),)] * 3, [None] * 3),
        ("https://example.org/feed", [((301, HTTP_A),)] * 3 + [()], [None, None, DROPS, None]),
        # http to http, http to https: adopted as ever
        ("http://example.org/feed", [((301, HTTP_A),)] * 3, [None, None, "adopted"]),
        ("http://example.org/feed", [((301, A),)] * 3, [None, None, "adopted"]),
        ("https://example.org/feed", [((301, A),)] * 3, [None, None, "adopted"]),
    ],
)
def test_a_redirect_that_drops_https_is_never_adopted_but_noticed(
    url: str, fetches: list[tuple[tuple[int, str], ...]], notices: list[str | None]
) -> None:
    state = FeedState(1, url)
    seen: list[str | None] = []
    for chain in fetches:
        plan = decide_success(state, fetched(redirects=chain, url=url), doc(), NOW, POLICY)
        seen.append("adopted" if plan.adopt_redirect else plan.notice)
        if plan.adopt_redirect:
            break
        state = replace(state, redirect_url=plan.redirect_url, redirect_count=plan.redirect_count)
    assert seen == notices


def test_items_counted_but_not_read_count_as_items_outside_the_window() -> None:
    old = [NOW - timedelta(days=40)] * 5
    recent = [NOW - timedelta(days=n) for n in range(14)]
    assert activity_interval([], NOW, POLICY, older=5) == activity_interval(old, NOW, POLICY)
    assert activity_interval(recent, NOW, POLICY, older=5) == activity_interval(
        [*old, *recent], NOW, POLICY
    )
