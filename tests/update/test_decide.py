"""The pure decisions, table by table, with the clock injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tidings.errors import FetchTimeoutError, HTTPStatusError, NotAFeedError
from tidings.types import FeedState, FetchResult, ParsedFeed, ParsedItem, StoredItem
from tidings.update.decide import (
    body_hash,
    content_hash_of,
    decide_failure,
    decide_success,
    identity_of,
    is_unchanged_body,
)
from tidings.update.schedule import Policy, backoff_interval

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
POLICY = Policy()


def fetched(body: bytes = b"<rss/>", status: int = 200, **headers: str) -> FetchResult:
    return FetchResult(
        url="https://example.org/feed",
        final_url="https://example.org/feed",
        status=status,
        headers={k.replace("_", "-"): v for k, v in headers.items()},
        body=body if status == 200 else b"",
        elapsed=0.25,
    )


def feed(*items: ParsedItem, ttl: int | None = None) -> ParsedFeed:
    return ParsedFeed(
        version="rss20", title="T", link="https://example.org/", items=items, ttl_minutes=ttl
    )


def stored(item: ParsedItem, first_seen: datetime, chash: str | None = None) -> StoredItem:
    date = item.published or first_seen
    return StoredItem(identity_of(item), chash or content_hash_of(item), first_seen, date)


A = ParsedItem(guid="a", title="A", link="https://example.org/a", published=NOW - timedelta(days=1))
B = ParsedItem(guid="b", title="B", link="https://example.org/b", published=NOW - timedelta(days=2))


@pytest.mark.parametrize(
    ("item", "same_as", "expected_same"),
    [
        # the id wins over everything else
        (ParsedItem(guid="x", link="https://e/1"), ParsedItem(guid="x", link="https://e/2"), True),
        (ParsedItem(guid="x"), ParsedItem(guid="y"), False),
        (ParsedItem(guid=" x "), ParsedItem(guid="x"), True),
        # no id: the link
        (
            ParsedItem(link="https://e/1", title="a"),
            ParsedItem(link="https://e/1", title="b"),
            True,
        ),
        (ParsedItem(link="https://e/1"), ParsedItem(link="https://e/2"), False),
        # no id, no link: title + date + content
        (ParsedItem(title="t", content_html="c"), ParsedItem(title="t", content_html="c"), True),
        (ParsedItem(title="t", content_html="c"), ParsedItem(title="t", content_html="d"), False),
        (
            ParsedItem(title="t", published=NOW),
            ParsedItem(title="t", published=NOW - timedelta(seconds=1)),
            False,
        ),
        # an id and a link that look alike are still different identities
        (ParsedItem(guid="https://e/1"), ParsedItem(link="https://e/1"), False),
    ],
)
def test_identity(item: ParsedItem, same_as: ParsedItem, expected_same: bool) -> None:
    assert (identity_of(item) == identity_of(same_as)) is expected_same


def test_new_items_get_first_seen_now_and_undated_items_sort_by_it() -> None:
    undated = ParsedItem(guid="u", title="undated")
    plan = decide_success(FeedState(1, "u"), fetched(), feed(A, undated), NOW, POLICY)
    assert [w.item.guid for w in plan.new] == ["a", "u"]
    assert all(w.first_seen == NOW for w in plan.new)
    assert plan.new[0].sort_date == A.published
    assert plan.new[1].sort_date == NOW
    assert plan.new[1].item.published is None  # the item's own date is not invented


def test_unchanged_items_stay_and_changed_keep_first_seen() -> None:
    earlier = NOW - timedelta(days=3)
    state = FeedState(
        1,
        "u",
        items={identity_of(A): stored(A, earlier), identity_of(B): stored(B, earlier, chash="old")},
    )
    edited_b = ParsedItem(guid="b", title="B, edited", link=B.link, published=B.published)
    plan = decide_success(state, fetched(), feed(A, edited_b), NOW, POLICY)
    assert plan.new == ()
    assert plan.unchanged == 1
    assert [w.item.title for w in plan.changed] == ["B, edited"]
    assert plan.changed[0].first_seen == earlier


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "new title"),
        ("link", "https://example.org/a2"),
        ("content_html", "<p>more</p>"),
        ("summary_html", "<p>sum</p>"),
        ("published", NOW - timedelta(hours=1)),
        ("updated", NOW),
    ],
)
def test_any_content_field_counts_as_a_change(field: str, value: Any) -> None:
    state = FeedState(1, "u", items={identity_of(A): stored(A, NOW - timedelta(days=1))})
    from dataclasses import replace

    plan = decide_success(state, fetched(), feed(replace(A, **{field: value})), NOW, POLICY)
    assert len(plan.changed) == 1


def test_duplicate_identities_in_one_document_count_once() -> None:
    plan = decide_success(FeedState(1, "u"), fetched(), feed(A, A, A), NOW, POLICY)
    assert len(plan.new) == 1


def test_future_dates_are_clamped_for_sorting_only() -> None:
    far = ParsedItem(guid="f", published=NOW + timedelta(days=30))
    near = ParsedItem(guid="n", published=NOW + timedelta(minutes=5))  # within tolerance
    plan = decide_success(FeedState(1, "u"), fetched(), feed(far, near), NOW, POLICY)
    by_guid = {w.item.guid: w for w in plan.new}
    assert by_guid["f"].sort_date == NOW
    assert by_guid["f"].item.published == NOW + timedelta(days=30)
    assert by_guid["n"].sort_date == NOW + timedelta(minutes=5)


def test_tombstoned_items_never_come_back() -> None:
    state = FeedState(1, "u", tombstones=frozenset({identity_of(A)}))
    plan = decide_success(state, fetched(), feed(A, B), NOW, POLICY)
    assert [w.item.guid for w in plan.new] == ["b"]


def test_retention_expires_old_items_and_never_adds_too_old_ones() -> None:
    old = ParsedItem(guid="old", published=NOW - timedelta(days=40))
    kept = stored(B, NOW - timedelta(days=2))
    stale = StoredItem("stale-id", "h", NOW - timedelta(days=50), NOW - timedelta(days=50))
    state = FeedState(1, "u", retention_days=30, items={kept.identity: kept, "stale-id": stale})
    plan = decide_success(state, fetched(), feed(old, B), NOW, POLICY)
    assert set(plan.expired) == {"stale-id", identity_of(old)}
    assert plan.new == ()
    assert plan.unchanged == 1


def test_site_retention_applies_when_the_feed_has_none() -> None:
    stale = StoredItem("s", "h", NOW - timedelta(days=9), NOW - timedelta(days=9))
    state = FeedState(1, "u", items={"s": stale})
    assert decide_success(state, fetched(), feed(), NOW, POLICY).expired == ()
    policy = Policy(retention_days=7)
    assert decide_success(state, fetched(), feed(), NOW, policy).expired == ("s",)


def test_an_empty_document_deletes_nothing() -> None:
    state = FeedState(1, "u", items={identity_of(A): stored(A, NOW - timedelta(days=1))})
    plan = decide_success(state, fetched(), feed(), NOW, POLICY)
    assert plan.expired == () and plan.new == () and plan.changed == ()


@pytest.mark.parametrize(
    ("state_hash", "result", "unchanged"),
    [
        (None, fetched(b"x"), False),
        (body_hash(b"x"), fetched(b"x"), True),
        (body_hash(b"x"), fetched(b"y"), False),
        (None, fetched(status=304), True),
    ],
)
def test_unchanged_body(state_hash: str | None, result: FetchResult, unchanged: bool) -> None:
    assert is_unchanged_body(FeedState(1, "u", body_hash=state_hash), result) is unchanged


def test_validators_are_kept_exactly_and_carried_over_a_304() -> None:
    ok = decide_success(
        FeedState(1, "u"),
        fetched(etag='W/"abc"', last_modified="Sat, 28 Nov 2026 10:00:00 GMT"),
        feed(A),
        NOW,
        POLICY,
    )
    assert ok.etag == 'W/"abc"'
    assert ok.last_modified == "Sat, 28 Nov 2026 10:00:00 GMT"
    state = FeedState(1, "u", etag='W/"abc"', last_modified="x", body_hash="h")
    same = decide_success(state, fetched(status=304), None, NOW, POLICY)
    assert (same.etag, same.last_modified, same.body_hash) == ('W/"abc"', "x", "h")
    assert same.not_modified and same.ok


@pytest.mark.parametrize(
    ("refresh", "ttl", "expected"),
    [
        (None, None, 3600),
        (1800, None, 1800),
        (60, None, 300),  # the floor
        (None, 120, 7200),  # RSS ttl slows us down
        (7200, 30, 7200),  # but never speeds us up
        (None, 100_000, 86400),  # capped at a day
        (200_000, None, 86400),
    ],
)
def test_next_check_interval(refresh: int | None, ttl: int | None, expected: int) -> None:
    plan = decide_success(
        FeedState(7, "u", refresh_seconds=refresh), fetched(), feed(ttl=ttl), NOW, POLICY
    )
    delta = (plan.next_check - NOW).total_seconds()
    assert expected * 0.9 - 1 <= delta <= expected * 1.1 + 1
    assert delta >= POLICY.min_refresh


def test_jitter_spreads_feeds_added_together() -> None:
    times = {
        decide_success(FeedState(fid, "u"), fetched(), feed(), NOW, POLICY).next_check
        for fid in range(50)
    }
    assert len(times) > 40


@pytest.mark.parametrize(
    ("count", "retry_after", "expected"),
    [
        (1, None, 900),
        (2, None, 1800),
        (3, None, 3600),
        (8, None, 32 * 3600),
        (9, None, 48 * 3600),  # 15 min doubling reaches the cap
        (50, None, 48 * 3600),
        (1, 7200.0, 7200),  # Retry-After raises it
        (1, 10 * 86400.0, 24 * 3600),  # a server hint is capped at 24 h
    ],
)
def test_backoff(count: int, retry_after: float | None, expected: int) -> None:
    assert backoff_interval(count, POLICY, retry_after) == expected


def test_failure_counts_and_keeps_since_and_never_deletes() -> None:
    first = NOW - timedelta(hours=5)
    state = FeedState(
        1, "u", error_count=2, error_since=first, items={identity_of(A): stored(A, first)}
    )
    plan = decide_failure(state, FetchTimeoutError("read timed out after 20 s"), NOW, POLICY)
    assert not plan.ok
    assert plan.error == "read timed out after 20 s"
    assert plan.error_kind == "timeout"
    assert plan.error_count == 3
    assert plan.error_since == first
    assert plan.expired == () and plan.new == ()
    assert plan.disabled_reason is None
    assert plan.next_check - NOW >= timedelta(seconds=3600 * 0.9)


def test_the_backoff_reason_counts_failures_in_words() -> None:
    error = FetchTimeoutError("read timed out after 20 s")
    first = decide_failure(FeedState(1, "u"), error, NOW, POLICY)
    third = decide_failure(FeedState(1, "u", error_count=2), error, NOW, POLICY)
    assert first.schedule_reason == "backoff after 1 failure"
    assert third.schedule_reason == "backoff after 3 failures"


def test_410_disables_with_a_reason_and_404_keeps_retrying() -> None:
    gone = decide_failure(
        FeedState(1, "u"), HTTPStatusError("HTTP 410 Gone", status=410), NOW, POLICY
    )
    assert gone.permanent and gone.status == 410
    assert gone.disabled_reason and "410 Gone" in gone.disabled_reason
    missing = decide_failure(
        FeedState(1, "u"), HTTPStatusError("HTTP 404 Not Found", status=404), NOW, POLICY
    )
    assert not missing.permanent and missing.disabled_reason is None
    assert missing.error_since == NOW


def test_parse_failure_is_a_failure_plan() -> None:
    plan = decide_failure(
        FeedState(1, "u"),
        NotAFeedError("an HTML page, not a feed"),
        NOW,
        POLICY,
        status=200,
        size=1234,
    )
    assert plan.error_kind == "not_a_feed" and plan.status == 200 and plan.bytes == 1234


def test_a_304_decides_from_the_dates_alone() -> None:
    """The light state of a 304 (dates, no identities) plans what the full state plans."""
    items = {identity_of(i): stored(i, NOW - timedelta(days=3)) for i in (A, B)}
    full = FeedState(1, "https://example.org/feed", etag='"e"', items=items)
    light = FeedState(
        1,
        "https://example.org/feed",
        etag='"e"',
        item_dates=tuple(s.sort_date for s in items.values()),
    )
    answer = fetched(status=304)
    assert decide_success(light, answer, None, NOW, POLICY) == decide_success(
        full, answer, None, NOW, POLICY
    )
    assert decide_success(light, answer, None, NOW, POLICY).schedule_reason.startswith("adaptive")


def test_a_304_decides_the_same_from_counted_old_dates_as_from_read_ones() -> None:
    old = tuple(NOW - timedelta(days=90 + n) for n in range(30))
    recent = tuple(NOW - timedelta(days=n) for n in range(3))
    full = FeedState(feed_id=1, url="https://e.org/f", item_dates=old + recent)
    light = FeedState(feed_id=1, url="https://e.org/f", item_dates=recent, older_items=30)
    answer = fetched(b"", status=304)
    only_old = FeedState(feed_id=1, url="https://e.org/f", item_dates=(), older_items=30)
    assert (
        decide_success(light, answer, None, NOW, POLICY).next_check
        == decide_success(full, answer, None, NOW, POLICY).next_check
    )
    assert decide_success(only_old, answer, None, NOW, POLICY).schedule_reason == (
        "adaptive: no items in the window"
    )
