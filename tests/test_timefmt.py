"""Relative ages, absolute dates and durations, with the clock always passed in.

The calendar rules follow dateutil's relativedelta on the wall clocks of the site's zone. What
that means at month ends, chosen and pinned down here:

- A month is counted from the earlier date's day, clipped to the end of a shorter month:
  Jan 31 + 1 month is Feb 28 (Feb 29 in a leap year). So Jan 28, 29, 30 and 31 are all exactly
  "1 month" before Feb 28, Jan 31 -> Mar 1 is 1 month 1 day ("1 month"), and Jan 31 -> Mar 30
  2024 is 1 month 30 days ("1 month 4 weeks": the clipped anchor Feb 29 leaves 30 days).
- Feb 29 + 1 year is Feb 28 of the next year: exactly "1 year".
- 30 days after a day in a 31-day month is still "4 weeks 2 days"; 30 days after a day in a
  30-day month is "1 month".
- The gap is always counted forward from the earlier time, so future and past read the same.
- Under one calendar day the elapsed time counts, not the wall clocks: across a DST change the
  wall clocks can be an hour off, or even run backwards in the repeated autumn hour.
- From one calendar day on, a day is a calendar day: noon to noon across a DST change is
  "1 day" although 23 or 25 hours passed.
- Seconds are truncated: 59.9 seconds is "59 seconds"; anything under 1 second is "just now".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from tidings import i18n
from tidings.timefmt import (
    absolute_date,
    count,
    format_duration,
    iso,
    parse_duration,
    relative_age,
    short_age,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LJUBLJANA = ZoneInfo("Europe/Ljubljana")
NEW_YORK = ZoneInfo("America/New_York")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def local(
    zone: tzinfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone, fold=fold)


# --- the DESIGN.md table, as differences back from NOW (2026-11-28 12:00 UTC) ----------------

DESIGN_TABLE = [
    (timedelta(days=17, hours=2), "2 weeks 3 days ago"),
    (timedelta(days=18), "2 weeks 4 days ago"),
    (timedelta(hours=1, minutes=8, seconds=30), "1 hour 8 minutes ago"),
    (timedelta(hours=2, minutes=5), "2 hours 5 minutes ago"),
    (timedelta(days=7, hours=3), "1 week ago"),
    (timedelta(days=2, minutes=5), "2 days ago"),
    (timedelta(seconds=45), "45 seconds ago"),
]


@pytest.mark.parametrize(("difference", "text"), DESIGN_TABLE, ids=[t for _, t in DESIGN_TABLE])
def test_design_table_by_difference(difference: timedelta, text: str) -> None:
    assert relative_age(NOW - difference, NOW) == text


# Rows that name calendar months need calendar dates.
CALENDAR_TABLE = [
    # 30 days within one calendar month (October has 31 days)
    (utc(2026, 10, 1, 9), utc(2026, 10, 31, 9), "4 weeks 2 days ago"),
    (utc(2026, 10, 29, 12), NOW, "4 weeks 2 days ago"),
    # 1 month 1 day: the zero weeks end the text before the day
    (utc(2026, 10, 27, 12), NOW, "1 month ago"),
    # 1 month 8 days
    (utc(2026, 10, 20, 12), NOW, "1 month 1 week ago"),
    # 1 year 2 months 3 days
    (utc(2025, 9, 25, 12), NOW, "1 year 2 months ago"),
    # 1 year 0 months 20 days: a year is never followed by days
    (utc(2025, 11, 8, 12), NOW, "1 year ago"),
    # 2 weeks 0 days 5 hours
    (utc(2026, 11, 14, 7), NOW, "2 weeks ago"),
    # 3 hours 0 minutes 20 seconds
    (utc(2026, 11, 28, 8, 59, 40), NOW, "3 hours ago"),
    # every unit alone, singular and plural
    (utc(2024, 11, 28, 12), NOW, "2 years ago"),
    (utc(2025, 11, 28, 12), NOW, "1 year ago"),
    (utc(2026, 8, 28, 12), NOW, "3 months ago"),
    (utc(2026, 11, 21, 12), NOW, "1 week ago"),
    (utc(2026, 11, 27, 12), NOW, "1 day ago"),
    (utc(2026, 11, 25, 12), NOW, "3 days ago"),
    (utc(2026, 11, 28, 11), NOW, "1 hour ago"),
    (utc(2026, 11, 28, 11, 59), NOW, "1 minute ago"),
    (utc(2026, 11, 28, 11, 52), NOW, "8 minutes ago"),
    (utc(2026, 11, 28, 11, 59, 59), NOW, "1 second ago"),
    (utc(2026, 11, 28, 11, 58, 59), NOW, "1 minute 1 second ago"),
    (utc(2026, 11, 27, 11), NOW, "1 day 1 hour ago"),
]


@pytest.mark.parametrize(
    ("when", "now", "text"), CALENDAR_TABLE, ids=[t for *_, t in CALENDAR_TABLE]
)
def test_calendar_table(when: datetime, now: datetime, text: str) -> None:
    assert relative_age(when, now) == text


# --- month ends, leap years, year boundaries ------------------------------------------------

MONTH_END_TABLE = [
    # Jan 31 + 1 month is clipped to Feb 28: the last days of January are all "1 month" before it
    ("jan31-feb28", utc(2026, 1, 31), utc(2026, 2, 28), "1 month ago"),
    ("jan28-feb28", utc(2026, 1, 28), utc(2026, 2, 28), "1 month ago"),
    ("jan27-feb28", utc(2026, 1, 27), utc(2026, 2, 28), "1 month ago"),
    ("jan31-feb27", utc(2026, 1, 31), utc(2026, 2, 27), "3 weeks 6 days ago"),
    # Jan 31 -> Mar 1 is 1 month 1 day, in common and leap years alike
    ("jan31-mar1", utc(2026, 1, 31), utc(2026, 3, 1), "1 month ago"),
    ("jan31-mar1-leap", utc(2024, 1, 31), utc(2024, 3, 1), "1 month ago"),
    ("jan31-feb29-leap", utc(2024, 1, 31), utc(2024, 2, 29), "1 month ago"),
    # the clipped anchor (Feb 29) leaves 30 days to Mar 30
    ("jan31-mar30-leap", utc(2024, 1, 31), utc(2024, 3, 30), "1 month 4 weeks ago"),
    ("jan31-mar31", utc(2026, 1, 31), utc(2026, 3, 31), "2 months ago"),
    ("feb28-mar28", utc(2026, 2, 28), utc(2026, 3, 28), "1 month ago"),
    ("mar31-apr30", utc(2026, 3, 31), utc(2026, 4, 30), "1 month ago"),
    # 30 days from a 30-day month's day is a whole month
    ("apr1-may1", utc(2026, 4, 1), utc(2026, 5, 1), "1 month ago"),
    # Feb 29 + 1 year is Feb 28
    ("feb29-feb28", utc(2024, 2, 29), utc(2025, 2, 28), "1 year ago"),
    ("feb29-mar1", utc(2024, 2, 29), utc(2025, 3, 1), "1 year ago"),
    ("feb28-feb29-leap", utc(2024, 2, 28), utc(2024, 2, 29), "1 day ago"),
    ("feb29-mar1-leap", utc(2024, 2, 29), utc(2024, 3, 1), "1 day ago"),
    ("feb28-mar1-leap", utc(2024, 2, 28), utc(2024, 3, 1), "2 days ago"),
    ("feb28-mar1", utc(2026, 2, 28), utc(2026, 3, 1), "1 day ago"),
    # year boundaries
    ("dec31-jan1", utc(2025, 12, 31, 12), utc(2026, 1, 1, 12), "1 day ago"),
    ("new-year-night", utc(2025, 12, 31, 23, 30), utc(2026, 1, 1, 0, 15), "45 minutes ago"),
    ("dec31-jan1-next-year", utc(2024, 12, 31), utc(2026, 1, 1), "1 year ago"),
    ("dec1-jan31", utc(2025, 12, 1), utc(2026, 1, 31), "1 month 4 weeks ago"),
    ("nov30-jan1", utc(2025, 11, 30), utc(2026, 1, 1), "1 month ago"),
]


@pytest.mark.parametrize(
    ("when", "now", "text"),
    [row[1:] for row in MONTH_END_TABLE],
    ids=[row[0] for row in MONTH_END_TABLE],
)
def test_month_ends_and_year_boundaries(when: datetime, now: datetime, text: str) -> None:
    assert relative_age(when, now) == text


# --- time zones and DST (Europe/Ljubljana: CET +1, CEST +2) ---------------------------------

ZONE_TABLE = [
    # Spring forward on 2026-03-29, 02:00 CET -> 03:00 CEST.
    # Noon to noon is one calendar day although only 23 hours passed.
    (
        "spring-noon-to-noon",
        local(LJUBLJANA, 2026, 3, 28, 12),
        local(LJUBLJANA, 2026, 3, 29, 12),
        "1 day ago",
    ),
    # 01:30 CET to 03:30 CEST is one hour, not the two the wall clocks suggest.
    (
        "spring-skipped-hour",
        local(LJUBLJANA, 2026, 3, 29, 1, 30),
        local(LJUBLJANA, 2026, 3, 29, 3, 30),
        "1 hour ago",
    ),
    # 22 h 30 min elapsed, 23 h 30 min by the wall clocks: under a calendar day, elapsed counts.
    (
        "spring-under-a-day",
        local(LJUBLJANA, 2026, 3, 28, 12),
        local(LJUBLJANA, 2026, 3, 29, 11, 30),
        "22 hours 30 minutes ago",
    ),
    # Fall back on 2026-10-25, 03:00 CEST -> 02:00 CET: 02:00-03:00 happens twice.
    # 02:30 CEST (first) to 02:10 CET (second) is 40 minutes, though the wall clock went back.
    (
        "autumn-repeated-hour",
        local(LJUBLJANA, 2026, 10, 25, 2, 30, fold=0),
        local(LJUBLJANA, 2026, 10, 25, 2, 10, fold=1),
        "40 minutes ago",
    ),
    (
        "autumn-noon-to-noon",
        local(LJUBLJANA, 2026, 10, 24, 12),
        local(LJUBLJANA, 2026, 10, 25, 12),
        "1 day ago",
    ),
    # 24 h 30 min elapsed, 23 h 30 min by the wall clocks: elapsed counts, so it never dips.
    (
        "autumn-over-a-day-elapsed",
        local(LJUBLJANA, 2026, 10, 24, 12),
        local(LJUBLJANA, 2026, 10, 25, 11, 30),
        "1 day ago",
    ),
    (
        "autumn-week",
        local(LJUBLJANA, 2026, 10, 20, 9),
        local(LJUBLJANA, 2026, 10, 27, 9),
        "1 week ago",
    ),
]


@pytest.mark.parametrize(
    ("when", "now", "text"),
    [row[1:] for row in ZONE_TABLE],
    ids=[row[0] for row in ZONE_TABLE],
)
def test_dst_changes_in_ljubljana(when: datetime, now: datetime, text: str) -> None:
    assert relative_age(when, now, LJUBLJANA) == text
    # The same instants given in UTC read the same: only the zone argument matters.
    assert relative_age(when.astimezone(UTC), now.astimezone(UTC), LJUBLJANA) == text


def test_the_site_zone_decides_where_months_end() -> None:
    # 2026-02-28 23:30 UTC is already March 1 in Ljubljana.
    when, now = utc(2026, 2, 28, 23, 30), utc(2026, 3, 28, 23, 45)
    assert relative_age(when, now) == "1 month ago"  # Feb 28 -> Mar 28
    assert relative_age(when, now, LJUBLJANA) == "4 weeks ago"  # Mar 1 -> Mar 29


def test_a_fixed_offset_zone_is_accepted() -> None:
    tz = timezone(timedelta(hours=-3))
    when, now = utc(2026, 3, 1, 1), utc(2026, 3, 29, 1)
    assert relative_age(when, now, tz) == "1 month ago"  # Feb 28 22:00 -> Mar 28 22:00
    assert relative_age(when, now) == "4 weeks ago"  # Mar 1 -> Mar 29


def test_naive_datetimes_are_utc() -> None:
    naive_when = datetime(2026, 11, 27, 11)
    assert relative_age(naive_when, NOW) == "1 day 1 hour ago"
    assert relative_age(NOW, naive_when.replace(tzinfo=None)) == "1 day 1 hour from now"
    assert relative_age(naive_when, NOW.replace(tzinfo=None), LJUBLJANA) == "1 day 1 hour ago"


# --- future, and the edges of "just now" ----------------------------------------------------

FUTURE_TABLE = [
    (timedelta(days=17, hours=2), "2 weeks 3 days from now"),
    (timedelta(hours=1, minutes=8, seconds=30), "1 hour 8 minutes from now"),
    (timedelta(seconds=1), "1 second from now"),
    (timedelta(seconds=59.9), "59 seconds from now"),
    (timedelta(days=7, hours=3), "1 week from now"),
]


@pytest.mark.parametrize(("difference", "text"), FUTURE_TABLE, ids=[t for _, t in FUTURE_TABLE])
def test_future(difference: timedelta, text: str) -> None:
    assert relative_age(NOW + difference, NOW) == text


def test_future_mirrors_the_past_at_month_ends() -> None:
    # Counted forward from the earlier time both ways, so the month-end clipping is the same.
    assert relative_age(utc(2024, 3, 30), utc(2024, 1, 31)) == "1 month 4 weeks from now"
    assert relative_age(utc(2024, 1, 31), utc(2024, 3, 30)) == "1 month 4 weeks ago"
    assert relative_age(utc(2026, 3, 1), utc(2026, 1, 31)) == "1 month from now"


EDGE_TABLE = [
    (timedelta(0), "just now"),
    (timedelta(microseconds=1), "just now"),
    (timedelta(seconds=0.999999), "just now"),
    (timedelta(seconds=-0.999999), "just now"),
    (timedelta(seconds=1), "1 second ago"),
    (timedelta(seconds=1.5), "1 second ago"),
    (timedelta(seconds=59.9), "59 seconds ago"),
    (timedelta(seconds=60), "1 minute ago"),
    (timedelta(seconds=-1), "1 second from now"),
    (timedelta(hours=23, minutes=59, seconds=59), "23 hours 59 minutes ago"),
    (timedelta(days=1), "1 day ago"),
]


@pytest.mark.parametrize(("difference", "text"), EDGE_TABLE, ids=[t for _, t in EDGE_TABLE])
def test_edges(difference: timedelta, text: str) -> None:
    assert relative_age(NOW - difference, NOW) == text


# --- English in the house's words, whatever language is spoken ------------------------------


def test_the_english_words_stay_english() -> None:
    """Other languages word ages through agelocale; these functions are its English."""
    with i18n.speaking("de"):
        assert relative_age(NOW - timedelta(days=17, hours=2), NOW) == "2 weeks 3 days ago"
        assert relative_age(NOW + timedelta(minutes=1), NOW) == "1 minute from now"
        assert relative_age(NOW, NOW) == "just now"
        assert absolute_date(NOW) == "Sat, 28 Nov 2026 12:00 UTC"


# --- absolute dates and ISO ------------------------------------------------------------------


class _Nameless(tzinfo):
    """A minimal tzinfo whose tzname is None, as third-party zones may be."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return -timedelta(hours=3, minutes=45)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str | None:
        return None


