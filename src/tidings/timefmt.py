"""Relative ages ("2 weeks 3 days ago"), absolute dates and durations, as people read them.

Ages follow DESIGN.md "Relative ages". Every word a reader sees goes through ``tidings.i18n``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from dateutil.relativedelta import relativedelta

from tidings.i18n import gettext, ngettext

_ = gettext

__all__ = [
    "absolute_date",
    "age_units",
    "count",
    "format_duration",
    "gettext",
    "iso",
    "ngettext",
    "parse_duration",
    "relative_age",
    "short_age",
    "zone_name",
]


def count(n: int, singular: str, plural: str) -> str:
    """A number with its noun in the right form: ``count(1, "item", "items")`` is "1 item"."""
    return f"{n} {ngettext(singular, plural, n)}"


# --- relative ages ----------------------------------------------------------------------------


def _unit_text(unit: str, n: int) -> str:
    """One unit with its number. Whole messages, so that a translator can reorder the words."""
    if unit == "years":
        text = ngettext("%(n)d year", "%(n)d years", n)
    elif unit == "months":
        text = ngettext("%(n)d month", "%(n)d months", n)
    elif unit == "weeks":
        text = ngettext("%(n)d week", "%(n)d weeks", n)
    elif unit == "days":
        text = ngettext("%(n)d day", "%(n)d days", n)
    elif unit == "hours":
        text = ngettext("%(n)d hour", "%(n)d hours", n)
    elif unit == "minutes":
        text = ngettext("%(n)d minute", "%(n)d minutes", n)
    else:
        text = ngettext("%(n)d second", "%(n)d seconds", n)
    return text % {"n": n}


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
        return _("just now")
    parts = [_unit_text(unit, n) for unit, n in picked]
    age = parts[0]
    if len(parts) == 2:
        age = _("%(first)s %(second)s") % {"first": parts[0], "second": parts[1]}
    if past:
        return _("%(age)s ago") % {"age": age}
    return _("%(age)s from now") % {"age": age}


def _short_unit_text(unit: str, n: int) -> str:
    """One unit in its short form, where space is tight ("3 min", "23 hours")."""
    if unit == "minutes":
        return ngettext("%(n)d min", "%(n)d min", n) % {"n": n}
    if unit == "seconds":
        return ngettext("%(n)d sec", "%(n)d sec", n) % {"n": n}
    return _unit_text(unit, n)


def short_age(when: datetime, now: datetime, tz: tzinfo = UTC) -> str:
    """The age in one unit, for tables and other tight places: "3 min ago", "in 23 hours".

    The largest unit that is not zero, truncated as in ``relative_age`` (so "1 hour 8 minutes
    ago" is "1 hour ago" here); minutes and seconds are abbreviated. Under a second: "just now".
    """
    elapsed = _as_utc(now) - _as_utc(when)
    if abs(elapsed) < timedelta(seconds=1):
        return _("just now")
    past = elapsed > timedelta(0)
    earlier, later = (when, now) if past else (now, when)
    # at least one second passed, so one unit is not zero
    unit, n = next((unit, n) for unit, n in _units(earlier, later, tz) if n > 0)
    age = _short_unit_text(unit, n)
    if past:
        return _("%(age)s ago") % {"age": age}
    return _("in %(age)s") % {"age": age}


# --- absolute dates ---------------------------------------------------------------------------


def _weekday_name(weekday: int) -> str:
    """Spelled out here rather than by strftime, which follows the process locale, not ours."""
    return (
        _("Mon"),
        _("Tue"),
        _("Wed"),
        _("Thu"),
        _("Fri"),
        _("Sat"),
        _("Sun"),
    )[weekday]


def _month_name(month: int) -> str:
    return (
        _("Jan"),
        _("Feb"),
        _("Mar"),
        _("Apr"),
        _("May"),
        _("Jun"),
        _("Jul"),
        _("Aug"),
        _("Sep"),
        _("Oct"),
        _("Nov"),
        _("Dec"),
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
    return _("%(weekday)s, %(day)d %(month)s %(year)d %(time)s %(zone)s") % {
        "weekday": _weekday_name(local.weekday()),
        "day": local.day,
        "month": _month_name(local.month),
        "year": local.year,
        "time": f"{local.hour:02d}:{local.minute:02d}",
        "zone": zone_name(local),
    }


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
