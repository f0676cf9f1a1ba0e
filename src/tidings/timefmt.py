"""Relative ages ("2 weeks 3 days ago"), absolute dates and durations, as people read them.

Ages follow DESIGN.md "Relative ages". The words here are English, the house's own ("3 hours
from now", "just now"); ``tidings.agelocale`` words the same units in every other language from
CLDR, and picks these for English. The duration messages go through ``tidings.i18n``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from dateutil.relativedelta import relativedelta

from tidings.i18n import gettext as _

__all__ = [
    "absolute_date",
    "age_units",
    "count",
    "format_duration",
    "iso",
    "parse_duration",
    "relative_age",
    "short_age",
    "zone_name",
]


def count(n: int, singular: str, plural: str) -> str:
    """An English count: ``count(1, "item", "items")`` is "1 item" (for a feed's stored notes;
    a text people read in their language uses ``i18n.ngettext`` with the whole sentence)."""
    return f"{n} {singular if n == 1 else plural}"


# --- relative ages ----------------------------------------------------------------------------


def _unit_text(unit: str, n: int) -> str:
    """One unit with its number: "1 week", "3 days"."""
    return f"{n} {unit[:-1] if n == 1 else unit}"


def _as_utc(when: datetime) -> datetime:
    """Naive datetimes are UTC by the house rule (the parser stores dates in UTC)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _wall(when: datetime, tz: tzinfo) -> datetime:
    """The wall-clock time in ``tz``, naive, so that a calendar counts it."""
    return _as_utc(when).astimezone(tz).replace(tzinfo=None)