ABSOLUTE_TABLE = [
    (NOW, UTC, "Sat, 28 Nov 2026 12:00 UTC"),
    (NOW, LJUBLJANA, "Sat, 28 Nov 2026 13:00 CET"),
    (utc(2026, 7, 1, 0, 5), LJUBLJANA, "Wed, 1 Jul 2026 02:05 CEST"),
    (utc(2026, 12, 31, 23, 30), LJUBLJANA, "Fri, 1 Jan 2027 00:30 CET"),
    (utc(2026, 3, 1, 3), NEW_YORK, "Sat, 28 Feb 2026 22:00 EST"),
    # a zone without an abbreviation in the tz database prints its offset as given there
    (NOW, ZoneInfo("Asia/Dubai"), "Sat, 28 Nov 2026 16:00 +04"),
    (NOW, timezone(timedelta(hours=5, minutes=30)), "Sat, 28 Nov 2026 17:30 UTC+05:30"),
    # a zone that gives no name at all gets a numeric offset
    (NOW, _Nameless(), "Sat, 28 Nov 2026 08:15 -0345"),
    (datetime(2026, 11, 28, 12, 0), UTC, "Sat, 28 Nov 2026 12:00 UTC"),
]


@pytest.mark.parametrize(
    ("when", "tz", "text"), ABSOLUTE_TABLE, ids=[t for *_, t in ABSOLUTE_TABLE]
)
def test_absolute_date(when: datetime, tz: tzinfo, text: str) -> None:
    assert absolute_date(when, tz) == text


