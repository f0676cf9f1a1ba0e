"""The search query language: any string to a query, its structure, its limits, its problems."""

from __future__ import annotations

from tidings.store.searchquery import MAX_QUERY_CHARS, MAX_TERMS, Phrase, parse_query


def test_problems_are_explained() -> None:
    assert parse_query("ferry").problem is None
    assert "excluded" in (parse_query("-ferry -rain").problem or "")
    assert "no letters or digits" in (parse_query("*** ((( :").problem or "")
    assert parse_query("").problem == "Type a word to look for."


def test_query_structure() -> None:
    q = parse_query('budget "ferry timetable" OR rain -wind -"port side" OR storm')
    assert q.required == (
        (Phrase(("budget",)),),
        (Phrase(("ferry", "timetable")), Phrase(("rain",))),
        (Phrase(("storm",)),),
    )
    # OR after an exclusion joins nothing: storm is required
    assert q.excluded == (Phrase(("wind",)), Phrase(("port", "side")))


def test_long_queries_are_cut() -> None:
    many = parse_query(" ".join(f"w{n}" for n in range(100)))
    assert many.truncated and len(many.required) == MAX_TERMS
    long = parse_query("x" * (MAX_QUERY_CHARS + 1))
    assert long.truncated and len(long.text) == MAX_QUERY_CHARS
    assert not parse_query("short").truncated
