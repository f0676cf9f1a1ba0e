"""What rules do to stored items: labels, hidden and read or starred entries, notifications
queued, hits counted; and the pages of stored items a rule is run over when asked to.

One transaction for a plan's labels, hidden entries and notifications; read and starred go
through ``store.marks`` (one transaction a person), as any other mark does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, true, update

from tidings.arrival import Rule
from tidings.i18n import DEFAULT, normalize, speaking
from tidings.i18n import gettext as _
from tidings.store.items import ITEM_COLUMNS, feed_title, item_of
from tidings.store.marks import MarksPart, bump_seq
from tidings.store.planwrite import _expire as expire_identities
from tidings.store.rules import RulesPart
from tidings.store.schema import (
    entry_states,
    feeds,
    item_labels,
    items,
    notifications,
    notify_targets,
    rules,
    site_settings,
    subscriptions,
    users,
)
from tidings.types import Item

CHUNK = 500  # ids per statement


@dataclass
class RuleEffects:
    """What a plan's (or a page's) matches come to, gathered before one write."""

    labels: set[tuple[int | None, int, str]] = field(default_factory=set)  # owner, item, label
    read: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    star: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # person: (item id, feed id) hidden from them
    hide: defaultdict[int, set[tuple[int, int]]] = field(default_factory=lambda: defaultdict(set))
    notify: list[tuple[int | None, int, str]] = field(default_factory=list)  # owner, item, rule
    drop: defaultdict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    hits: Counter[int] = field(default_factory=Counter)

    def __bool__(self) -> bool:
        return bool(self.hits)


@dataclass(frozen=True, slots=True)
class ScopedItem:
    """An item a rule is run over after the fact, with what matching and dropping need."""

    item: Item
    identity: str
    search_text: str | None


def _labels(conn: Connection, wanted: set[tuple[int | None, int, str]], now: datetime) -> None:
    if not wanted:
        return
    ids = sorted({item_id for _, item_id, _ in wanted})
    have: set[tuple[int | None, int, str]] = set()
    for start in range(0, len(ids), CHUNK):
        rows = conn.execute(
            select(item_labels.c.user_id, item_labels.c.item_id, item_labels.c.label).where(
                item_labels.c.item_id.in_(ids[start : start + CHUNK])
            )
        )
        have |= {(r.user_id, int(r.item_id), r.label) for r in rows}
    fresh = sorted(wanted - have, key=lambda t: (t[0] or 0, t[1], t[2]))
    if fresh:
        conn.execute(
            insert(item_labels),
            [{"user_id": u, "item_id": i, "label": lb, "created_at": now} for u, i, lb in fresh],
        )


def _hide(conn: Connection, user_id: int, pairs: set[tuple[int, int]], now: datetime) -> None:
    """The person's entries of ``pairs`` hidden (and read): never listed nor counted unread."""
    seq = bump_seq(conn, user_id)
    ids = sorted(i for i, _ in pairs)
    feed_of = dict(pairs)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        mine = and_(entry_states.c.user_id == user_id, entry_states.c.item_id.in_(chunk))
        have = set(conn.execute(select(entry_states.c.item_id).where(mine)).scalars())
        conn.execute(
            update(entry_states)
            .where(mine)
            .values(
                hidden=True,
                read=True,
                read_at=func.coalesce(entry_states.c.read_at, now),
                seq=seq,
            )
        )
        rows = [
            {
                "user_id": user_id,
                "item_id": i,
                "feed_id": feed_of[i],
                "read": True,
                "starred": False,
                "read_at": now,
                "seq": seq,
                "hidden": True,
            }
            for i in chunk
            if i not in have
        ]
        if rows:
            conn.execute(insert(entry_states), rows)


def _notify(conn: Connection, wanted: list[tuple[int | None, int, str]], now: datetime) -> None:
    """One outbox row per enabled target of each rule's owner (None: the site's targets)."""
    if not wanted:
        return
    owners = {owner for owner, _item, _rule in wanted}
    targets: dict[int | None, list[int]] = defaultdict(list)
    for r in conn.execute(
        select(notify_targets.c.id, notify_targets.c.user_id).where(
            notify_targets.c.enabled == true()
        )
    ):
        if r.user_id in owners:
            targets[None if r.user_id is None else int(r.user_id)].append(int(r.id))
    if not any(targets.values()):
        return
    ids = sorted({item_id for _, item_id, _ in wanted})
    about = {
        int(r.id): r
        for r in conn.execute(
            select(items.c.id, items.c.title, items.c.link, feed_title())
            .join(feeds, feeds.c.id == items.c.feed_id)
            .where(items.c.id.in_(ids))
        )
    }
    languages = _languages(conn, owners)
    rows = [
        {
            "target_id": target,
            "kind": "item",
            **_rule_message(
                about[item_id].title,
                about[item_id].link,
                about[item_id].feed_title,
                rule_name,
                languages[owner],
            ),
            "link": about[item_id].link,
            "item_id": item_id,
            "created_at": now,
            "next_attempt_at": now,
        }
        for owner, item_id, rule_name in wanted
        if item_id in about
        for target in targets.get(owner, ())
    ]
    if rows:
        conn.execute(insert(notifications), rows)


