"""Dates from feeds, as timezone-aware UTC datetimes, or None when they cannot be read.

feedparser already turns the dates it understands into UTC ``struct_time``; this module converts
those, and reads what feedparser gave up on and every JSON Feed date. It never raises: a feed's
date is a hint, and a broken one must not cost the item. Future dates are kept as given (the
update layer clamps them for sorting).
"""

from __future__ import annotations

import contextlib
import re
import time
import warnings
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_tz

from dateutil import parser as dateutil_parser

# Zone names seen in feeds, beyond the few RFC 822 knows (email.utils handles UT, GMT, EST ...).
ZONE_OFFSETS: dict[str, int] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "IST": 330,
    "CET": 60, "CEST": 120, "MET": 60, "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600, "AST": -240,
    "ADT": -180, "NST": -210, "NDT": -150, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480,
    "AWST": 480, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720,
    "NZDT": 780, "BRT": -180, "ART": -180, "PHT": 480, "WIB": 420,
}  # fmt: skip

_ISO = re.compile(
    r"""
    (?P<year>\d{4})
    (?:-?(?P<month>\d{2})
      (?:-?(?P<day>\d{2})
        (?:(?:T|\s+)
          (?P<hour>\d{2}):?(?P<minute>\d{2})
          (?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?
          \s*(?P<zone>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?
        )?
      )?
    )?
    """,
    re.VERBOSE | re.IGNORECASE,
)
_WEEKDAY_PREFIX = re.compile(r"^[A-Za-z]+\.?,?\s*(?=\d)")
_MONTHS = {
    "january": "Jan", "february": "Feb", "march": "Mar", "april": "Apr", "june": "Jun",
    "july": "Jul", "august": "Aug", "september": "Sep", "sept": "Sep", "october": "Oct",
    "november": "Nov", "december": "Dec",
}  # fmt: skip
_MONTH_WORD = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b\.?", re.IGNORECASE)
_COLON_OFFSET = re.compile(r"([+-]\d{2}):(\d{2})\s*$")
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC|UT)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.IGNORECASE)
_ZONE_WORD = re.compile(r"\b([A-Z]{1,5})\s*$")
_COMMENT = re.compile(r"\s*\([^)]*\)\s*$")
_TWELVE_HOUR = re.compile(r"\b(\d{1,2})(:\d{2}(?::\d{2})?)\s*([AaPp])\.?[Mm]\.?(?=\s|$)")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?!\d)")
_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
# the common cases, read directly (a test holds them equal to the full RFC 822 reading)
_PLAIN_RFC822 = re.compile(
    r"(?:[A-Za-z]+\.?,?\s*)?(\d{1,2}) ([A-Za-z]{3}) ([1-9]\d{3}) (\d{2}):(\d{2})(?::(\d{2}))? "
    r"([+-]\d{4}|[A-Z]{1,5})"
)
_FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")


def from_struct_time(value: object) -> datetime | None:
    """feedparser's ``*_parsed`` (a UTC struct_time) as an aware datetime."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(
            value.tm_year,
            value.tm_mon,
            value.tm_mday,
            value.tm_hour,
            value.tm_min,
            min(value.tm_sec, 59),  # leap seconds
            tzinfo=UTC,
        )
    except (ValueError, OverflowError, TypeError):
        return None


def parse_date(value: object, *, loose: bool = True) -> datetime | None:
    """RFC 3339 / ISO 8601 / W3CDTF, RFC 822 / 2822 and their common breakages, in UTC.

    ``loose=False`` skips the last-resort reader (dateutil), for callers with a better fallback.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100:
        return None
    plain = _PLAIN_RFC822.fullmatch(text)
    if plain is not None:
        with contextlib.suppress(ValueError, KeyError):
            return _plain_rfc822(plain)
    readers = (_parse_iso, _parse_rfc822, _parse_loose) if loose else (_parse_iso, _parse_rfc822)
    for reader in readers:
        try:
            result = reader(text)
        except (ValueError, OverflowError, TypeError, IndexError):
            result = None
        if result is not None:
            return result
    return None