def _units(earlier: datetime, later: datetime, tz: tzinfo) -> list[tuple[str, int]]:
    """The gap from ``earlier`` to ``later`` (later >= earlier) as a calendar counts it in ``tz``.

    Years, months and days are calendar units: they come from relativedelta on the wall clocks.
    When the wall clocks are less than a day apart, the elapsed time is used instead: around a
    DST change the wall clocks can disagree with the elapsed time by an hour, and even run
    backwards (the repeated hour in autumn), which would make a 40-minute-old item "20 minutes
    from now". From one calendar day on, a day is a calendar day (23 or 25 hours across DST).
    """
    rd = relativedelta(_wall(later, tz), _wall(earlier, tz))
    if rd.years > 0 or rd.months > 0 or rd.days > 0:
        years, months, days = rd.years, rd.months, rd.days
        hours, minutes, seconds = rd.hours, rd.minutes, rd.seconds
    else:
        elapsed = int((_as_utc(later) - _as_utc(earlier)).total_seconds())
        years = months = 0
        days, rest = divmod(elapsed, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
    weeks, days = divmod(days, 7)
    return [
        ("years", years),
        ("months", months),
        ("weeks", weeks),
        ("days", days),
        ("hours", hours),
        ("minutes", minutes),
        ("seconds", seconds),
    ]


def age_units(
    when: datetime, now: datetime, tz: tzinfo = UTC
) -> tuple[list[tuple[str, int]], bool]:
    """The units an age prints, largest first, and whether ``when`` is in the past.

    At most two units; after the first unit, a zero unit ends the list ("1 month 1 day" keeps
    "1 month"). Empty under one second ("just now"). Shared by every language's wording.
    """
    elapsed = _as_utc(now) - _as_utc(when)
    past = elapsed > timedelta(0)
    if abs(elapsed) < timedelta(seconds=1):
        return [], past
    earlier, later = (when, now) if past else (now, when)
    picked: list[tuple[str, int]] = []
    for unit, n in _units(earlier, later, tz):
        if n > 0:
            picked.append((unit, n))
            if len(picked) == 2:
                break
        elif picked:
            break
    # never empty: at least one second passed, and a calendar gap has a nonzero unit.
    return picked, past


def relative_age(when: datetime, now: datetime, tz: tzinfo = UTC) -> str:
    """How long ago (or until) ``when`` is, as "2 weeks 3 days ago" or "1 hour from now".

    The gap is always counted forward from the earlier of the two times, so a gap reads the same
    in the past and in the future. At most two units, largest first; after the first unit, a
    zero unit ends the text ("1 month 1 day" prints "1 month"). Seconds are truncated.
    """
    picked, past = age_units(when, now, tz)
    if not picked:
        return "just now"
    age = " ".join(_unit_text(unit, n) for unit, n in picked)
    return f"{age} ago" if past else f"{age} from now"


def _short_unit_text(unit: str, n: int) -> str:
    """One unit in its short form, where space is tight ("3 min", "23 hours")."""
    if unit in ("minutes", "seconds"):
        return f"{n} {unit[:3]}"
    return _unit_text(unit, n)


def short_age(when: datetime, now: datetime, tz: tzinfo = UTC) -> str:
    """The age in one unit, for tables and other tight places: "3 min ago", "in 23 hours".

    The largest unit that is not zero, truncated as in ``relative_age`` (so "1 hour 8 minutes
    ago" is "1 hour ago" here); minutes and seconds are abbreviated. Under a second: "just now".
    """
    elapsed = _as_utc(now) - _as_utc(when)
    if abs(elapsed) < timedelta(seconds=1):
        return "just now"
    past = elapsed > timedelta(0)
    earlier, later = (when, now) if past else (now, when)
    # at least one second passed, so one unit is not zero
    unit, n = next((unit, n) for unit, n in _units(earlier, later, tz) if n > 0)
    age = _short_unit_text(unit, n)
    return f"{age} ago" if past else f"in {age}"


# --- absolute dates ---------------------------------------------------------------------------


def _weekday_name(weekday: int) -> str:
    """Spelled out here rather than by strftime, which follows the process locale (English: the
    other languages' dates are Babel's, ``agelocale.date``)."""
    return (
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    )[weekday]


def _month_name(month: int) -> str:
    return (
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    )[month - 1]


def zone_name(local: datetime) -> str:
    """The zone abbreviation (CET, CEST, UTC); an offset for zones that have none."""
    name = local.tzname()
    if name:
        return name
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = int(abs(offset).total_seconds()) // 60
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def absolute_date(when: datetime, tz: tzinfo = UTC) -> str:
    """The date for the ``title`` of ``<time>``: "Sat, 28 Nov 2026 12:34 UTC" in the site's zone."""
    local = _as_utc(when).astimezone(tz)
    return (
        f"{_weekday_name(local.weekday())}, {local.day} {_month_name(local.month)} {local.year} "
        f"{local.hour:02d}:{local.minute:02d} {zone_name(local)}"
    )


def iso(when: datetime) -> str:
    """ISO-8601 with an offset, for the ``datetime`` attribute of ``<time>``; naive means UTC."""
    aware = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return aware.isoformat(timespec="seconds")


# --- durations (CLI options) ------------------------------------------------------------------

# The unit letters are the command line's syntax, not words: they are never translated, so that
# what format_duration prints can always be typed back.
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION_PART = re.compile(r"\s*(\d+)\s*([wdhms])", re.IGNORECASE | re.ASCII)


def parse_duration(text: str) -> int:
    """Seconds in "45", "90s", "30m", "2h30m", "1d 12h" or "1w", for command-line options.

    Units go largest first and each at most once, so that a typo like "30m2h" is an error
    rather than a guess.
    """
    stripped = text.strip()
    if stripped.isdigit() and stripped.isascii():
        return int(stripped)
    total = 0
    position = 0
    last_rank = -1
    ranks = list(_UNIT_SECONDS)
    while position < len(stripped):
        match = _DURATION_PART.match(stripped, position)
        if match is None:
            break
        rank = ranks.index(match.group(2).lower())
        if rank <= last_rank:
            break
        last_rank = rank
        total += int(match.group(1)) * _UNIT_SECONDS[ranks[rank]]
        position = match.end()
    else:
        if stripped and stripped.isascii():
            return total
    raise ValueError(
        _("not a duration: %(text)r (examples: 45, 90s, 30m, 2h30m, 1d)") % {"text": text}
    )


def format_duration(seconds: int) -> str:
    """The reverse of parse_duration: 5400 -> "1h 30m"; what it prints parses back."""
    if seconds < 0:
        raise ValueError(_("a duration cannot be negative: %(n)d") % {"n": seconds})
    if seconds == 0:
        return "0s"
    parts: list[str] = []
    rest = seconds
    for letter in ("d", "h", "m", "s"):
        n, rest = divmod(rest, _UNIT_SECONDS[letter])
        if n:
            parts.append(f"{n}{letter}")
    return " ".join(parts)
