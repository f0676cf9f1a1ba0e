"""Rules' conditions, checked and matched: pure functions of a rule and an item's text.

Patterns come from people, so they are untrusted: a regular expression is compiled with the
``regex`` package and every match runs under ``timeout=`` (a catastrophic pattern such as
``(a+)+$`` stops within ``REGEX_SECONDS`` instead of holding the update), the pattern's length
is capped when the rule is written, and the text matched is cut at ``MAX_TEXT`` characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import regex

from tidings.arrival import (
    RULE_ACTIONS,
    RULE_FIELDS,
    RULE_MATCHES,
    SITE_RULE_ACTIONS,
    Rule,
    RuleDraft,
)
from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.store.searchtext import search_text_of
from tidings.types import Item, ParsedItem

MAX_PATTERN = 500  # characters of a pattern
MAX_TEXT = 20_000  # characters of an item's field matched (the rest is not looked at)
MAX_NAME = 100
MAX_LABEL = 100
REGEX_SECONDS = 0.1  # one match of one regex over one field at most
_FLAGS = regex.IGNORECASE | regex.VERSION0


class RuleError(TidingsError):
    """A rule that cannot be kept: the message says which part is wrong."""

    kind = "invalid_rule"


class RuleFailure(Exception):
    """A rule failed while matching (its regex ran out of time): it is marked failing."""


@dataclass(frozen=True, slots=True)
class ItemText:
    """The fields a condition looks at, as plain text."""

    title: str = ""
    content: str = ""  # summary and content, as text
    author: str = ""
    link: str = ""
    categories: tuple[str, ...] = ()

    def values(self, field: str) -> tuple[str, ...]:
        if field == "category":
            return self.categories
        if field == "any":
            return (self.title, self.content, self.author, self.link, *self.categories)
        return (str(getattr(self, field)),)


def text_of_parsed(item: ParsedItem) -> ItemText:
    """A new item's text, from what the parser gave (its search text when already worked out)."""
    return text_of_item(item, item.search_text)


def text_of_item(item: Item | ParsedItem, search_text: str | None = None) -> ItemText:
    """An item's text (``search_text``: the store's or the parser's, else worked out again)."""
    content = search_text
    if content is None:
        content = search_text_of(item.summary_html, item.content_html)
    return ItemText(
        title=item.title or "",
        content=content or "",
        author=item.author or "",
        link=item.link or "",
        categories=tuple(item.categories),
    )


def _compile(pattern: str) -> regex.Pattern[str]:
    try:
        return regex.compile(pattern, _FLAGS)
    except (regex.error, RecursionError, OverflowError, ValueError) as exc:
        raise RuleError(
            _("the pattern is not a regular expression: %(exc)s") % {"exc": exc}
        ) from exc


def check_draft(draft: RuleDraft, *, site: bool) -> RuleDraft:
    """The draft with its text trimmed, or a RuleError that names what is wrong."""
    d = replace(
        draft,
        name=" ".join(draft.name.split()),
        label=" ".join((draft.label or "").split()) or None,
        folder=(draft.folder or "").strip() or None,
    )
    if not d.name:
        raise RuleError(_("a rule needs a name"))
    if len(d.name) > MAX_NAME:
        raise RuleError(
            _("a rule's name is at most %(max_name)s characters") % {"max_name": MAX_NAME}
        )
    if d.field not in RULE_FIELDS:
        raise RuleError(
            _("the field is one of %(known)s, not %(field)r")
            % {"known": ", ".join(RULE_FIELDS), "field": d.field}
        )
    if d.match not in RULE_MATCHES:
        raise RuleError(
            _("the match is one of %(known)s, not %(match)r")
            % {"known": ", ".join(RULE_MATCHES), "match": d.match}
        )
    allowed = SITE_RULE_ACTIONS if site else RULE_ACTIONS
    if d.action not in allowed:
        raise RuleError(
            _("the action is one of %(known)s, not %(action)r")
            % {"known": ", ".join(allowed), "action": d.action}
        )
    if not d.pattern:
        raise RuleError(_("a rule needs a pattern"))
    if len(d.pattern) > MAX_PATTERN:
        raise RuleError(
            _("a pattern is at most %(max_pattern)s characters") % {"max_pattern": MAX_PATTERN}
        )
    if "\x00" in d.pattern:
        raise RuleError(_("a pattern holds no NUL character"))
    if d.match == "regex":
        _compile(d.pattern)
    if d.action == "label" and not d.label:
        raise RuleError(_("the action label needs a label"))
    if d.label is not None and len(d.label) > MAX_LABEL:
        raise RuleError(_("a label is at most %(max_label)s characters") % {"max_label": MAX_LABEL})
    if d.action != "label":
        d = replace(d, label=None)
    if site and d.folder is not None:
        raise RuleError(_("the site's rules have no folders: scope one to a feed or to all"))
    if d.feed_id is not None and d.folder is not None:
        raise RuleError(_("a rule's scope is a feed or a folder, not both"))
    return d


class Matcher:
    """One rule's condition, compiled once: ``matches`` an item's text or raises RuleFailure."""

    __slots__ = ("_needle", "_regex", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self._needle = rule.pattern.casefold()
        self._regex = _compile(rule.pattern) if rule.match == "regex" else None

    def in_scope(self, feed_id: int, folder: str | None) -> bool:
        """Whether an item of ``feed_id`` (in the person's ``folder``) is the rule's to judge."""
        rule = self.rule
        if rule.feed_id is not None and rule.feed_id != feed_id:
            return False
        return rule.folder is None or rule.folder == (folder or None)

    def matches(self, text: ItemText) -> bool:
        found = any(self._found(value[:MAX_TEXT]) for value in text.values(self.rule.field))
        return found != self.rule.negate

    def _found(self, value: str) -> bool:
        if not value:
            return False
        if self._regex is None:
            return self._needle in value.casefold()
        try:
            return self._regex.search(value, timeout=REGEX_SECONDS) is not None
        except TimeoutError as exc:
            raise RuleFailure(
                f"the pattern took over {REGEX_SECONDS:g} s on an item's {self.rule.field}"
                " (a regular expression that backtracks without end); edit it or enable it again"
            ) from exc


def matchers(rules: Iterable[Rule]) -> list[Matcher]:
    """The active rules compiled; one whose pattern no longer compiles is left out."""
    found = []
    for rule in rules:
        if not rule.active:
            continue
        try:
            found.append(Matcher(rule))
        except RuleError:
            continue
    return found
