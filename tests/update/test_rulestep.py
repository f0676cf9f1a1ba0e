"""The rules' arrival step on a fake store (what it asks the store, and when) and on a real
SQLite store (what ten rules cost a 1000-item arrival)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tidings.arrival import Rule, RuleDraft
from tidings.store.accounts import Accounts
from tidings.store.ruleacts import RuleEffects, ScopedItem
from tidings.store.store import Store
from tidings.types import ItemWrite, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of
from tidings.update.rulestep import RuleStep

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


class FakeStore:
    """The store calls the step makes, counted; rules and followers as the test sets them."""

    def __init__(self, rules: Sequence[Rule] = (), followers: dict[int, str | None] | None = None):
        self.rules = list(rules)
        self.version: str | None = "v1" if rules else None
        self.followers = followers or {}
        self.calls: list[str] = []
        self.effects: list[RuleEffects] = []
        self.failed: dict[int, str] = {}
        self.hits: dict[int, int] = {}

    def rules_version(self) -> str | None:
        self.calls.append("rules_version")
        return self.version

    def enabled_rules(self) -> list[Rule]:
        self.calls.append("enabled_rules")
        return list(self.rules)

    def rule_failed(self, rule_id: int, reason: str, now: datetime) -> None:
        self.failed[rule_id] = reason

    def count_rule_hits(self, hits: dict[int, int], now: datetime) -> None:
        for k, v in hits.items():
            self.hits[k] = self.hits.get(k, 0) + v

    def arrived_item_ids(self, feed_id: int, identities: Sequence[str]) -> dict[str, int]:
        self.calls.append("arrived_item_ids")
        return {identity: n + 1 for n, identity in enumerate(identities)}

    def rule_followers(self, feed_id: int, user_ids: Iterable[int]) -> dict[int, str | None]:
        self.calls.append("rule_followers")
        return {u: f for u, f in self.followers.items() if u in set(user_ids)}

    def write_rule_effects(self, effects: RuleEffects, now: datetime) -> None:
        self.calls.append("write_rule_effects")
        self.effects.append(effects)

    def rule_scope_page(self, rule: Rule, after_id: int, limit: int) -> list[ScopedItem]:
        return []


async def direct(fn: Any, *args: Any) -> Any:
    return fn(*args)


def step_on(store: Any, recheck: float = 5.0) -> RuleStep:
    return RuleStep(store, run=direct, read=direct, clock=lambda: NOW, recheck=recheck)


def rule(rule_id: int, pattern: str, action: str, **kw: Any) -> Rule:
    fields: dict[str, Any] = {
        "id": rule_id,
        "user_id": None,
        "name": f"rule {rule_id}",
        "field": "title",
        "match": "contains",
        "negate": False,
        "pattern": pattern,
        "feed_id": None,
        "folder": None,
        "action": action,
        "label": "L" if action == "label" else None,
        "enabled": True,
        "created_at": NOW,
    }
    return Rule(**(fields | kw))


def plan(feed_id: int, titles: Sequence[str]) -> UpdatePlan:
    writes = []
    for n, title in enumerate(titles):
        item = ParsedItem(
            guid=f"g{n}",
            title=title,
            link=f"https://e.org/{n}",
            author="Ann",
            content_html=f"<p>body {n} {title}</p>",
            categories=("news",),
        )
        writes.append(ItemWrite(identity_of(item), content_hash_of(item), item, NOW, NOW))
    return UpdatePlan(feed_id, NOW, NOW, new=tuple(writes))


async def test_without_rules_a_plan_costs_no_query_past_the_first_look() -> None:
    store = FakeStore()
    step = step_on(store)
    for n in range(100):
        p = plan(n, ["a", "b"])
        assert await step.screen(p) is p
        await step.arrived(p)
    assert store.calls == ["rules_version"]  # one look, then none for recheck seconds


async def test_rules_are_read_again_when_their_version_moves() -> None:
    store = FakeStore([rule(1, "spam", "drop")])
    step = step_on(store, recheck=0.0)
    screened = await step.screen(plan(1, ["spam", "ham"]))
    assert [w.item.title for w in screened.new] == ["ham"] and len(screened.expired) == 1
    assert store.calls.count("enabled_rules") == 1
    await step.screen(plan(1, ["spam"]))
    assert store.calls.count("enabled_rules") == 1  # same version: the rules in memory
    store.rules, store.version = [], "v2"
    assert len((await step.screen(plan(1, ["spam"]))).new) == 1
    assert store.calls.count("enabled_rules") == 2  # a new version: read again
    slow = step_on(store)
    await slow.current()
    store.version = "v3"
    slow.expire()  # a change made in this process: seen at once
    await slow.current()
    assert store.calls.count("rules_version") == 5


async def test_site_and_personal_actions_are_gathered_into_one_write() -> None:
    rules = [
        rule(1, "spam", "drop"),
        rule(2, "python", "label"),
        rule(3, "python", "notify"),
        rule(4, "weather", "read", user_id=7),
        rule(5, "python", "star", user_id=7, folder="Tech"),
        rule(6, "boring", "drop", user_id=7),
        rule(7, "python", "star", user_id=8),  # 8 does not follow the feed
        rule(8, "python", "star", user_id=7, feed_id=99),  # another feed
        rule(9, "python", "star", user_id=7, folder="Sports"),  # another folder
    ]
    store = FakeStore(rules, followers={7: "Tech"})
    step = step_on(store)
    p = await step.screen(plan(1, ["spam", "python", "weather", "boring"]))
    await step.arrived(p)
    (effects,) = store.effects
    ids = {w.item.title: n + 1 for n, w in enumerate(p.new)}
    assert effects.labels == {(None, ids["python"], "L")}
    assert effects.notify == [(None, ids["python"], "rule 3")]
    assert dict(effects.read) == {7: {ids["weather"]}}
    assert dict(effects.star) == {7: {ids["python"]}}
    assert dict(effects.hide) == {7: {(ids["boring"], 1)}}
    assert dict(effects.hits) == {2: 1, 3: 1, 4: 1, 5: 1, 6: 1}
    assert store.hits == {1: 1}  # the drop, counted when screened


async def test_a_rule_that_fails_is_marked_once_and_skipped() -> None:
    store = FakeStore([rule(1, "(a|aa)+$", "drop", match="regex", field="content")])
    step = step_on(store)
    long = "a" * 5000 + "!"
    p = plan(1, [long, long, long])
    started = time.monotonic()
    assert len((await step.screen(p)).new) == 3
    assert time.monotonic() - started < 2
    assert list(store.failed) == [1] and "took over" in store.failed[1]
    assert await step.current() == []


def test_ten_rules_on_a_1000_item_arrival(tmp_path: Path) -> None:
    """The cost, measured on a real SQLite store (printed with -s)."""
    store = Store.open(f"sqlite:///{tmp_path / 'rules.db'}")
    feed_id = store.add_feed("https://e.org/feed", now=NOW)
    alice = Accounts(store.engine).add_user("alice", "x" * 20, NOW, "reader")
    store.add_subscription(alice.id, feed_id, now=NOW, folder="Tech")
    drafts = [
        (None, RuleDraft("ads", "title", "contains", "sponsored", "drop")),
        (None, RuleDraft("spam", "any", "regex", r"\b(casino|lottery)\b", "drop")),
        (None, RuleDraft("py", "title", "regex", r"\bpython\b", "label", label="Python")),
        (None, RuleDraft("rel", "category", "contains", "release", "label", label="Rel")),
        (None, RuleDraft("hot", "title", "contains", "breaking", "notify")),
        (alice.id, RuleDraft("wx", "title", "contains", "weather", "read")),
        (alice.id, RuleDraft("st", "author", "contains", "ann", "star")),
        (alice.id, RuleDraft("hide", "content", "regex", r"boring\s+\w+", "drop")),
        (alice.id, RuleDraft("mine", "link", "contains", "/7", "label", label="Mine")),
        (alice.id, RuleDraft("nt", "title", "contains", "x", "read", negate=True, folder="Tech")),
    ]
    for owner, d in drafts:
        store.add_rule(owner, d, NOW)
    titles = [f"item {n} python weather boring news" for n in range(1000)]
    big = plan(feed_id, titles)

    async def run() -> tuple[float, float, float]:
        step = step_on(store)
        await step.current()
        started = time.perf_counter()
        screened = await step.screen(big)
        screened_at = time.perf_counter()
        store.apply(screened)
        written_at = time.perf_counter()
        await step.arrived(screened)
        done = time.perf_counter()
        return screened_at - started, written_at - screened_at, done - written_at

    screen_s, write_s, arrived_s = asyncio.run(run())
    print(
        f"\n10 rules, 1000 new items: screen {screen_s * 1000:.0f} ms, "
        f"write {write_s * 1000:.0f} ms, arrived {arrived_s * 1000:.0f} ms"
    )
    store.close()
    assert screen_s + arrived_s < 10  # a bound, not the measure: the numbers are printed
