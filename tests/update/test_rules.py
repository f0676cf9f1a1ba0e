"""Rules' conditions, pure: every field, both matches and NOT, the scopes, the checks a rule
passes when it is written, the limits, and a catastrophic regex stopped within its time."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tidings.arrival import Rule, RuleDraft
from tidings.types import Item, ParsedItem
from tidings.update.rules import (
    MAX_TEXT,
    REGEX_SECONDS,
    ItemText,
    Matcher,
    RuleError,
    RuleFailure,
    check_draft,
    matchers,
    text_of_item,
    text_of_parsed,
)

NOW = datetime(2026, 12, 4, tzinfo=UTC)
TEXT = ItemText(
    title="Python 3.14 Released",
    content="The release notes, in full.",
    author="Ann Example",
    link="https://example.org/python/3.14",
    categories=("Releases", "Languages"),
)


def rule(
    field: str,
    pattern: str,
    *,
    match: str = "contains",
    negate: bool = False,
    action: str = "label",
    feed_id: int | None = None,
    folder: str | None = None,
    **extra: object,
) -> Rule:
    return Rule(
        id=1,
        user_id=None,
        name="r",
        field=field,
        match=match,
        negate=negate,
        pattern=pattern,
        feed_id=feed_id,
        folder=folder,
        action=action,
        label="L",
        enabled=bool(extra.get("enabled", True)),
        created_at=NOW,
        failing=extra.get("failing"),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("field", "match", "pattern", "negate", "expected"),
    [
        ("title", "contains", "python", False, True),  # any case
        ("title", "contains", "PYTHON 3.14", False, True),
        ("title", "contains", "rust", False, False),
        ("title", "contains", "rust", True, True),  # NOT
        ("title", "contains", "python", True, False),
        ("content", "contains", "release notes", False, True),
        ("content", "contains", "Python", False, False),  # the title is not the content
        ("author", "contains", "ann", False, True),
        ("author", "contains", "bob", False, False),
        ("link", "contains", "/python/", False, True),
        ("link", "contains", "rust", False, False),
        ("category", "contains", "languages", False, True),  # any of the categories
        ("category", "contains", "sports", False, False),
        ("any", "contains", "example.org", False, True),  # the link
        ("any", "contains", "releases", False, True),  # a category (and the title)
        ("any", "contains", "in full", False, True),  # the content
        ("any", "contains", "nowhere", False, False),
        ("any", "contains", "nowhere", True, True),
        ("title", "regex", r"^python \d+\.\d+", False, True),  # any case too
        ("title", "regex", r"^3\.14", False, False),
        ("title", "regex", r"^3\.14", True, True),
        ("link", "regex", r"/python/[0-9.]+$", False, True),
        ("category", "regex", r"^lang", False, True),
        ("author", "regex", r"(?<=Ann )Example", False, True),  # Python's syntax: lookbehind
        ("content", "regex", r"\b(\w+) \1\b", False, False),  # and backreferences
    ],
)
def test_conditions(field: str, match: str, pattern: str, negate: bool, expected: bool) -> None:
    assert Matcher(rule(field, pattern, match=match, negate=negate)).matches(TEXT) is expected


def test_an_empty_field_matches_nothing_and_its_negation_everything() -> None:
    empty = ItemText(title="Only a title")
    assert not Matcher(rule("author", "a")).matches(empty)
    assert Matcher(rule("author", "a", negate=True)).matches(empty)
    assert not Matcher(rule("category", ".", match="regex")).matches(empty)


@pytest.mark.parametrize(
    ("feed_id", "folder", "item_feed", "item_folder", "expected"),
    [
        (None, None, 1, None, True),  # everything
        (1, None, 1, "News", True),
        (1, None, 2, None, False),
        (None, "News", 1, "News", True),
        (None, "News", 1, "Sports", False),
        (None, "News", 1, None, False),  # a feed in no folder
    ],
)
def test_scopes(
    feed_id: int | None, folder: str | None, item_feed: int, item_folder: str | None, expected: bool
) -> None:
    matcher = Matcher(rule("title", "x", feed_id=feed_id, folder=folder))
    assert matcher.in_scope(item_feed, item_folder) is expected


def test_the_text_matched_is_cut_at_its_limit() -> None:
    far = ItemText(content="a" * MAX_TEXT + "needle")
    assert not Matcher(rule("content", "needle")).matches(far)
    assert Matcher(rule("content", "needle")).matches(ItemText(content="needle" + "a" * MAX_TEXT))


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)+$"])
def test_a_catastrophic_regex_stops_within_its_limit(pattern: str) -> None:
    matcher = Matcher(rule("content", pattern, match="regex"))
    started = time.monotonic()
    with pytest.raises(RuleFailure, match="took over"):
        matcher.matches(ItemText(content="a" * 5000 + "!"))
    assert time.monotonic() - started < REGEX_SECONDS * 10


def test_the_item_texts() -> None:
    parsed = ParsedItem(
        title="T",
        link="https://e.org/1",
        author="A",
        summary_html="<p>Short <b>summary</b></p>",
        content_html="<p>The whole &amp; more</p>",
        categories=("c1", "c2"),
    )
    text = text_of_parsed(parsed)
    assert text == ItemText(
        "T", "Short summary The whole & more", "A", "https://e.org/1", ("c1", "c2")
    )
    assert text_of_parsed(ParsedItem(title="T", search_text="given")).content == "given"
    stored = Item(
        id=1,
        feed_id=1,
        feed_title="F",
        guid=None,
        title=None,
        link=None,
        author=None,
        published=None,
        updated=None,
        first_seen=NOW,
        sort_date=NOW,
        summary_html="<i>x</i>",
        content_html=None,
    )
    assert text_of_item(stored) == ItemText(content="x")
    assert text_of_item(stored, "from the store").content == "from the store"


def draft(**fields: object) -> RuleDraft:
    base: dict[str, object] = {
        "name": "r",
        "field": "title",
        "match": "contains",
        "pattern": "x",
        "action": "drop",
    }
    return RuleDraft(**(base | fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "site", "message"),
    [
        ({"name": "  "}, False, "needs a name"),
        ({"name": "n" * 101}, False, "at most 100"),
        ({"field": "body"}, False, "the field is one of title, content"),
        ({"match": "glob"}, False, "the match is one of contains, regex"),
        ({"action": "delete"}, False, "the action is one of read, star, drop, label, notify"),
        ({"action": "read"}, True, "the action is one of drop, label, notify"),
        ({"action": "star"}, True, "the action is one of drop, label, notify"),
        ({"pattern": ""}, False, "needs a pattern"),
        ({"pattern": "x" * 501}, False, "at most 500 characters"),
        ({"pattern": "a\x00"}, False, "no NUL"),
        ({"match": "regex", "pattern": "(a"}, False, "not a regular expression"),
        ({"match": "regex", "pattern": "a{3,1}"}, False, "not a regular expression"),
        ({"action": "label"}, False, "needs a label"),
        ({"action": "label", "label": "l" * 101}, False, "at most 100"),
        ({"folder": "News"}, True, "the site's rules have no folders"),
        ({"folder": "News", "feed_id": 1}, False, "a feed or a folder, not both"),
    ],
)
def test_bad_drafts_are_refused(fields: dict[str, object], site: bool, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        check_draft(draft(**fields), site=site)


def test_good_drafts_are_tidied() -> None:
    checked = check_draft(
        draft(name="  my   rule ", action="label", label=" Later  on ", folder="  "), site=False
    )
    assert (checked.name, checked.label, checked.folder) == ("my rule", "Later on", None)
    assert check_draft(draft(label="unused"), site=True).label is None  # only label keeps one
    for action in ("drop", "label", "notify"):
        check_draft(draft(action=action, label="L"), site=True)
    for action in ("read", "star", "drop", "label", "notify"):
        check_draft(draft(action=action, label="L"), site=False)


def test_only_active_rules_are_run() -> None:
    active = rule("title", "x")
    found = matchers(
        [active, rule("title", "x", enabled=False), rule("title", "y", failing="slow")]
    )
    assert [m.rule for m in found] == [active]
    assert matchers([rule("title", "(", match="regex")]) == []  # no longer compiles: left out