def test_absolute_date_defaults_to_utc() -> None:
    assert absolute_date(local(LJUBLJANA, 2026, 11, 28, 13)) == "Sat, 28 Nov 2026 12:00 UTC"


ISO_TABLE = [
    (NOW, "2026-11-28T12:00:00+00:00"),
    (datetime(2026, 11, 28, 12, 0, 5, 123456), "2026-11-28T12:00:05+00:00"),
    (local(LJUBLJANA, 2026, 7, 1, 2, 5), "2026-07-01T02:05:00+02:00"),
    (local(NEW_YORK, 2026, 1, 1, 9), "2026-01-01T09:00:00-05:00"),
]


@pytest.mark.parametrize(("when", "text"), ISO_TABLE, ids=[t for _, t in ISO_TABLE])
def test_iso(when: datetime, text: str) -> None:
    assert iso(when) == text
    # Whole seconds are enough for <time>; what is printed reads back as the same instant.
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    assert datetime.fromisoformat(text) == aware.replace(microsecond=0)


# --- durations -------------------------------------------------------------------------------

DURATION_TABLE = [
    ("45", 45),
    ("0", 0),
    ("90s", 90),
    ("30m", 1800),
    ("1h", 3600),
    ("2h30m", 9000),
    ("2h 30m", 9000),
    (" 2H30M ", 9000),
    ("1d", 86400),
    ("1d12h", 129600),
    ("1w", 604800),
    ("1h0m5s", 3605),
    ("100m", 6000),
]


