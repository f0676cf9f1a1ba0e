"""Changing a person's state of items: read, unread, starred, and "mark as read up to".

Every call bumps the person's change counter (``users.state_seq``) once and stamps what it
touched with the new value, so that a sync client asks for the changes since the seq it saw.
Each change is a few set-based statements in one transaction, whatever the number of items:

- by ids: update the person's rows of those items, then insert rows for the items whose state
  now differs from their watermark's;
- up to: move each subscription's watermark in one UPDATE, turn the explicit rows now under it
  read, and delete the rows that then say only what the watermark says (read, not starred).

A row an explicit change wrote stays, even when it says what the watermark says, until the
watermark passes it (a sync client sees the change): rows stay few, at most the explicit marks
above the watermark and the starred items.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    null,
    select,
    true,
    update,
)
from sqlalchemy.types import BigInteger, Boolean

from tidings.store.advance import mark_ids_read
from tidings.store.entries import entry_of, followed, ids_in, starred
from tidings.store.folding import copies_in_range, copies_of, read_copies, watermark
from tidings.store.part import StorePart
from tidings.store.schema import UTCDateTime, entry_states, items, subscriptions, users
from tidings.store.subscriptions import clean_folder, remove_if_orphaned, unread_by_feed
from tidings.types import Entry, MarkResult

CHUNK = 10_000  # ids per statement: under SQLite's 32766 bound parameters


def bump_seq(conn: Connection, user_id: int) -> int:
    """The person's next change number (the row is locked until the transaction ends)."""
    conn.execute(update(users).where(users.c.id == user_id).values(state_seq=users.c.state_seq + 1))
    return int(conn.execute(select(users.c.state_seq).where(users.c.id == user_id)).scalar_one())


def _mine(user_id: int) -> ColumnElement[bool]:
    return entry_states.c.user_id == user_id


def _no_row(user_id: int) -> ColumnElement[bool]:
    return ~exists().where(entry_states.c.user_id == user_id, entry_states.c.item_id == items.c.id)


def _new_rows(
    conn: Connection, user_id: int, picked: ColumnElement[bool], values: dict[str, Any]
) -> int:
    """Insert a state row for each item of the person's feeds matching ``picked`` that has
    none; ``values`` are the rows' read, starred, read_at, starred_at and seq (a column of
    ``items`` or ``subscriptions``, or a literal)."""
    columns = ("read", "starred", "read_at", "starred_at", "seq")
    types: dict[str, Any] = {
        "read": Boolean(),
        "starred": Boolean(),
        "read_at": UTCDateTime(),
        "starred_at": UTCDateTime(),
        "seq": BigInteger(),
    }
    chosen = [
        values[c]
        if isinstance(values[c], ColumnElement)
        else cast(null(), types[c])
        if values[c] is None
        else literal(values[c], types[c])
        for c in columns
    ]
    source = (
        select(literal(user_id, BigInteger()), items.c.id, items.c.feed_id, *chosen)
        .select_from(items)
        .join(
            subscriptions,
            and_(subscriptions.c.feed_id == items.c.feed_id, subscriptions.c.user_id == user_id),
        )
        .where(picked, _no_row(user_id))
    )
    result = conn.execute(
        insert(entry_states)
        .from_select(["user_id", "item_id", "feed_id", *columns], source)
        .execution_options(preserve_rowcount=True)  # else -1 for an INSERT on psycopg
    )
    return max(0, int(result.rowcount or 0))


