"""The count of failed attempts: a sliding window per key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tidings.web.attempts import Attempts, in_minutes

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_a_key_waits_after_too_many_failures_until_the_oldest_leaves_the_window() -> None:
    attempts = Attempts(limit=3, window=timedelta(minutes=10))
    for minute in range(3):
        assert attempts.wait("ada", NOW + timedelta(minutes=minute)) is None
        attempts.failed("ada", NOW + timedelta(minutes=minute))
    assert attempts.wait("ada", NOW + timedelta(minutes=3)) == timedelta(minutes=7)
    assert attempts.wait("bob", NOW + timedelta(minutes=3)) is None
    assert attempts.wait("ada", NOW + timedelta(minutes=10)) is None


def test_a_success_forgets_the_failures() -> None:
    attempts = Attempts(limit=1)
    attempts.failed("ada", NOW)
    assert attempts.wait("ada", NOW) is not None
    attempts.succeeded("ada")
    assert attempts.wait("ada", NOW) is None


def test_waits_read_in_whole_minutes_rounded_up() -> None:
    assert in_minutes(timedelta(seconds=1)) == "1 minute"
    assert in_minutes(timedelta(minutes=14, seconds=1)) == "15 minutes"
    assert in_minutes(timedelta(minutes=15)) == "15 minutes"