@pytest.mark.parametrize(("text", "seconds"), DURATION_TABLE, ids=[t for t, _ in DURATION_TABLE])
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


# "٣" is an Arabic-Indic three: digits outside ASCII are not accepted.
BAD_DURATIONS = ["", "  ", "abc", "h", "-5", "1.5h", "30m2h", "1h1h", "2h30", "1y", "5 min", "٣"]


@pytest.mark.parametrize("text", BAD_DURATIONS)
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration") as info:
        parse_duration(text)
    assert repr(text) in str(info.value)


FORMAT_TABLE = [
    (0, "0s"),
    (1, "1s"),
    (59, "59s"),
    (60, "1m"),
    (90, "1m 30s"),
    (3600, "1h"),
    (5400, "1h 30m"),
    (86400, "1d"),
    (93784, "1d 2h 3m 4s"),
    (604800, "7d"),
]


@pytest.mark.parametrize(("seconds", "text"), FORMAT_TABLE, ids=[t for _, t in FORMAT_TABLE])
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


def test_format_duration_refuses_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_duration(-1)


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0 feeds"), (1, "1 feed"), (2, "2 feeds"), (21, "21 feeds")]
)
def test_counts_follow_the_plural_rule_of_ages(n: int, text: str) -> None:
    assert count(n, "feed", "feeds") == text


