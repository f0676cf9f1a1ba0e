"""A person's entries by label on both backends: the items bearing the label (theirs or the
site's, not another person's), in every status and order, read ones and those under the
watermark too, each entry with its labels; a hidden entry stays out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.store.test_rules import feed_with_items
from tidings.store.accounts import Accounts
from tidings.store.ruleacts import RuleEffects
from tidings.store.store import Store
from tidings.types import EntryQuery

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def test_entries_by_label(store: Store) -> None:
    accounts = Accounts(store.engine)
    bea = accounts.add_user("bea", "x" * 20, NOW, "reader")
    cy = accounts.add_user("cy", "x" * 20, NOW, "reader")
    feed_id, ids = feed_with_items(store, 8)
    for person in (bea, cy):
        store.add_subscription(person.id, feed_id, now=NOW)
    effects = RuleEffects()
    effects.labels |= {(None, i, "site") for i in ids[:4]}
    effects.labels |= {(bea.id, i, "mine") for i in ids[2:6]}
    effects.labels |= {(cy.id, i, "mine") for i in ids[6:]}  # cy's own, of the same name
    effects.hide[bea.id].add((ids[3], feed_id))
    effects.hits[1] += 1  # what a rule acted on is written (none here: no rule 1)
    store.write_rule_effects(effects, NOW)
    store.set_read(bea.id, [ids[2]], True, NOW)

    def listed(label: str, **q: object) -> list[int]:
        query = EntryQuery(label=label, limit=50, **q)  # type: ignore[arg-type]
        return sorted(e.item.id for e in store.entries(bea.id, query))

    assert listed("site", status="all") == [ids[0], ids[1], ids[2]]  # ids[3] hidden
    assert listed("site") == [ids[0], ids[1]]  # ids[2] read
    assert listed("mine", status="all", order="received") == [ids[2], ids[4], ids[5]]
    assert listed("mine", status="read") == [ids[2]]
    assert listed("mine", status="starred") == []
    assert listed("mine", feed_id=feed_id + 1, status="all") == []
    assert listed("nobody's", status="all") == []
    cys = store.entries(cy.id, EntryQuery(label="mine", status="all", limit=50))
    assert sorted(e.item.id for e in cys) == [ids[6], ids[7]]

    # a page at a time, and each entry with what bea sees on it
    first = store.entries(bea.id, EntryQuery(label="site", status="all", limit=2))
    assert len(first) == 2
    last = first[-1]
    after = (last.item.sort_date, last.item.id)
    rest = store.entries(bea.id, EntryQuery(label="site", status="all", limit=2, after=after))
    assert sorted(e.item.id for e in first + rest) == [ids[0], ids[1], ids[2]]
    by_id = {e.item.id: e.labels for e in first + rest}
    assert by_id[ids[2]] == ("mine", "site") and by_id[ids[0]] == ("site",)
    entry = store.entry(bea.id, ids[4])
    assert entry is not None and entry.labels == ("mine",)

    # under the watermark, as unread again: still listed by its label
    store.mark_read(bea.id, now=NOW + timedelta(seconds=1))
    assert listed("site") == []
    store.set_read(bea.id, [ids[0]], False, NOW)
    assert listed("site") == [ids[0]]
