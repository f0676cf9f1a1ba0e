"""What the sync APIs read of a person's items: ids only, in the order they arrived, filtered as
the protocols filter (state, feed, folder, the time first seen), and per-feed figures.

Ids are enough for an app to diff its copy against the server's; contents come later by id, in
batches. Keyset bounds on the id (``after_id``/``before_id``) make paging immune to items that
arrive or change state between two pages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    or_,
    select,
    true,
)

from tidings.store.entries import (
    entry_columns,
    entry_of,
    ids_in,
    is_read,
    is_unread,
    not_hidden,
)
from tidings.store.part import StorePart
from tidings.store.rules import labeled, with_labels
from tidings.store.schema import entry_states, feeds, items, subscriptions
from tidings.store.subscriptions import unread_expr
from tidings.synctypes import SYNC_MAX, FeedStats, IdQuery
from tidings.types import Entry

STATUSES = ("all", "unread", "read", "starred")


def _base(user_id: int, q: IdQuery) -> Select[Any]:
    mine = and_(subscriptions.c.feed_id == items.c.feed_id, subscriptions.c.user_id == user_id)
    state = and_(entry_states.c.user_id == user_id, entry_states.c.item_id == items.c.id)
    if q.status == "starred":  # the starred rows, followed or not
        return (
            select(items.c.id)
            .select_from(entry_states)
            .join(items, items.c.id == entry_states.c.item_id)
            .outerjoin(subscriptions, mine)
            .where(
                entry_states.c.user_id == user_id,
                entry_states.c.starred == true(),
                entry_states.c.hidden == false(),
            )
        )
    return (
        select(items.c.id)
        .select_from(items)
        .join(subscriptions, mine)
        .outerjoin(entry_states, state)
        .where(not_hidden())
    )


def many_ids(dialect: str, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids``, however many: one parameter on either backend (SQLite
    reads a JSON array with ``json_each``)."""
    if dialect == "postgresql":
        return ids_in(dialect, column, ids)
    listed = func.json_each(json.dumps([int(i) for i in ids])).table_valued("value")
    return column.in_(select(listed.c.value))  # type: ignore[no-any-return]


def _where(q: IdQuery, dialect: str, user_id: int) -> list[ColumnElement[bool]]:
    folder = func.coalesce(subscriptions.c.folder, "")
    where: list[ColumnElement[bool]] = []
    if q.status == "unread":
        where.append(is_unread())
    elif q.status == "read":
        where.append(is_read())
    if q.starred is True:
        where.append(entry_states.c.starred == true())
    elif q.starred is False:
        where.append(or_(entry_states.c.starred.is_(None), entry_states.c.starred == false()))
    if q.feed_ids is not None:
        where.append(ids_in(dialect, items.c.feed_id, q.feed_ids) if q.feed_ids else false())
    if q.folder is not None:
        where.append(folder == q.folder)
    if q.exclude_feed_ids:
        where.append(~ids_in(dialect, items.c.feed_id, q.exclude_feed_ids))
    if q.exclude_folder is not None:
        where.append(folder != q.exclude_folder)
    if q.seen_after is not None:
        where.append(items.c.first_seen >= q.seen_after)
    if q.seen_before is not None:
        where.append(items.c.first_seen < q.seen_before)
    if q.after_id is not None:
        where.append(items.c.id > q.after_id)
    if q.before_id is not None:
        where.append(items.c.id < q.before_id)
    if q.ids is not None:
        where.append(many_ids(dialect, items.c.id, q.ids) if q.ids else false())
    if q.label is not None:
        where.append(labeled(q.label, user_id))
    return where


class SyncPart(StorePart):
    def item_ids(self, user_id: int, q: IdQuery) -> list[int]:
        """One page of the ids of the person's items that ``q`` asks for."""
        if q.status not in STATUSES:
            raise ValueError(f"status is one of {', '.join(STATUSES)}, not {q.status!r}")
        order = items.c.id.desc() if q.newest_first else items.c.id.asc()
        query = (
            _base(user_id, q)
            .where(*_where(q, self.engine.dialect.name, user_id))
            .order_by(order)
            .limit(max(1, min(q.limit, SYNC_MAX)))
        )
        with self.engine.connect() as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def entries_by_ids(self, user_id: int, ids: Sequence[int]) -> list[Entry]:
        """The person's entries of ``ids`` (items of feeds they follow, or starred by them),
        newest id first, in one query: what an app asks for in batches of hundreds."""
        if not ids:
            return []
        mine = and_(subscriptions.c.feed_id == items.c.feed_id, subscriptions.c.user_id == user_id)
        state = and_(entry_states.c.user_id == user_id, entry_states.c.item_id == items.c.id)
        query = (
            select(*entry_columns())
            .select_from(items)
            .join(feeds, feeds.c.id == items.c.feed_id)
            .outerjoin(subscriptions, mine)
            .outerjoin(entry_states, state)
            .where(
                many_ids(self.engine.dialect.name, items.c.id, ids),
                or_(subscriptions.c.id.is_not(None), entry_states.c.starred == true()),
                not_hidden(),
            )
            .order_by(items.c.id.desc())
        )
        with self.engine.connect() as conn:
            return with_labels(conn, user_id, [entry_of(r) for r in conn.execute(query)])

    def sync_totals(self, user_id: int) -> tuple[int, datetime | None]:
        """How many items the person's feeds hold, and when one of them was last fetched
        well: what a Fever answer carries every time, so two index-only reads."""
        mine = and_(subscriptions.c.feed_id == items.c.feed_id, subscriptions.c.user_id == user_id)
        count = select(func.count()).select_from(items).join(subscriptions, mine)
        newest = (
            select(func.max(feeds.c.last_success))
            .join(subscriptions, subscriptions.c.feed_id == feeds.c.id)
            .where(subscriptions.c.user_id == user_id)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(count).scalar() or 0), conn.execute(newest).scalar()

    def feed_stats(self, user_id: int) -> dict[int, FeedStats]:
        """For each feed the person follows: its items, their unread ones, the newest's first
        seen (from the ``items (feed_id, id)`` index, one range per feed)."""
        s = subscriptions
        total = (
            select(func.count()).select_from(items).where(items.c.feed_id == s.c.feed_id)
        ).scalar_subquery()
        newest = (
            select(items.c.first_seen)
            .where(items.c.feed_id == s.c.feed_id)
            .order_by(items.c.id.desc())
            .limit(1)
        ).scalar_subquery()
        query = select(
            s.c.feed_id,
            total.label("total"),
            unread_expr().label("unread"),
            newest.label("newest"),
        ).where(s.c.user_id == user_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return {
            int(r.feed_id): FeedStats(int(r.feed_id), int(r.total), int(r.unread), r.newest)
            for r in rows
        }
