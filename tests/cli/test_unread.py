"""unread, mark-read, star and unstar: the times --before reads, and the calls that are refused
before anything is read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.cli.conftest import Invoke
from tidings.cli.unread import moment

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", NOW - timedelta(hours=2)),
        ("3d", NOW - timedelta(days=3)),
        ("1d 12h", NOW - timedelta(hours=36)),
        ("30m", NOW - timedelta(minutes=30)),
        ("2026-12-01T08:00:00+00:00", datetime(2026, 12, 1, 8, tzinfo=UTC)),
        ("2026-12-01T08:00Z", datetime(2026, 12, 1, 8, tzinfo=UTC)),
        ("2026-12-01T09:00+01:00", datetime(2026, 12, 1, 8, tzinfo=UTC)),
        ("2026-12-01T09:00", datetime(2026, 12, 1, 8, tzinfo=UTC)),  # the site's time zone
        ("2026-12-01", datetime(2026, 11, 30, 23, tzinfo=UTC)),  # midnight there
    ],
)
def test_a_time_is_iso_8601_or_how_long_ago(text: str, expected: datetime) -> None:
    assert moment(text, NOW, PARIS) == expected
    assert moment(text, NOW, PARIS).tzinfo == UTC


@pytest.mark.parametrize("text", ["", "45", "yesterday", "2h3d", "2026-13-01", "-2h"])
def test_what_is_not_a_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"^not a time: .*\(an ISO 8601 time such as"):
        moment(text, NOW, PARIS)


def add_reader(cli: Invoke) -> None:
    added = cli("user", "add", "bob", "--password-stdin", input="correct horse\n")
    assert added.exit_code == 0, added.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["mark-read"],
            "say which items: ITEM..., --feed ID, --folder NAME or --all (one of them)",
        ),
        (
            ["mark-read", "--all", "--feed", "1"],
            "say which items: ITEM..., --feed ID, --folder NAME or --all (one of them)",
        ),
        (["mark-read", "1", "--before", "2h"], "--before goes with --feed, --folder or --all"),
        (["mark-read", "one"], "not an item id: 'one'"),
        (["star", "-"], "not an item id: '-'"),
        (
            ["mark-read", "--all", "--before", "soon"],
            "--before: not a time: 'soon' (an ISO 8601 time such as 2026-12-01T08:00, "
            "or how long ago: 30m, 2h, 3d)",
        ),
        (["mark-read", "--folder", "News"], 'bob has no folder named "News"'),
        (["unread", "--folder", "News"], 'bob has no folder named "News"'),
        (["unread", "--feed", "7"], "bob does not follow 7"),
        (
            ["mark-read", "--feed", "http://example.org/feed"],
            "bob does not follow http://example.org/feed",
        ),
        (["star", "12"], "no item 12 in the feeds of bob"),
        (["unstar", "12"], "no item 12 in the feeds of bob"),
        (["mark-read", "12"], "no item 12 in the feeds of bob"),
    ],
)
def test_a_bad_call_is_one_line(cli: Invoke, args: list[str], message: str) -> None:
    add_reader(cli)
    result = cli("--user", "bob", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