def _languages(conn: Connection, owners: Iterable[int | None]) -> dict[int | None, str]:
    """The language each owner's messages are written in: a person's own, else the site's."""
    stored = select(site_settings.c.value).where(site_settings.c.key == "language")
    site = normalize(conn.scalar(stored)) or DEFAULT
    people = [owner for owner in owners if owner is not None]
    own: dict[int | None, str | None] = {}
    if people:
        query = select(users.c.id, users.c.language).where(users.c.id.in_(people))
        own = {int(r.id): r.language for r in conn.execute(query)}
    return {owner: normalize(own.get(owner)) or site for owner in owners}


def _rule_message(
    title: str | None, link: str | None, feed: str, rule_name: str, language: str
) -> dict[str, str]:
    """The title and body of a rule's notification of an item, in its receiver's language."""
    with speaking(language):
        return {
            "title": title or link or _("(untitled)"),
            "body": _("%(feed)s — rule %(rule)s") % {"feed": feed, "rule": rule_name},
        }


class RuleActsPart(RulesPart, MarksPart):
    def arrived_item_ids(self, feed_id: int, identities: Sequence[str]) -> dict[str, int]:
        """The ids the store gave a feed's new items, by identity."""
        found: dict[str, int] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(identities), CHUNK):
                rows = conn.execute(
                    select(items.c.identity_hash, items.c.id).where(
                        items.c.feed_id == feed_id,
                        items.c.identity_hash.in_(identities[start : start + CHUNK]),
                    )
                )
                found |= {r.identity_hash: int(r.id) for r in rows}
        return found

    def rule_followers(self, feed_id: int, user_ids: Iterable[int]) -> dict[int, str | None]:
        """Of ``user_ids``, those who follow ``feed_id``, with the folder they keep it in."""
        wanted = sorted(set(user_ids))
        if not wanted:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(subscriptions.c.user_id, subscriptions.c.folder).where(
                    subscriptions.c.feed_id == feed_id, subscriptions.c.user_id.in_(wanted)
                )
            )
            return {int(r.user_id): r.folder for r in rows}

    def write_rule_effects(self, effects: RuleEffects, now: datetime) -> None:
        """Write what the rules decided: labels, hidden entries, notifications, drops and hit
        counts in one transaction; then reads and stars, a person at a time."""
        if not effects:
            return
        with self.engine.begin() as conn:
            _labels(conn, effects.labels, now)
            for user_id, pairs in sorted(effects.hide.items()):
                _hide(conn, user_id, pairs, now)
            _notify(conn, effects.notify, now)
            for feed_id, identities in sorted(effects.drop.items()):
                expire_identities(conn, feed_id, tuple(sorted(identities)), now)
            for rule_id, count in sorted(effects.hits.items()):
                conn.execute(
                    update(rules)
                    .where(rules.c.id == rule_id)
                    .values(hits=rules.c.hits + count, last_hit_at=now)
                )
        for user_id, ids in sorted(effects.read.items()):
            self.set_read(user_id, sorted(ids), True, now)
        for user_id, ids in sorted(effects.star.items()):
            self.set_starred(user_id, sorted(ids), True, now)

    def rule_scope_page(self, rule: Rule, after_id: int, limit: int) -> list[ScopedItem]:
        """The next ``limit`` stored items (by id, past ``after_id``) in the rule's scope: every
        stored item for a site rule (as on arrival), the items of the person's feeds for theirs."""
        query = (
            select(*ITEM_COLUMNS, feed_title(), items.c.search_text)
            .join(feeds, feeds.c.id == items.c.feed_id)
            .where(items.c.id > after_id)
            .order_by(items.c.id)
            .limit(limit)
        )
        if rule.feed_id is not None:
            query = query.where(items.c.feed_id == rule.feed_id)
        if rule.user_id is not None:
            mine = [subscriptions.c.user_id == rule.user_id]
            if rule.folder is not None:
                mine.append(subscriptions.c.folder == rule.folder)
            query = query.join(
                subscriptions, and_(subscriptions.c.feed_id == items.c.feed_id, *mine)
            )
        with self.engine.connect() as conn:
            rows: list[Any] = list(conn.execute(query))
        return [ScopedItem(item_of(r), r.identity_hash, r.search_text) for r in rows]
