"""The fetch log, kept short per feed, and the health report of failing and disabled feeds."""

from __future__ import annotations

from datetime import timedelta

from tests.store.plans import NOW, failed, ok
from tidings.store.history import FETCH_LOG_KEEP
from tidings.store.store import Store
from tidings.types import UpdatePlan


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
