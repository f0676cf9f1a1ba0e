"""What the rules' pages show: the rules with their state, and the feeds and actions a new
rule may choose from (the site's on ``/admin/rules``, a person's on ``/read/settings``)."""

from __future__ import annotations

from dataclasses import dataclass

from tidings.arrival import RULE_ACTIONS, RULE_FIELDS, SITE_RULE_ACTIONS, Rule
from tidings.core import Aggregator


@dataclass(frozen=True, slots=True)
class RulesPage:
    rules: tuple[Rule, ...]
    feeds: tuple[tuple[int, str], ...]  # the feeds a rule may be scoped to: id, title
    actions: tuple[str, ...]
    folders: tuple[str, ...] = ()  # a person's, for a rule scoped to one
    fields: tuple[str, ...] = RULE_FIELDS

    @staticmethod
    def form_of(rule: Rule) -> dict[str, str]:
        """The rule as its edit form holds it (the fields of the form that adds one)."""
        if rule.feed_id is not None:
            scope = f"feed:{rule.feed_id}"
        else:
            scope = f"folder:{rule.folder}" if rule.folder else "all"
        return {
            "name": rule.name,
            "field": rule.field,
            "negate": "1" if rule.negate else "",
            "match": rule.match,
            "pattern": rule.pattern,
            "scope": scope,
            "action": rule.action,
            "label": rule.label or "",
        }


def site_rules(agg: Aggregator) -> RulesPage:
    feeds = tuple((f.id, f.display_title) for f in agg.feeds())
    return RulesPage(tuple(agg.rules()), feeds, SITE_RULE_ACTIONS)


def person_rules(agg: Aggregator, user_id: int) -> RulesPage:
    feeds = tuple((s.feed.id, s.title) for s in agg.subscriptions(user_id, counted=False))
    folders = tuple(agg.folders(user_id))
    return RulesPage(tuple(agg.rules(user_id)), feeds, RULE_ACTIONS, folders)