# --- short ages, for tables: one unit ---------------------------------------------------------

SHORT_TABLE = [
    (timedelta(days=17, hours=2), "2 weeks ago"),
    (timedelta(hours=1, minutes=8, seconds=30), "1 hour ago"),
    (timedelta(hours=22, minutes=34), "22 hours ago"),
    (timedelta(minutes=3, seconds=59), "3 min ago"),
    (timedelta(minutes=1), "1 min ago"),
    (timedelta(seconds=45), "45 sec ago"),
    (timedelta(days=2, minutes=5), "2 days ago"),
    (timedelta(days=400), "1 year ago"),
    (-timedelta(hours=23, minutes=50), "in 23 hours"),
    (-timedelta(minutes=14, seconds=40), "in 14 min"),
    (-timedelta(days=1, hours=3), "in 1 day"),
    (timedelta(milliseconds=400), "just now"),
    (-timedelta(milliseconds=400), "just now"),
]


@pytest.mark.parametrize(("difference", "text"), SHORT_TABLE, ids=[t for _, t in SHORT_TABLE])
def test_short_ages_have_one_unit(difference: timedelta, text: str) -> None:
    assert short_age(NOW - difference, NOW) == text


def test_short_ages_count_the_calendar_of_the_site_zone() -> None:
    when, now = utc(2026, 2, 28, 23), utc(2026, 3, 29, 12)
    assert short_age(when, now) == "1 month ago"  # Feb 28 -> Mar 28 in UTC
    assert short_age(when, now, LJUBLJANA) == "4 weeks ago"  # Mar 1 -> Mar 29 there
    assert short_age(utc(2026, 1, 1), utc(2026, 3, 5)) == "2 months ago"


def test_short_ages_in_english() -> None:
    assert short_age(NOW - timedelta(minutes=3), NOW) == "3 min ago"
    assert short_age(NOW + timedelta(hours=23), NOW) == "in 23 hours"
    assert short_age(NOW + timedelta(seconds=5), NOW) == "in 5 sec"