class MarksPart(StorePart):
    def set_read(
        self, user_id: int, item_ids: Sequence[int], read: bool, now: datetime
    ) -> MarkResult:
        """Mark items of the person's feeds (or starred ones) read or unread. Marked read, the
        unread items that start a feed's run above its watermark move the watermark instead of
        taking a row each (``store.advance``)."""
        ids = sorted(set(int(i) for i in item_ids))
        dialect = self.engine.dialect.name
        marked = 0
        with self.engine.begin() as conn:
            seq = bump_seq(conn, user_id)
            if read:  # and the copies of the stories in the person's folders that fold
                ids = sorted(set(ids) | copies_of(conn, user_id, ids, dialect))
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                if read:
                    marked += mark_ids_read(conn, user_id, chunk, seq, now, dialect)
                    continue
                marked += conn.execute(
                    update(entry_states)
                    .where(
                        _mine(user_id),
                        ids_in(dialect, entry_states.c.item_id, chunk),
                        entry_states.c.read == true(),
                        entry_states.c.hidden == false(),  # a rule hid it: it stays read
                    )
                    .values(read=False, read_at=None, seq=seq)
                ).rowcount
                values = {
                    "read": False,
                    "starred": False,
                    "read_at": None,
                    "starred_at": None,
                    "seq": seq,
                }
                under = items.c.id <= subscriptions.c.read_until
                picked = and_(ids_in(dialect, items.c.id, chunk), under)
                marked += _new_rows(conn, user_id, picked, values)
        return MarkResult(marked, seq)

    def set_starred(
        self, user_id: int, item_ids: Sequence[int], star: bool, now: datetime
    ) -> MarkResult:
        """Star or unstar items of the person's feeds (unstarring also those no longer
        followed, whose rows then go)."""
        ids = list(dict.fromkeys(int(i) for i in item_ids))
        dialect = self.engine.dialect.name
        marked = 0
        with self.engine.begin() as conn:
            seq = bump_seq(conn, user_id)
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                marked += conn.execute(
                    update(entry_states)
                    .where(
                        _mine(user_id),
                        ids_in(dialect, entry_states.c.item_id, chunk),
                        entry_states.c.starred == (false() if star else true()),
                    )
                    .values(starred=star, starred_at=now if star else None, seq=seq)
                ).rowcount
                if star:
                    values = {
                        "read": items.c.id <= subscriptions.c.read_until,
                        "starred": True,
                        "read_at": None,
                        "starred_at": now,
                        "seq": seq,
                    }
                    marked += _new_rows(conn, user_id, ids_in(dialect, items.c.id, chunk), values)
                else:
                    _drop_unfollowed(conn, user_id, chunk, dialect)
        return MarkResult(marked, seq)

    def mark_read(
        self,
        user_id: int,
        *,
        now: datetime,
        feed_id: int | None = None,
        folder: str | None = None,
        up_to_id: int | None = None,
        before: datetime | None = None,
    ) -> MarkResult:
        """Move the watermark of the person's feeds (one feed, a folder, or all) up to
        ``up_to_id`` and/or the items first seen at or before ``before``."""
        scope: list[ColumnElement[bool]] = [subscriptions.c.user_id == user_id]
        if feed_id is not None:
            scope.append(subscriptions.c.feed_id == feed_id)
        if folder is not None:
            scope.append(subscriptions.c.folder == clean_folder(folder))
        with self.engine.begin() as conn:
            seq = bump_seq(conn, user_id)
            unread_before = sum(unread_by_feed(conn, user_id, scope).values())
            was = watermark(conn, user_id, feed_id) if feed_id is not None else 0
            _move_watermarks(conn, scope, seq, up_to_id, before)
            _settle_rows(conn, user_id, scope, seq, now, up_to_id, before)
            if feed_id is not None:  # the copies, in other feeds of a folder that folds
                now_at = watermark(conn, user_id, feed_id)
                copies = copies_in_range(conn, user_id, feed_id, was, now_at)
                read_copies(conn, user_id, list(copies), seq, now, self.engine.dialect.name)
            bounded = up_to_id is not None or before is not None
            # unbounded, everything in scope is read now: no second count
            unread_after = sum(unread_by_feed(conn, user_id, scope).values()) if bounded else 0
        return MarkResult(max(0, unread_before - unread_after), seq)

    def changes(
        self, user_id: int, since_seq: int
    ) -> tuple[list[Entry], list[tuple[int, int]], int]:
        """What changed for the person after ``since_seq``: the entries whose rows changed, the
        watermarks that moved (feed id, read_until), and the current seq."""
        with self.engine.connect() as conn:
            seq = conn.execute(select(users.c.state_seq).where(users.c.id == user_id)).scalar()
            changed = entry_states.c.seq > since_seq
            rows = list(conn.execute(followed(user_id).where(changed).order_by(items.c.id)))
            seen = {r.id for r in rows}
            rows += [
                r
                for r in conn.execute(starred(user_id).where(changed).order_by(items.c.id))
                if r.id not in seen
            ]
            marks = conn.execute(
                select(subscriptions.c.feed_id, subscriptions.c.read_until)
                .where(
                    subscriptions.c.user_id == user_id, subscriptions.c.read_until_seq > since_seq
                )
                .order_by(subscriptions.c.feed_id)
            ).all()
        return [entry_of(r) for r in rows], [(int(f), int(u)) for f, u in marks], int(seq or 0)


