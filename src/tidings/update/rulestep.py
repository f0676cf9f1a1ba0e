"""Rules on arrival: the step that screens a plan with the site's drop rules and, once its items
are stored, applies the site's labels and notifications and each follower's own rules.

The rules are kept in memory and read again when their version (``store.rules``) moves, looked
at once every ``recheck`` seconds at most: with no rule, a plan costs no query at all. A rule
whose regex runs out of time is marked failing and skipped from then on.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from tidings.arrival import Rule, RuleRun
from tidings.store.ruleacts import RuleEffects, ScopedItem
from tidings.types import ItemWrite, UpdatePlan
from tidings.update.rules import (
    ItemText,
    Matcher,
    RuleFailure,
    matchers,
    text_of_item,
    text_of_parsed,
)

log = logging.getLogger("tidings.rules")
Run = Callable[..., Awaitable[Any]]

APPLY_PAGE = 500  # stored items read at a time when a rule is run over them
APPLY_MAX = 200_000  # stored items one run looks at, at most


class RuleStore(Protocol):
    def rules_version(self) -> str | None: ...
    def enabled_rules(self) -> list[Rule]: ...
    def rule_failed(self, rule_id: int, reason: str, now: datetime) -> None: ...
    def count_rule_hits(self, hits: dict[int, int], now: datetime) -> None: ...
    def arrived_item_ids(self, feed_id: int, identities: Sequence[str]) -> dict[str, int]: ...
    def rule_followers(self, feed_id: int, user_ids: Iterable[int]) -> dict[int, str | None]: ...
    def write_rule_effects(self, effects: RuleEffects, now: datetime) -> None: ...
    def rule_scope_page(self, rule: Rule, after_id: int, limit: int) -> list[ScopedItem]: ...


def act(rule: Rule, item_id: int, feed_id: int, identity: str, effects: RuleEffects) -> None:
    """What ``rule`` does to a matched stored item, added to ``effects``."""
    owner, action = rule.user_id, rule.action
    effects.hits[rule.id] += 1
    if action == "label" and rule.label:
        effects.labels.add((owner, item_id, rule.label))
    elif action == "notify":
        effects.notify.append((owner, item_id, rule.name))
    elif action == "drop" and owner is None:
        effects.drop[feed_id].add(identity)
    elif owner is not None and action == "drop":
        effects.hide[owner].add((item_id, feed_id))
    elif owner is not None and action == "read":
        effects.read[owner].add(item_id)
    elif owner is not None and action == "star":
        effects.star[owner].add(item_id)


def matching(ms: Sequence[Matcher], text: ItemText, failed: dict[int, str]) -> list[Matcher]:
    """The matchers of ``ms`` that match ``text``; one that fails goes into ``failed``."""
    hit = []
    for m in ms:
        if m.rule.id in failed:
            continue
        try:
            if m.matches(text):
                hit.append(m)
        except RuleFailure as exc:
            failed[m.rule.id] = str(exc)
    return hit


class RuleStep:
    """The rules' ``ArrivalStep``; ``run`` is where store writes go (the store's thread),
    ``read`` where its reads go."""

    def __init__(
        self,
        store: RuleStore,
        *,
        run: Run,
        read: Run,
        clock: Callable[[], datetime],
        recheck: float = 5.0,
    ) -> None:
        self.store = store
        self._run = run
        self._read = read
        self.clock = clock
        self.recheck = recheck
        self._matchers: list[Matcher] = []
        self._version: str | None = None
        self._checked = -math.inf

    def expire(self) -> None:
        """Look at the rules' version again at the next plan (they changed in this process)."""
        self._checked = -math.inf

    async def current(self) -> list[Matcher]:
        """The active rules, read again when their version moved since the last look."""
        now = time.monotonic()
        if now - self._checked >= self.recheck:
            self._checked = now
            version = await self._read(self.store.rules_version)
            if version != self._version:
                rules = await self._read(self.store.enabled_rules) if version else []
                self._matchers, self._version = matchers(rules), version
        return self._matchers

    async def screen(self, plan: UpdatePlan) -> UpdatePlan:
        """The plan without the new items a site rule drops: their identities are expired
        instead, so that the store keeps a tombstone and they never come back."""
        drops = [
            m
            for m in await self.current()
            if m.rule.user_id is None and m.rule.action == "drop" and m.in_scope(plan.feed_id, None)
        ]
        if not drops:
            return plan
        kept: list[ItemWrite] = []
        dropped: list[ItemWrite] = []
        hits: Counter[int] = Counter()
        failed: dict[int, str] = {}
        for write in plan.new:
            found = matching(drops, text_of_parsed(write.item), failed)
            hits.update(m.rule.id for m in found)
            (dropped if found else kept).append(write)
        await self._record(failed, hits)
        if not dropped:
            return plan
        gone = tuple(w.identity for w in dropped)
        return replace(plan, new=tuple(kept), expired=(*plan.expired, *gone))

    async def arrived(self, plan: UpdatePlan) -> None:
        """Apply the site's labels and notifications and the followers' rules to the plan's
        items, now in the store."""
        ms = await self.current()
        site = [
            m
            for m in ms
            if m.rule.user_id is None and m.rule.action != "drop" and m.in_scope(plan.feed_id, None)
        ]
        personal = [
            m for m in ms if m.rule.user_id is not None and m.rule.feed_id in (None, plan.feed_id)
        ]
        if not site and not personal:
            return
        followers: dict[int, str | None] = {}
        if personal:
            owners = {m.rule.user_id for m in personal if m.rule.user_id is not None}
            followers = await self._read(self.store.rule_followers, plan.feed_id, owners)
            personal = [
                m
                for m in personal
                if m.rule.user_id in followers
                and m.in_scope(plan.feed_id, followers[m.rule.user_id])
            ]
        ruled = site + personal
        if not ruled:
            return
        ids = await self._read(
            self.store.arrived_item_ids, plan.feed_id, [w.identity for w in plan.new]
        )
        effects = RuleEffects()
        failed: dict[int, str] = {}
        for write in plan.new:
            item_id = ids.get(write.identity)
            if item_id is None:
                continue
            for m in matching(ruled, text_of_parsed(write.item), failed):
                act(m.rule, item_id, plan.feed_id, write.identity, effects)
        await self._record(failed, Counter())
        if effects:
            await self._run(self.store.write_rule_effects, effects, self.clock())

    async def _record(self, failed: dict[int, str], hits: Counter[int]) -> None:
        now = self.clock()
        for rule_id, reason in failed.items():
            log.warning("rule %s failed: %s", rule_id, reason)
            await self._run(self.store.rule_failed, rule_id, reason, now)
        if failed:
            self._matchers = [m for m in self._matchers if m.rule.id not in failed]
        if hits:
            await self._run(self.store.count_rule_hits, dict(hits), now)


def run_over_stored(store: RuleStore, rule: Rule, now: datetime, most: int = APPLY_MAX) -> RuleRun:
    """Run one rule over the items already stored in its scope, a page at a time (at most
    ``most`` items); a failure marks the rule failing and stops the run."""
    matcher = Matcher(rule)
    checked = matched = 0
    after = 0
    failed: dict[int, str] = {}
    while checked < most:
        page = store.rule_scope_page(rule, after, min(APPLY_PAGE, most - checked))
        if not page:
            break
        effects = RuleEffects()
        for stored in page:
            text = text_of_item(stored.item, stored.search_text)
            if matching([matcher], text, failed):
                act(rule, stored.item.id, stored.item.feed_id, stored.identity, effects)
            if failed:
                break
        checked += len(page)
        matched += sum(effects.hits.values())
        store.write_rule_effects(effects, now)
        if failed:
            store.rule_failed(rule.id, failed[rule.id], now)
            return RuleRun(rule.id, checked, matched, failed[rule.id])
        after = page[-1].item.id
    return RuleRun(rule.id, checked, matched)
