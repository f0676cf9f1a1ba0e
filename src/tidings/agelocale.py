"""Relative ages in every language tidings speaks, worded by CLDR (through Babel).

Which units an age shows is decided once, in ``timefmt.age_units`` (DESIGN.md "Relative ages"):
the calendar gap in the site's zone, at most two units, largest first. Only the words differ:

- One unit: CLDR's relative-time pattern of that unit for the count's plural form, which has the
  grammar the direction needs ("1 неделю назад", "5 недель назад", "vor 3 Tagen", "قبل أسبوعين").
- Two units: each unit in that same inflected form, joined by the language's list pattern, inside
  the direction ("2 недели и 3 дня назад", "vor 2 Wochen und 3 Tagen"): the language's own
  narrow unit list where it has one ("2 weeks 3 days", "2 semanas 3 días"), else its "and"
  list. The inflected form and the direction come from splitting CLDR's relative patterns: the
  text every unit's pattern starts with ("vor ", "il y a ", "قبل ") or ends with (" назад", "前")
  is the direction, the rest is the unit in the case the direction governs. Nominative duration
  units ("1 неделя") would read wrongly after "назад" or "vor".
- Under one second: CLDR's "now" of the second field.

English built this way matches ``timefmt.relative_age`` in the past ("2 weeks 3 days ago"); in
the future it is CLDR's "in 3 hours", and under a second "now".

Arabic text is right-to-left: the element that shows it (or the page) must carry ``dir="rtl"``
(or ``dir="auto"``), so that the digits and words are laid out in reading order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from tidings import timefmt
from tidings.i18n import LANGUAGES
from tidings.timefmt import age_units

__all__ = ["LANGUAGES", "age", "age_in", "date", "just_now", "number", "unit_age"]


# timefmt's unit names and CLDR's date fields.
_FIELDS = {
    "years": "year",
    "months": "month",
    "weeks": "week",
    "days": "day",
    "hours": "hour",
    "minutes": "minute",
    "seconds": "second",
}

# Two units are a short list of amounts: the narrow unit list where the language has one of its
# own (English's "{0} {1}" is the house's "2 weeks 3 days"), else its plain "and" list.
_LIST_STYLES = ("unit-narrow", "standard")


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    """The Babel locale for "pt_BR", "pt-BR" or "zh_Hans"; an unknown name is a ValueError."""
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown language: {name!r}") from exc


def _patterns(locale: Locale, unit: str, direction: str, width: str = "") -> Mapping[str, str]:
    """CLDR's relative-time patterns of one unit, by plural form ("one", "few", "other"...);
    ``width`` "-short" gives the abbreviated ones ("vor 3 Min.")."""
    fields = locale._data["date_fields"]
    field = fields.get(_FIELDS[unit] + width) or fields[_FIELDS[unit]]
    patterns: Mapping[str, str] = field[direction]
    return patterns


def _pick(patterns: Mapping[str, str], locale: Locale, n: int) -> str:
    form = locale.plural_form(n)
    return patterns.get(form) or patterns["other"]


def _shared_start(texts: list[str]) -> str:
    """The longest text every one of ``texts`` starts with."""
    shortest = min(texts, key=len)
    for i, char in enumerate(shortest):
        if any(text[i] != char for text in texts):
            return shortest[:i]
    return shortest


def _common_ends(texts: Iterable[str]) -> tuple[str, str]:
    """The prefix before the number and the suffix after it that all ``texts`` share."""
    items = list(texts)
    prefix = _shared_start(items).split("{", 1)[0]
    suffix = _shared_start([t[::-1] for t in items])[::-1].rsplit("}", 1)[-1]
    return prefix, suffix


@lru_cache(maxsize=256)
def _direction(name: str, direction: str) -> tuple[str, str]:
    """The words of ``direction`` ("past"/"future") around an age, from all units' patterns."""
    locale = _locale(name)
    texts = [
        text for unit in _FIELDS for text in _patterns(locale, unit, direction).values() if text
    ]
    return _common_ends(texts)