def _drop_unfollowed(conn: Connection, user_id: int, chunk: list[int], dialect: str) -> None:
    """Rows of items no longer followed are kept only while starred; a feed kept only for
    someone's stars goes with the last one."""
    followed_feed = exists().where(
        subscriptions.c.user_id == user_id, subscriptions.c.feed_id == entry_states.c.feed_id
    )
    conn.execute(
        delete(entry_states).where(
            _mine(user_id),
            ids_in(dialect, entry_states.c.item_id, chunk),
            entry_states.c.starred == false(),
            ~followed_feed,
        )
    )
    feed_ids = conn.execute(
        select(items.c.feed_id).where(ids_in(dialect, items.c.id, chunk)).distinct()
    ).scalars()
    for feed_id in list(feed_ids):
        remove_if_orphaned(conn, int(feed_id))


def _up_to(feed: ColumnElement[Any], up_to_id: int | None, before: datetime | None) -> Any:
    """The largest id of ``feed``'s items within the bounds (correlated), NULL when none."""
    query = select(func.max(items.c.id)).where(items.c.feed_id == feed)
    if up_to_id is not None:
        query = query.where(items.c.id <= up_to_id)
    if before is not None:
        query = query.where(items.c.first_seen <= before)
    return query.scalar_subquery()


def _move_watermarks(
    conn: Connection,
    scope: list[ColumnElement[bool]],
    seq: int,
    up_to_id: int | None,
    before: datetime | None,
) -> None:
    target = _up_to(subscriptions.c.feed_id, up_to_id, before)
    conn.execute(
        update(subscriptions)
        .where(*scope, target > subscriptions.c.read_until)
        .values(read_until=target, read_until_seq=seq)
    )


def _settle_rows(
    conn: Connection,
    user_id: int,
    scope: list[ColumnElement[bool]],
    seq: int,
    now: datetime,
    up_to_id: int | None,
    before: datetime | None,
) -> None:
    """The person's explicit rows under the (moved) watermarks: unread ones within the bounds
    become read, and the read ones that are not starred go."""
    under = _under(scope)
    bounds: list[ColumnElement[bool]] = []
    if up_to_id is not None:
        bounds.append(entry_states.c.item_id <= up_to_id)
    if before is not None:
        bounds.append(
            exists().where(items.c.id == entry_states.c.item_id, items.c.first_seen <= before)
        )
    conn.execute(
        update(entry_states)
        .where(_mine(user_id), entry_states.c.read == false(), under, *bounds)
        .values(read=True, read_at=now, seq=seq)
    )
    _drop_read_under(conn, user_id, scope)


def _under(scope: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """A state row under its subscription's watermark (within ``scope``)."""
    return entry_states.c.item_id <= (
        select(subscriptions.c.read_until)
        .where(*scope, subscriptions.c.feed_id == entry_states.c.feed_id)
        .scalar_subquery()
    )


def _drop_read_under(
    conn: Connection,
    user_id: int,
    scope: list[ColumnElement[bool]],
    feed_ids: list[int] | None = None,
) -> None:
    """Delete the rows that say only what the watermark says: read, not starred, under it
    (of ``feed_ids`` only, when given)."""
    only = [] if feed_ids is None else [entry_states.c.feed_id.in_(feed_ids)]
    conn.execute(
        delete(entry_states).where(
            _mine(user_id),
            *only,
            entry_states.c.read == true(),
            entry_states.c.starred == false(),
            entry_states.c.hidden == false(),  # what keeps a hidden item hidden
            _under([subscriptions.c.user_id == user_id, *scope]),
        )
    )
