"""Rules: the site's (``user_id`` NULL) and each person's, with their record of hits and failures.

Every change to the rules writes a new ``rules_version`` into the site settings in the same
transaction: the processes that update feeds keep the rules in memory and read that one value
every few seconds to know when to read them again (the web app and the workers are apart).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    delete,
    exists,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tidings.arrival import Rule, RuleDraft
from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.store.part import StorePart
from tidings.store.schema import item_labels, items, rules, site_settings
from tidings.types import Entry

VERSION_KEY = "rules_version"


def rule_of(r: Row[Any]) -> Rule:
    return Rule(
        id=int(r.id),
        user_id=None if r.user_id is None else int(r.user_id),
        name=r.name,
        field=r.field,
        match=r.match,
        negate=bool(r.negate),
        pattern=r.pattern,
        feed_id=None if r.feed_id is None else int(r.feed_id),
        folder=r.folder,
        action=r.action,
        label=r.label,
        enabled=bool(r.enabled),
        created_at=r.created_at,
        failing=r.failing,
        failing_since=r.failing_since,
        hits=int(r.hits),
        last_hit_at=r.last_hit_at,
    )


def bump_version(conn: Connection) -> None:
    """A new ``rules_version`` (random: two writers never collide on a counter)."""
    value = secrets.token_hex(8)
    make = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = make(site_settings).values(key=VERSION_KEY, value=value)
    conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def _draft_values(draft: RuleDraft) -> dict[str, Any]:
    return {
        "name": draft.name,
        "field": draft.field,
        "match": draft.match,
        "negate": draft.negate,
        "pattern": draft.pattern,
        "feed_id": draft.feed_id,
        "folder": draft.folder,
        "action": draft.action,
        "label": draft.label,
    }


def _owner(user_id: int | None) -> Any:
    return rules.c.user_id.is_(None) if user_id is None else rules.c.user_id == user_id


class RulesPart(StorePart):
    def add_rule(self, user_id: int | None, draft: RuleDraft, now: datetime) -> Rule:
        """Keep a checked draft as the site's rule (``user_id`` None) or a person's."""
        with self.engine.begin() as conn:
            rule_id = conn.execute(
                insert(rules)
                .values(user_id=user_id, created_at=now, enabled=True, **_draft_values(draft))
                .returning(rules.c.id)
            ).scalar_one()
            bump_version(conn)
        return self.rule(int(rule_id))

    def rule(self, rule_id: int) -> Rule:
        with self.engine.connect() as conn:
            row = conn.execute(select(rules).where(rules.c.id == rule_id)).first()
        if row is None:
            raise NotFoundError(_("no rule with id %(rule_id)s") % {"rule_id": rule_id})
        return rule_of(row)

    def rules_of(self, user_id: int | None) -> list[Rule]:
        """The site's rules (``user_id`` None) or a person's, in the order they were made."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(rules).where(_owner(user_id)).order_by(rules.c.id)).all()
        return [rule_of(r) for r in rows]

    def enabled_rules(self) -> list[Rule]:
        """Every enabled rule, the site's and everyone's: what updates run."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(rules).where(rules.c.enabled == true()).order_by(rules.c.id)
            ).all()
        return [rule_of(r) for r in rows]

    def rules_version(self) -> str | None:
        """The value that changes with every change of the rules (None: never any rule)."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(site_settings.c.value).where(site_settings.c.key == VERSION_KEY)
            ).scalar()

    def edit_rule(self, rule_id: int, draft: RuleDraft) -> Rule:
        """Rewrite a rule's condition and action; a failing rule is given another chance."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(rules)
                .where(rules.c.id == rule_id)
                .values(failing=None, failing_since=None, **_draft_values(draft))
            ).rowcount
            bump_version(conn)
        if not done:
            raise NotFoundError(_("no rule with id %(rule_id)s") % {"rule_id": rule_id})
        return self.rule(rule_id)

    def enable_rule(self, rule_id: int, enabled: bool) -> Rule:
        """Enable (a failing rule: again, its failure forgotten) or disable a rule."""
        values: dict[str, Any] = {"enabled": enabled}
        if enabled:
            values |= {"failing": None, "failing_since": None}
        with self.engine.begin() as conn:
            done = conn.execute(update(rules).where(rules.c.id == rule_id).values(values)).rowcount
            bump_version(conn)
        if not done:
            raise NotFoundError(_("no rule with id %(rule_id)s") % {"rule_id": rule_id})
        return self.rule(rule_id)

    def remove_rule(self, rule_id: int) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(delete(rules).where(rules.c.id == rule_id)).rowcount
            bump_version(conn)
        if not done:
            raise NotFoundError(_("no rule with id %(rule_id)s") % {"rule_id": rule_id})

    def rule_failed(self, rule_id: int, reason: str, now: datetime) -> None:
        """Mark a rule failing (skipped until it is edited or enabled again)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(rules)
                .where(rules.c.id == rule_id)
                .values(failing=reason[:500], failing_since=now)
            )
            bump_version(conn)

    def label_names(self, user_id: int) -> list[str]:
        """The labels on items that a person sees: theirs and the site's."""
        mine = or_(item_labels.c.user_id.is_(None), item_labels.c.user_id == user_id)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(item_labels.c.label).where(mine).distinct().order_by(item_labels.c.label)
            )
            return [str(label) for label in rows.scalars()]

    def count_rule_hits(self, hits: Mapping[int, int], now: datetime) -> None:
        """Add to each rule's count of items it acted on (rule id: how many)."""
        if not hits:
            return
        with self.engine.begin() as conn:
            for rule_id, count in sorted(hits.items()):
                conn.execute(
                    update(rules)
                    .where(rules.c.id == rule_id)
                    .values(hits=rules.c.hits + count, last_hit_at=now)
                )


def labeled(label: str, user_id: int) -> ColumnElement[bool]:
    """The item (``items.id``, correlated) bears ``label``, the person's or the site's."""
    return exists().where(
        item_labels.c.item_id == items.c.id,
        item_labels.c.label == label,
        or_(item_labels.c.user_id.is_(None), item_labels.c.user_id == user_id),
    )


def labeled_ids(label: str, user_id: int) -> Select[Any]:
    """The ids of the items bearing ``label``, the person's or the site's: two ranges of the
    ``(user_id, label)`` index, for ``items.id IN (...)`` (the planner may start from them)."""
    return select(item_labels.c.item_id).where(
        item_labels.c.label == label,
        or_(item_labels.c.user_id.is_(None), item_labels.c.user_id == user_id),
    )


def labels_of(
    conn: Connection, user_id: int, item_ids: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """The labels a person sees on ``item_ids``: theirs and the site's, by item id."""
    found: dict[int, set[str]] = {}
    ids = sorted(set(item_ids))
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            select(item_labels.c.item_id, item_labels.c.label).where(
                item_labels.c.item_id.in_(ids[start : start + 500]),
                or_(item_labels.c.user_id.is_(None), item_labels.c.user_id == user_id),
            )
        )
        for r in rows:
            found.setdefault(int(r.item_id), set()).add(r.label)
    return {i: tuple(sorted(labels)) for i, labels in found.items()}


def with_labels(conn: Connection, user_id: int, entries: list[Entry]) -> list[Entry]:
    """``entries`` each with the labels the person sees on it."""
    if not entries:
        return entries
    labels = labels_of(conn, user_id, [e.item.id for e in entries])
    if not labels:
        return entries
    return [replace(e, labels=labels[e.item.id]) if e.item.id in labels else e for e in entries]
