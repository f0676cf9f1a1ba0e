"""The rules' rooms on both backends: rules kept, changed and counted (each change moves the
version the updating processes watch), and what rules write: labels once, notifications per
enabled target of the owner, and hidden entries that stay hidden whatever else marks them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from tidings.arrival import RuleDraft
from tidings.errors import NotFoundError
from tidings.store.accounts import Accounts
from tidings.store.ruleacts import RuleEffects
from tidings.store.schema import item_labels, notifications, notify_targets
from tidings.store.store import Store
from tidings.types import EntryQuery, ItemWrite, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
DRAFT = RuleDraft(name="r", field="title", match="contains", pattern="x", action="drop")


def feed_with_items(store: Store, n: int) -> tuple[int, list[int]]:
    feed_id = store.add_feed("https://e.org/feed", now=NOW, title="Feed")
    parsed = [
        ParsedItem(guid=f"g{i}", title=f"item {i}", link=f"https://e.org/{i}") for i in range(n)
    ]
    writes = tuple(ItemWrite(identity_of(p), content_hash_of(p), p, NOW, NOW) for p in parsed)
    store.apply(UpdatePlan(feed_id, NOW, NOW, new=writes))
    ids = store.arrived_item_ids(feed_id, [w.identity for w in writes])
    return feed_id, [ids[w.identity] for w in writes]


def test_rules_kept_changed_and_counted(store: Store) -> None:
    assert store.rules_version() is None and store.enabled_rules() == []
    versions = set()
    site = store.add_rule(None, DRAFT, NOW)
    versions.add(store.rules_version())
    bea = Accounts(store.engine).add_user("bea", "x" * 20, NOW, "reader")
    mine = store.add_rule(bea.id, DRAFT, NOW)
    versions.add(store.rules_version())
    assert [r.id for r in store.rules_of(None)] == [site.id]
    assert [r.id for r in store.rules_of(bea.id)] == [mine.id]
    assert {r.id for r in store.enabled_rules()} == {site.id, mine.id}

    store.rule_failed(site.id, "too slow", NOW)
    versions.add(store.rules_version())
    failed = store.rule(site.id)
    assert (failed.failing, failed.failing_since, failed.active) == ("too slow", NOW, False)
    assert store.enable_rule(site.id, True).failing is None
    versions.add(store.rules_version())
    store.rule_failed(site.id, "again", NOW)
    edited = store.edit_rule(site.id, RuleDraft("s", "link", "regex", "y", "label", label="L"))
    assert (edited.name, edited.field, edited.label, edited.failing) == ("s", "link", "L", None)
    versions.add(store.rules_version())
    assert store.enable_rule(mine.id, False).enabled is False
    assert [r.id for r in store.enabled_rules()] == [site.id]

    store.count_rule_hits({site.id: 3}, NOW)
    store.count_rule_hits({site.id: 2}, NOW + timedelta(hours=1))
    counted = store.rule(site.id)
    assert (counted.hits, counted.last_hit_at) == (5, NOW + timedelta(hours=1))

    store.remove_rule(mine.id)
    versions.add(store.rules_version())
    assert len(versions) == 6  # each change a new version
    with pytest.raises(NotFoundError):
        store.remove_rule(mine.id)
    with pytest.raises(NotFoundError):
        store.rule(mine.id)


def test_labels_once_and_notifications_per_enabled_target(store: Store) -> None:
    bea = Accounts(store.engine).add_user("bea", "x" * 20, NOW, "reader")
    feed_id, ids = feed_with_items(store, 2)
    with store.engine.begin() as conn:
        for owner, enabled in ((None, True), (None, False), (bea.id, True)):
            conn.execute(
                insert(notify_targets).values(
                    user_id=owner,
                    name="t",
                    url="json://127.0.0.1/",
                    enabled=enabled,
                    created_at=NOW,
                )
            )
    effects = RuleEffects()
    effects.labels |= {(None, ids[0], "Site"), (bea.id, ids[0], "Mine")}
    effects.notify += [(None, ids[0], "site rule"), (bea.id, ids[1], "her rule")]
    effects.hits[1] += 1
    store.write_rule_effects(effects, NOW)
    store.write_rule_effects(effects, NOW)  # twice: the labels stay one each
    with store.engine.connect() as conn:
        labels = conn.execute(select(item_labels.c.user_id, item_labels.c.label)).all()
        sent = conn.execute(select(notifications).order_by(notifications.c.id)).all()
    assert sorted(labels, key=str) == sorted([(None, "Site"), (bea.id, "Mine")], key=str)
    assert [(n.title, n.body, n.item_id) for n in sent] == [
        ("item 0", "Feed — rule site rule", ids[0]),
        ("item 1", "Feed — rule her rule", ids[1]),
    ] * 2
    assert store.label_names(bea.id) == ["Mine", "Site"]
    assert store.entries_by_ids(bea.id, [ids[0]]) == []  # bea does not follow the feed
    store.add_subscription(bea.id, feed_id, now=NOW)
    (entry,) = store.entries_by_ids(bea.id, [ids[0]])
    assert entry.labels == ("Mine", "Site")


def test_a_hidden_entry_stays_hidden(store: Store) -> None:
    bea = Accounts(store.engine).add_user("bea", "x" * 20, NOW, "reader")
    feed_id, ids = feed_with_items(store, 4)
    store.add_subscription(bea.id, feed_id, now=NOW)  # a new feed: all four unread
    assert store.unread_counts(bea.id).total == 4
    effects = RuleEffects()
    effects.hide[bea.id] |= {(ids[1], feed_id), (ids[3], feed_id)}
    effects.star[bea.id].add(ids[3])  # another rule starred it: still hidden
    effects.hits[1] += 2
    store.write_rule_effects(effects, NOW)

    def listed(status: str) -> list[int]:
        return [e.item.id for e in store.entries(bea.id, EntryQuery(status=status, limit=50))]

    assert sorted(listed("all")) == [ids[0], ids[2]]
    assert sorted(listed("unread")) == [ids[0], ids[2]]
    assert listed("starred") == []
    assert store.unread_counts(bea.id).total == 2 and store.unread_counts(bea.id).starred == 0
    assert store.entry(bea.id, ids[1]) is None
    store.set_read(bea.id, [ids[1]], False, NOW)  # an app asks: it stays read and hidden
    assert store.unread_counts(bea.id).total == 2
    store.set_read(bea.id, [ids[0]], True, NOW)  # the watermark walks past the hidden one
    store.mark_read(bea.id, now=NOW)
    assert sorted(listed("all")) == [ids[0], ids[2]]
    assert store.unread_counts(bea.id).total == 0
    changed, _, _ = store.changes(bea.id, 0)
    assert {e.item.id for e in changed}.isdisjoint({ids[1], ids[3]})
