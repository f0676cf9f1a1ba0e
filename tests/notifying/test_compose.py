"""The words and the clock of the notifications (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.arrival import DigestEntry, OutboxMessage
from tidings.notifying.compose import backoff, batch, digest, failing_notice, short_error
from tidings.types import Feed

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def message(
    title: str, kind: str = "item", body: str = "", link: str | None = None
) -> OutboxMessage:
    return OutboxMessage(1, 1, kind, title, body, link, NOW, 0)


@pytest.mark.parametrize(
    ("failures", "rest"),
    [(0, 60), (1, 60), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (50, 3600)],
)
def test_a_target_rests_longer_after_each_failure_up_to_an_hour(failures: int, rest: int) -> None:
    assert backoff(failures) == timedelta(seconds=rest)


def test_one_message_goes_as_it_was_queued() -> None:
    assert batch([message("Storm", body="Ferries stop", link="https://e.org/s")]) == (
        "Storm",
        "Ferries stop\nhttps://e.org/s",
    )
    assert batch([message("Storm")]) == ("Storm", "Storm")


def test_several_messages_are_listed_with_their_links() -> None:
    title, body = batch([message("a", link="https://e.org/a"), message("b", kind="health")])
    assert title == "2 notifications"
    assert body == "• a\n  https://e.org/a\n• b"


def test_a_digest_lists_ten_items_a_feed_and_counts_the_rest() -> None:
    entries = [DigestEntry("Ferries", f"t{n}", f"https://e.org/{n}") for n in range(12)]
    entries.append(DigestEntry("Weather", "Rain", None))
    made = digest(entries, "tidings")
    assert made is not None
    title, body = made
    assert title == "tidings: 13 new items today"
    assert "Ferries (12)" in body and "… and 2 more" in body and "t9" in body
    assert "t10" not in body and body.endswith("Weather (1)\n  • Rain")
    assert digest([], "tidings") is None


def test_the_health_notice_says_since_when_and_why() -> None:
    feed = Feed(
        1,
        "https://e.org/f",
        "Ferries",
        None,
        None,
        None,
        NOW,
        None,
        None,
        None,
        3,
        "HTTP 500",
        None,
        None,
        None,
        error_since=NOW - timedelta(days=1),
    )
    title, body = failing_notice(feed)
    assert title == "Feed failing for a day: Ferries"
    assert body == "https://e.org/f\nfailing since 2026-11-27 12:00 UTC: HTTP 500"


def test_errors_are_kept_short_on_one_line() -> None:
    assert short_error("a\n  b") == "a b"
    assert len(short_error("x" * 2000)) == 500
