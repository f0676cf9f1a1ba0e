"""Relative ages in every language: units as timefmt picks them, words as CLDR (Babel) has them.

Single-unit ages are checked for every language, unit and count against Babel's own
``format_timedelta`` (a separate code path over the same CLDR data), so the plural forms are
CLDR's, not ours. Two-unit ages and the words that carry the grammar are checked by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pytest
from babel.dates import TIMEDELTA_UNITS, format_timedelta
from dateutil.relativedelta import relativedelta

from tidings.agelocale import LANGUAGES, age, age_in, date, just_now, number, unit_age
from tidings.timefmt import relative_age

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
Field = Literal["year", "month", "week", "day", "hour", "minute", "second"]
FIELDS: dict[str, Field] = {
    "years": "year",
    "months": "month",
    "weeks": "week",
    "days": "day",
    "hours": "hour",
    "minutes": "minute",
    "seconds": "second",
}
UNITS = tuple(FIELDS)
SECONDS_PER = dict(TIMEDELTA_UNITS)


# --- English: the house text of timefmt, in the past --------------------------------------------

DIFFERENCES = [
    timedelta(days=17, hours=2),
    timedelta(days=18),
    timedelta(hours=1, minutes=8, seconds=30),
    timedelta(hours=2, minutes=5),
    timedelta(days=7, hours=3),
    timedelta(days=2, minutes=5),
    timedelta(seconds=45),
    timedelta(seconds=1),
    timedelta(days=400, hours=5),
    timedelta(days=62),
]


@pytest.mark.parametrize("difference", DIFFERENCES, ids=str)
def test_english_past_is_timefmt(difference: timedelta) -> None:
    assert age_in("en", NOW - difference, NOW) == relative_age(NOW - difference, NOW)


@pytest.mark.parametrize(
    ("then", "text"),
    [
        (NOW - relativedelta(months=1, days=1), "1 month ago"),
        (NOW - relativedelta(months=1, days=8), "1 month 1 week ago"),
        (NOW - relativedelta(years=1, months=2, days=3), "1 year 2 months ago"),
        (datetime(2026, 10, 1, 12, tzinfo=UTC), "1 month 3 weeks ago"),
    ],
)
def test_english_calendar_rows(then: datetime, text: str) -> None:
    assert age_in("en", then, NOW) == text == relative_age(then, NOW)


def test_english_every_minute_of_two_days_matches_timefmt() -> None:
    for minutes in range(1, 2 * 24 * 60, 7):
        then = NOW - timedelta(minutes=minutes, seconds=13)
        assert age_in("en", then, NOW) == relative_age(then, NOW)


def test_english_future_and_now_are_cldr() -> None:
    assert age_in("en", NOW + timedelta(hours=3), NOW) == "in 3 hours"
    assert age_in("en", NOW + timedelta(hours=2, minutes=21), NOW) == "in 2 hours 21 minutes"
    assert age_in("en", NOW, NOW) == "now"


# --- every language, unit and count against Babel ---------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_single_units_follow_cldr_plurals(language: str) -> None:
    for unit in UNITS:
        field = FIELDS[unit]
        for n in range(1, 201):
            span = timedelta(seconds=n * SECONDS_PER[field])
            for past, signed in ((True, -span), (False, span)):
                expected = format_timedelta(
                    signed,
                    threshold=10**9,
                    granularity=field,
                    add_direction=True,
                    format="long",
                    locale=language,
                )
                assert unit_age(language, unit, n, past=past) == expected, (unit, n, past)


@pytest.mark.parametrize("language", LANGUAGES)
def test_zero_follows_cldr_plurals(language: str) -> None:
    for unit in UNITS:
        expected = format_timedelta(
            timedelta(0),
            threshold=10**9,
            granularity=FIELDS[unit],
            add_direction=True,
            locale=language,
        )
        assert unit_age(language, unit, 0, past=False) == expected


# each unit alone: the counts an age can show of it without a second unit
SINGLE_SPANS: list[tuple[str, relativedelta, range]] = [
    ("weeks", relativedelta(weeks=1), range(1, 5)),
    ("days", relativedelta(days=1), range(1, 7)),
    ("hours", relativedelta(hours=1), range(1, 24)),
    ("minutes", relativedelta(minutes=1), range(1, 60)),
    ("seconds", relativedelta(seconds=1), range(1, 60)),
    ("months", relativedelta(months=1), range(1, 12)),
    ("years", relativedelta(years=1), range(1, 201)),
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_single_unit_ages_are_cldr_patterns(language: str) -> None:
    for unit, one, counts in SINGLE_SPANS:
        for n in counts:
            gap = one * n
            assert age_in(language, NOW - gap, NOW) == unit_age(language, unit, n, past=True)
            assert age_in(language, NOW + gap, NOW) == unit_age(language, unit, n, past=False)


# --- hand-checked words -----------------------------------------------------------------------

WEEK = timedelta(weeks=1)
TWO_WEEKS_THREE_DAYS = timedelta(days=17, hours=2)
FIVE_MINUTES = timedelta(minutes=5)
THREE_HOURS = timedelta(hours=3)

EXAMPLES = [
    # language, past 1 week, past 2 weeks 3 days, past 5 minutes, future 3 hours
    ("ru", "1 неделю назад", "2 недели и 3 дня назад", "5 минут назад", "через 3 часа"),
    ("uk", "1 тиждень тому", "2 тижні і 3 дні тому", "5 хвилин тому", "через 3 години"),
    ("pl", "1 tydzień temu", "2 tygodnie i 3 dni temu", "5 minut temu", "za 3 godziny"),
    ("cs", "před 1 týdnem", "před 2 týdny 3 dny", "před 5 minutami", "za 3 hodiny"),
    ("de", "vor 1 Woche", "vor 2 Wochen und 3 Tagen", "vor 5 Minuten", "in 3 Stunden"),
    ("fr", "il y a 1 semaine", "il y a 2 semaines 3 jours", "il y a 5 minutes", "dans 3 heures"),
    ("es", "hace 1 semana", "hace 2 semanas 3 días", "hace 5 minutos", "dentro de 3 horas"),
    ("it", "1 settimana fa", "2 settimane 3 giorni fa", "5 minuti fa", "tra 3 ore"),
    ("pt_BR", "há 1 semana", "há 2 semanas 3 dias", "há 5 minutos", "em 3 horas"),
    ("nl", "1 week geleden", "2 weken en 3 dagen geleden", "5 minuten geleden", "over 3 uur"),
    ("ja", "1 週間前", "2 週間3 日前", "5 分前", "3 時間後"),
    ("zh_Hans", "1周前", "2周和3天前", "5分钟前", "3小时后"),
    ("ar", "قبل أسبوع واحد", "قبل أسبوعين و3 أيام", "قبل 5 دقائق", "خلال 3 ساعات"),
]


@pytest.mark.parametrize(("language", "week", "two", "minutes", "hours"), EXAMPLES)
def test_hand_checked(language: str, week: str, two: str, minutes: str, hours: str) -> None:
    assert age_in(language, NOW - WEEK, NOW) == week
    assert age_in(language, NOW - TWO_WEEKS_THREE_DAYS, NOW) == two
    assert age_in(language, NOW - FIVE_MINUTES, NOW) == minutes
    assert age_in(language, NOW + THREE_HOURS, NOW) == hours


def test_two_units_keep_each_units_case() -> None:
    # the direction governs every amount: accusative after "назад", dative after "vor"
    assert age_in("ru", NOW - timedelta(days=8), NOW) == "1 неделю и 1 день назад"
    assert (
        age_in("ru", NOW - timedelta(minutes=21, seconds=1), NOW) == "21 минуту и 1 секунду назад"
    )
    assert age_in("de", NOW - timedelta(days=1, hours=1), NOW) == "vor 1 Tag und 1 Stunde"
    assert age_in("cs", NOW - timedelta(days=1, hours=1), NOW) == "před 1 dnem 1 hodinou"
    assert age_in("pl", NOW + timedelta(minutes=2, seconds=5), NOW) == "za 2 minuty i 5 sekund"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "قبل أسبوع واحد"),
        (2, "قبل أسبوعين"),
        (3, "قبل 3 أسابيع"),
        (10, "قبل 10 أسابيع"),
        (11, "قبل 11 أسبوعًا"),
        (99, "قبل 99 أسبوعًا"),
        (100, "قبل 100 أسبوع"),
    ],
)
def test_arabic_plural_forms(n: int, text: str) -> None:
    assert unit_age("ar", "weeks", n, past=True) == text


def test_two_units_never_show_a_zero_or_a_third_unit() -> None:
    # the units are timefmt's: "1 month 1 day" is "1 month", a week is never followed by hours
    then = NOW - relativedelta(months=1, days=1)
    assert age_in("ru", then, NOW) == "1 месяц назад"
    assert age_in("ja", NOW - timedelta(days=7, hours=3), NOW) == "1 週間前"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "now"),
        ("ru", "сейчас"),
        ("pl", "teraz"),
        ("ja", "今"),
        ("ar", "الآن"),
        ("de", "jetzt"),
    ],
)
def test_just_now(language: str, text: str) -> None:
    assert just_now(language) == text
    assert age_in(language, NOW - timedelta(milliseconds=900), NOW) == text
    assert age_in(language, NOW + timedelta(milliseconds=900), NOW) == text


def test_zone_decides_calendar_units() -> None:
    # 23:30 to 00:30 next day in Ljubljana is one hour, not a day
    zone = ZoneInfo("Europe/Ljubljana")
    then = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
    now = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert age_in("de", then, now, zone) == "vor 1 Stunde"


def test_locale_spellings_and_errors() -> None:
    assert age_in("pt-BR", NOW - WEEK, NOW) == "há 1 semana"
    with pytest.raises(ValueError, match="unknown language"):
        age_in("xx_NOPE", NOW - WEEK, NOW)
    with pytest.raises(ValueError, match="unknown unit"):
        unit_age("en", "fortnights", 2, past=True)


# --- what the pages show: age, short age, date, number ----------------------------------------


def test_english_pages_keep_the_house_words() -> None:
    assert age("en", NOW + THREE_HOURS, NOW) == "3 hours from now"
    assert age("en", NOW, NOW) == "just now"
    assert age("en", NOW - FIVE_MINUTES, NOW, short=True) == "5 min ago"
    assert date("en", NOW) == "Sat, 28 Nov 2026 12:00 UTC"


@pytest.mark.parametrize(
    ("language", "short_past", "short_future"),
    [
        ("de", "vor 5 Min.", "in 3 Std."),
        ("ru", "5 мин. назад", "через 3 ч"),
        ("ja", "5 分前", "3 時間後"),
        ("ar", "قبل 5 دقائق", "خلال 3 ساعات"),
    ],
)
def test_short_ages_use_cldr_short_patterns(
    language: str, short_past: str, short_future: str
) -> None:
    assert age(language, NOW - FIVE_MINUTES, NOW, short=True) == short_past
    assert age(language, NOW + THREE_HOURS, NOW, short=True) == short_future
    two_units = NOW - TWO_WEEKS_THREE_DAYS
    assert age(language, two_units, NOW, short=True) == unit_age(
        language, "weeks", 2, past=True, short=True
    )
    assert age(language, two_units, NOW) == age_in(language, two_units, NOW)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Sa., 28. Nov. 2026, 13:00 CET"),
        ("fr", "sam. 28 nov. 2026, 13:00 CET"),
        ("ja", "2026年11月28日(土) 13:00 CET"),
        ("ru", "сб, 28 нояб. 2026\u202fг., 13:00 CET"),
    ],
)
def test_dates_in_the_language_and_the_site_zone(language: str, text: str) -> None:
    assert date(language, NOW, ZoneInfo("Europe/Ljubljana")) == text


def test_numbers_as_each_language_writes_them() -> None:
    assert [number(lang, 12345) for lang in ("en", "de", "fr", "ja")] == [
        "12,345",
        "12.345",
        "12\u202f345",
        "12,345",
    ]