def _plain_rfc822(match: re.Match[str]) -> datetime:
    """The usual RSS date ("Tue, 02 Jan 2024 10:00:00 +0100") as ``_parse_rfc822`` reads it,
    without its normalizing passes; ValueError sends anything odd to the full readers."""
    day, month, year, hour, minute, second, zone = match.groups()
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:5])
        if hours >= 24:
            raise ValueError(zone)
        offset = (-1 if zone[0] == "-" else 1) * (hours * 3600 + minutes * 60)
    elif zone in ZONE_OFFSETS:
        offset = ZONE_OFFSETS[zone] * 60
    else:
        raise ValueError(zone)
    moment = datetime(
        int(year), _MONTH_NUMBERS[month.capitalize()], int(day), int(hour), int(minute),
        min(int(second or 0), 59), tzinfo=UTC,
    )  # fmt: skip
    return moment - timedelta(seconds=offset)


def _to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _parse_iso(text: str) -> datetime | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    hour = int(parts["hour"] or 0)
    extra = timedelta()
    if hour == 24:  # "24:00" is midnight at the end of the day
        hour, extra = 0, timedelta(days=1)
    fraction = parts["fraction"] or "0"
    moment = datetime(
        int(parts["year"]),
        int(parts["month"] or 1),
        int(parts["day"] or 1),
        hour,
        int(parts["minute"] or 0),
        min(int(parts["second"] or 0), 59),
        int(fraction[:6].ljust(6, "0")),
        tzinfo=_zone(parts["zone"]),
    )
    return _to_utc(moment + extra)


def _zone(zone: str | None) -> timezone:
    if not zone or zone.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return timezone(sign * timedelta(minutes=minutes))


def _normalize_rfc822(text: str) -> str:
    text = _COMMENT.sub("", text)
    text = _WEEKDAY_PREFIX.sub("", text)
    text = _MONTH_WORD.sub(lambda m: _MONTHS[m.group(1).lower()], text)
    text = _COLON_OFFSET.sub(r"\1\2", text)
    text = _TWELVE_HOUR.sub(_to_24_hour, text)
    gmt = _GMT_OFFSET.search(text)
    if gmt is not None:
        sign, hours, minutes = gmt.group(1), int(gmt.group(2)), gmt.group(3) or "00"
        text = text[: gmt.start()] + f"{sign}{hours:02d}{minutes}"
    zone = _ZONE_WORD.search(text)
    if zone is not None and zone.group(1) in ZONE_OFFSETS:
        offset = ZONE_OFFSETS[zone.group(1)]
        sign = "-" if offset < 0 else "+"
        text = text[: zone.start()] + f"{sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
    return text


def _to_24_hour(match: re.Match[str]) -> str:
    hour = int(match.group(1)) % 12
    if match.group(3).lower() == "p":
        hour += 12
    return f"{hour:02d}{match.group(2)}"


def _parse_rfc822(text: str) -> datetime | None:
    parsed = parsedate_tz(_normalize_rfc822(text))
    if parsed is None:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    offset = parsed[9] or 0
    if abs(offset) >= 24 * 3600:
        return None
    moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    return moment - timedelta(seconds=offset)


def _parse_loose(text: str) -> datetime | None:
    """Last resort for odd but unambiguous spellings; insists on a four-digit year."""
    if _FOUR_DIGIT_YEAR.search(text) is None:
        return None
    numeric = _NUMERIC_DATE.search(text)
    if numeric is not None:
        day_or_month = {int(numeric.group(1)), int(numeric.group(2))}
        if len(day_or_month) == 2 and max(day_or_month) <= 12:
            return None  # 05/03/2019: March or May? Better no date than a wrong one
    tzinfos = {name: minutes * 60 for name, minutes in ZONE_OFFSETS.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            moment = dateutil_parser.parse(
                text, default=datetime(2000, 1, 1), tzinfos=tzinfos, fuzzy=False
            )
        except (dateutil_parser.ParserError, ValueError, OverflowError):
            return None
    return _to_utc(moment)
