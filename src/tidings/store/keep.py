"""What retention keeps for people: items someone starred, and items still unread for someone.

Retention (``UpdatesPart.apply``, the items a plan expires) never deletes an item anyone starred,
and keeps an item that is unread for a subscriber whose ``keep_unread_days`` is null (forever) or
not yet passed since the item was first seen, up to the feed's ``unread_cap`` (when set, only the
feed's newest ``unread_cap`` items may be kept for being unread). ``kept_unread`` is the
decision, pure; ``protected`` reads what it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from tidings.store.schema import entry_states, feeds, items, subscriptions, users


@dataclass(frozen=True, slots=True)
class Follower:
    user_id: int
    read_until: int
    keep_unread_days: int | None


def kept_unread(
    candidates: Iterable[tuple[int, datetime]],
    followers: Sequence[Follower],
    marks: Mapping[tuple[int, int], bool],
    now: datetime,
    lowest_capped: int = 0,
) -> set[int]:
    """The ids among ``candidates`` (id, first seen) that someone still has unread and wants
    kept; ``marks`` are the explicit read marks by (user, item); items below ``lowest_capped``
    are past the feed's cap."""
    kept: set[int] = set()
    for item_id, first_seen in candidates:
        if item_id < lowest_capped:
            continue
        for f in followers:
            if f.keep_unread_days is not None and first_seen <= now - timedelta(
                days=f.keep_unread_days
            ):
                continue
            read = marks.get((f.user_id, item_id), item_id <= f.read_until)
            if not read:
                kept.add(item_id)
                break
    return kept


def _lowest_capped(conn: Connection, feed_id: int) -> int:
    """The smallest id the feed's unread cap still keeps (0: no cap; past every id: cap 0)."""
    cap = conn.execute(select(feeds.c.unread_cap).where(feeds.c.id == feed_id)).scalar()
    if cap is None:
        return 0
    if cap <= 0:
        return 2**63 - 1
    newest = conn.execute(
        select(items.c.id)
        .where(items.c.feed_id == feed_id)
        .order_by(items.c.id.desc())
        .offset(cap - 1)
        .limit(1)
    ).scalar()
    return int(newest or 0)


def protected(
    conn: Connection, feed_id: int, candidates: Sequence[tuple[int, datetime]], now: datetime
) -> set[int]:
    """The ids among ``candidates`` (a feed's items that retention would delete) to keep."""
    ids = [i for i, _ in candidates]
    if not ids:
        return set()
    states = conn.execute(
        select(
            entry_states.c.user_id,
            entry_states.c.item_id,
            entry_states.c.read,
            entry_states.c.starred,
        ).where(entry_states.c.item_id.in_(ids))
    ).all()
    starred = {r.item_id for r in states if r.starred}
    followers = [
        Follower(int(r.user_id), int(r.read_until), r.keep_unread_days)
        for r in conn.execute(
            select(subscriptions.c.user_id, subscriptions.c.read_until, users.c.keep_unread_days)
            .join(users, users.c.id == subscriptions.c.user_id)
            .where(subscriptions.c.feed_id == feed_id)
        )
    ]
    if not followers:
        return starred
    marks = {(int(r.user_id), int(r.item_id)): bool(r.read) for r in states}
    rest = [(i, seen) for i, seen in candidates if i not in starred]
    return starred | kept_unread(rest, followers, marks, now, _lowest_capped(conn, feed_id))