@lru_cache(maxsize=64)
def _pair_pattern(name: str) -> str:
    """The language's pattern for a list of two amounts ("{0} {1}", "{0} i {1}", "{0} و{1}")."""
    lists = _locale(name)._data["list_patterns"]
    for style in _LIST_STYLES:
        patterns = lists.get(style)
        if patterns is None:
            continue
        pattern = patterns.get("2") or patterns.get("end")
        if pattern:
            return str(pattern)
    return "{0} {1}"


def _inflected(name: str, unit: str, n: int, direction: str) -> str:
    """One amount in the case its direction governs: "1 неделю", "3 Tagen", "أسبوعين"."""
    text = unit_age(name, unit, n, past=direction == "past")
    prefix, suffix = _direction(name, direction)
    return text[len(prefix) : len(text) - len(suffix)]


def unit_age(locale: str, unit: str, n: int, *, past: bool, short: bool = False) -> str:
    """``n`` of one unit ("weeks", "days"...) as an age: CLDR's pattern for ``n``'s plural form
    (its abbreviated one when ``short``)."""
    if unit not in _FIELDS:
        raise ValueError(f"unknown unit: {unit!r} (one of {', '.join(_FIELDS)})")
    return _pattern(locale, unit, n, "past" if past else "future", short).replace("{0}", str(n))


@lru_cache(maxsize=8192)
def _pattern(name: str, unit: str, n: int, direction: str, short: bool) -> str:
    """The one pattern an amount takes; kept, as Babel's locale data is slow to walk and a
    page asks for the same few amounts many times."""
    loc = _locale(name)
    return _pick(_patterns(loc, unit, direction, "-short" if short else ""), loc, n)


def just_now(locale: str) -> str:
    """CLDR's "now" (the second field's relative 0), for an age under one second."""
    relative = _locale(locale)._data["date_fields"]["second"].get("relative", {})
    text = relative.get(0)
    return str(text) if text else unit_age(locale, "seconds", 0, past=True)


def age_in(locale: str, then: datetime, now: datetime, tz: tzinfo = UTC) -> str:
    """How long ago (or until) ``then`` is, in ``locale``'s words, with ``timefmt``'s units."""
    picked, past = age_units(then, now, tz)
    if not picked:
        return just_now(locale)
    if len(picked) == 1:
        unit, n = picked[0]
        return unit_age(locale, unit, n, past=past)
    direction = "past" if past else "future"
    first, second = (_inflected(locale, unit, n, direction) for unit, n in picked)
    prefix, suffix = _direction(locale, direction)
    return prefix + _pair_pattern(locale).replace("{0}", first).replace("{1}", second) + suffix


def age(
    language: str, then: datetime, now: datetime, tz: tzinfo = UTC, *, short: bool = False
) -> str:
    """The age the pages show, in ``language``: English in the house's words (DESIGN.md
    "Relative ages": "3 hours from now", "just now"), every other language in CLDR's; ``short``
    is one unit, abbreviated where the language abbreviates ("3 min ago", "vor 3 Min.")."""
    if language == "en":
        return (timefmt.short_age if short else timefmt.relative_age)(then, now, tz)
    if not short:
        return age_in(language, then, now, tz)
    picked, past = age_units(then, now, tz)
    if not picked:
        return just_now(language)
    unit, n = picked[0]
    return unit_age(language, unit, n, past=past, short=True)


def date(language: str, when: datetime, tz: tzinfo = UTC) -> str:
    """The full date and time for ``<time title>`` in the language's own order and words, in the
    site's zone, which is named by its abbreviation ("CET", "UTC") in every language."""
    if language == "en":
        return timefmt.absolute_date(when, tz)
    from babel.dates import format_skeleton, format_time

    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(tz)
    loc = _locale(language)
    day = format_skeleton("yMMMEd", local, locale=loc)
    clock = format_time(local, "short", locale=loc)
    both = str(loc.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)
    return f"{both} {timefmt.zone_name(local)}"


def number(language: str, n: float) -> str:
    """A number as the language writes it: "12,345", "12.345", "12 345"."""
    from babel.numbers import format_decimal

    return format_decimal(n, locale=_locale(language))
