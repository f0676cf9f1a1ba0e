"""The store's side of scheduling and health, on every backend the ``store`` fixture opens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.errors import NotFoundError
from tidings.store.history import FETCH_LOG_KEEP
from tidings.store.store import Store
from tidings.types import UpdatePlan

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def ok(fid: int, at: datetime, **kw: object) -> UpdatePlan:
    return UpdatePlan(fid, at, at + timedelta(hours=1), status=200, **kw)  # type: ignore[arg-type]


def failed(fid: int, at: datetime, count: int, **kw: object) -> UpdatePlan:
    return UpdatePlan(
        fid,
        at,
        at + timedelta(minutes=15),
        status=500,
        error_kind="http",
        error="HTTP 500 Internal Server Error",
        error_count=count,
        error_since=kw.pop("since", at),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_the_fetch_log_keeps_the_last_hundred_per_feed(store: Store) -> None:
    busy = store.add_feed("https://e.org/busy", now=NOW)
    quiet = store.add_feed("https://e.org/quiet", now=NOW)
    store.apply(ok(quiet, NOW))
    for n in range(FETCH_LOG_KEEP + 7):
        store.apply(ok(busy, NOW + timedelta(minutes=n), duration_ms=n))
    history = store.fetch_history(busy, limit=500)
    assert len(history) == FETCH_LOG_KEEP
    assert history[0].duration_ms == FETCH_LOG_KEEP + 6  # newest first
    assert history[-1].duration_ms == 7  # the seven oldest are gone
    assert len(store.fetch_history(quiet)) == 1  # another feed's log is its own


def test_hints_and_redirect_tracking_are_kept_and_failures_leave_hints(store: Store) -> None:
    fid = store.add_feed("https://e.org/f", now=NOW)
    store.apply(
        ok(
            fid,
            NOW,
            ttl_minutes=90,
            skip_hours=frozenset({0, 23}),
            skip_days=frozenset({"Sunday", "Monday"}),
            redirect_url="https://e.org/g",
            redirect_count=2,
        )
    )
    state = store.feed_state(fid)
    assert (state.ttl_minutes, state.skip_hours, state.skip_days) == (
        90,
        frozenset({0, 23}),
        frozenset({"Sunday", "Monday"}),
    )
    assert (state.redirect_url, state.redirect_count) == ("https://e.org/g", 2)
    store.apply(failed(fid, NOW + timedelta(hours=1), 1))
    after = store.feed_state(fid)
    assert after.ttl_minutes == 90 and after.skip_hours == frozenset({0, 23})
    assert (after.redirect_url, after.redirect_count) == (None, 0)  # the run was broken


def test_adopting_a_redirect_changes_the_url_unless_another_feed_has_it(store: Store) -> None:
    fid = store.add_feed("https://e.org/old", now=NOW)
    taken = store.add_feed("https://e.org/taken", now=NOW)
    store.apply(
        ok(fid, NOW, redirect_url="https://e.org/taken", redirect_count=3, adopt_redirect=True)
    )
    assert store.get_feed(fid).url == "https://e.org/old"
    assert store.feed_state(fid).redirect_count == 3  # still tracked
    store.remove_feed(taken)
    store.apply(
        ok(fid, NOW, redirect_url="https://e.org/taken", redirect_count=4, adopt_redirect=True)
    )
    state = store.feed_state(fid)
    assert state.url == "https://e.org/taken"
    assert (state.redirect_url, state.redirect_count) == (None, 0)


def test_health_lists_failing_and_disabled_with_reasons(store: Store) -> None:
    healthy = store.add_feed("https://e.org/ok", now=NOW)
    failing = store.add_feed("https://e.org/failing", now=NOW)
    older = store.add_feed("https://e.org/older", now=NOW)
    gone = store.add_feed("https://e.org/gone", now=NOW)
    store.apply(ok(healthy, NOW))
    store.apply(failed(failing, NOW, 2, since=NOW - timedelta(hours=1)))
    store.apply(failed(older, NOW, 5, since=NOW - timedelta(days=2)))
    store.apply(
        UpdatePlan(
            gone,
            NOW,
            NOW + timedelta(minutes=15),
            status=410,
            error_kind="http",
            error="HTTP 410 Gone",
            permanent=True,
            error_count=1,
            error_since=NOW,
            disabled_reason="HTTP 410 Gone: the publisher has removed this feed",
        )
    )
    report = store.health()
    assert [h.feed_id for h in report] == [gone, older, failing]
    first, second, third = report
    assert (first.state, first.next_check) == ("disabled", None)
    assert "removed" in first.reason and first.error_count == 1
    assert (second.state, second.error_count, second.since) == (
        "failing",
        5,
        NOW - timedelta(days=2),
    )
    assert third.reason == "HTTP 500 Internal Server Error" and third.error_kind == "http"
    assert third.next_check == NOW + timedelta(minutes=15)
    assert store.feed_states() == {"ok": 1, "failing": 2, "disabled": 1}


def test_enable_gives_a_clean_slate_due_now(store: Store) -> None:
    gone = store.add_feed("https://e.org/gone", now=NOW)
    store.apply(failed(gone, NOW, 3, disabled_reason="HTTP 410 Gone"))
    assert gone not in store.due_feed_ids(NOW + timedelta(days=30))
    later = NOW + timedelta(days=3)
    store.enable_feed(gone, now=later)
    feed = store.get_feed(gone)
    assert feed.disabled_reason is None and feed.error_count == 0 and feed.last_error is None
    assert feed.next_check == later and store.due_feed_ids(later) == [gone]
    assert store.health() == []
    with pytest.raises(NotFoundError):
        store.enable_feed(999, now=later)


def test_due_queries(store: Store) -> None:
    a = store.add_feed("https://a.example/f", now=NOW, next_check=NOW - timedelta(minutes=30))
    b = store.add_feed("https://b.example/f", now=NOW, next_check=NOW - timedelta(minutes=5))
    c = store.add_feed("https://c.example/f", now=NOW, next_check=NOW + timedelta(hours=2))
    off = store.add_feed("https://d.example/f", now=NOW, next_check=NOW - timedelta(days=1))
    store.apply(failed(off, NOW - timedelta(days=1), 1, disabled_reason="gone"))
    assert store.due_feeds(NOW) == [(a, "https://a.example/f"), (b, "https://b.example/f")]
    assert store.due_feeds(NOW, limit=1) == [(a, "https://a.example/f")]
    count, oldest = store.due_summary(NOW)
    assert (count, oldest) == (2, NOW - timedelta(minutes=30))
    assert store.next_due() == NOW - timedelta(minutes=30)
    assert store.next_due(exclude={a, b}) == NOW + timedelta(hours=2)
    assert store.next_due(exclude={a, b, c}) is None
