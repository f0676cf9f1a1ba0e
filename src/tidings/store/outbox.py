"""Notification targets and the outbox: the database is the queue of the sender.

Every step of the sender that two processes could race on is a conditional update: a target's
turn is taken by moving ``last_sent_at`` from the value read to now (one process wins it, and
the next turn is a minute later at least), a feed's health notice by setting
``health_notified_at`` where it was NULL, a digest by moving ``last_digest_at``. A message is
live while unsent, under ``MAX_ATTEMPTS`` tries and younger than ``GIVE_UP_AFTER``; after that
it is given up, its ``last_error`` saying why, and kept a while for the pages to count.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    delete,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    update,
)

from tidings.arrival import NotifyTarget, OutboxMessage
from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.store.notifyreads import NotifyReads, queue_rows
from tidings.store.schema import notifications as n
from tidings.store.schema import notify_targets as t
from tidings.store.schema import users

MAX_ATTEMPTS = 20
GIVE_UP_AFTER = timedelta(hours=24)
KEEP = timedelta(days=30)  # delivered and given-up messages are kept this long
GAVE_UP = "gave up"  # how a given-up message's last_error starts


def owner(user_id: int | None) -> ColumnElement[bool]:
    """The targets of a person, or the site's (``user_id`` None)."""
    return t.c.user_id.is_(None) if user_id is None else t.c.user_id == user_id


def live(now: datetime) -> ColumnElement[bool]:
    """Messages still to be tried."""
    return and_(
        n.c.sent_at.is_(None),
        n.c.attempts < MAX_ATTEMPTS,
        n.c.created_at > now - GIVE_UP_AFTER,
    )


def _target(row: Row[Any]) -> NotifyTarget:
    return NotifyTarget(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        url=row.url,
        digest=bool(row.digest),
        enabled=bool(row.enabled),
        created_at=row.created_at,
        last_sent_at=row.last_sent_at,
        last_digest_at=row.last_digest_at,
        failures=row.failures,
        last_error=row.last_error,
        pending=int(getattr(row, "pending", 0) or 0),
        given_up=int(getattr(row, "given_up", 0) or 0),
        delivered_at=getattr(row, "delivered_at", None),
    )


class Outbox(NotifyReads):
    """Targets, their messages, and the sender's claims on them."""

    # -- targets --------------------------------------------------------------------------------

    def add_target(
        self, user_id: int | None, name: str, url: str, *, digest: bool, now: datetime
    ) -> NotifyTarget:
        with self.engine.begin() as conn:
            tid = conn.execute(
                insert(t).values(
                    user_id=user_id,
                    name=name,
                    url=url,
                    digest=digest,
                    created_at=now,
                    last_digest_at=now if digest else None,  # the first digest in a day
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return self.target(user_id, int(tid), now)

    def targets(
        self, user_id: int | None, now: datetime, ids: Iterable[int] | None = None
    ) -> list[NotifyTarget]:
        """A person's targets or the site's, oldest first, with their outbox's counts."""
        mine = n.c.target_id == t.c.id
        pending = select(func.count()).where(mine, live(now)).scalar_subquery()
        dead = select(func.count()).where(mine, n.c.sent_at.is_(None), not_(live(now)))
        delivered = select(func.max(n.c.sent_at)).where(mine).scalar_subquery()
        query = select(
            t,
            pending.label("pending"),
            dead.scalar_subquery().label("given_up"),
            delivered.label("delivered_at"),
        ).where(owner(user_id))
        if ids is not None:
            query = query.where(t.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            return [_target(r) for r in conn.execute(query.order_by(t.c.id))]

    def target(self, user_id: int | None, target_id: int, now: datetime) -> NotifyTarget:
        """One of ``user_id``'s targets (NotFoundError for another's, as for none)."""
        found = self.targets(user_id, now, [target_id])
        if not found:
            raise NotFoundError(
                _("no notification target %(target_id)s") % {"target_id": target_id}
            )
        return found[0]

    def remove_target(self, user_id: int | None, target_id: int, now: datetime) -> NotifyTarget:
        """Remove a target and its outbox (the messages go with it)."""
        gone = self.target(user_id, target_id, now)
        with self.engine.begin() as conn:
            conn.execute(delete(n).where(n.c.target_id == target_id))
            conn.execute(delete(t).where(t.c.id == target_id, owner(user_id)))
        return gone

    def set_target_enabled(
        self, user_id: int | None, target_id: int, enabled: bool, now: datetime
    ) -> NotifyTarget:
        with self.engine.begin() as conn:
            done = conn.execute(
                update(t).where(t.c.id == target_id, owner(user_id)).values(enabled=enabled)
            )
        if not done.rowcount:
            raise NotFoundError(
                _("no notification target %(target_id)s") % {"target_id": target_id}
            )
        return self.target(user_id, target_id, now)

    def count_targets(self, user_id: int | None) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).where(owner(user_id))) or 0)

    def enabled_targets(self, user_id: int | None) -> list[int]:
        with self.engine.connect() as conn:
            query = select(t.c.id).where(owner(user_id), t.c.enabled).order_by(t.c.id)
            return [int(i) for i in conn.scalars(query)]

    def owner_language(self, target_id: int) -> str | None:
        """The own language of the person a target belongs to; None for the site's targets and
        for a person who chose none (theirs is the site's language then)."""
        query = select(users.c.language).join(t, t.c.user_id == users.c.id)
        with self.engine.connect() as conn:
            return conn.scalar(query.where(t.c.id == target_id))

    def target_url(self, target_id: int) -> str | None:
        """The full URL, for the sender only."""
        with self.engine.connect() as conn:
            return conn.scalar(select(t.c.url).where(t.c.id == target_id))

    # -- the outbox -----------------------------------------------------------------------------

    def queue(
        self,
        target_ids: Sequence[int],
        *,
        kind: str,
        title: str,
        body: str,
        now: datetime,
        link: str | None = None,
        item_id: int | None = None,
    ) -> int:
        """One message for each target, due now."""
        with self.engine.begin() as conn:
            return queue_rows(conn, target_ids, kind, title, body, link, item_id, now)

    def sendable(self, now: datetime, gap: timedelta) -> list[tuple[int, datetime | None, int]]:
        """The enabled targets with a message due and no batch in the last ``gap``: (id, when
        the last batch was tried, failures in a row)."""
        due = select(n.c.id).where(n.c.target_id == t.c.id, live(now), n.c.next_attempt_at <= now)
        query = select(t.c.id, t.c.last_sent_at, t.c.failures).where(
            t.c.enabled,
            or_(t.c.last_sent_at.is_(None), t.c.last_sent_at <= now - gap),
            due.exists(),
        )
        with self.engine.connect() as conn:
            return [(r.id, r.last_sent_at, r.failures) for r in conn.execute(query)]

    def take_turn(self, target_id: int, seen: datetime | None, now: datetime) -> bool:
        """Take the target's turn: True for the one process whose update moved
        ``last_sent_at`` from ``seen`` to ``now``."""
        was = t.c.last_sent_at.is_(None) if seen is None else t.c.last_sent_at == seen
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(t).where(t.c.id == target_id, was, t.c.enabled).values(last_sent_at=now)
            )
        return moved.rowcount == 1

    def due_messages(self, target_id: int, now: datetime, limit: int) -> list[OutboxMessage]:
        """The target's live messages due now, oldest first."""
        with self.engine.connect() as conn:
            return _messages(conn, _due(target_id, now).limit(limit))

    def claim_messages(
        self,
        target_id: int,
        now: datetime,
        *,
        limit: int,
        lease_until: datetime,
        alone: Collection[str] = ("digest",),
    ) -> list[OutboxMessage]:
        """Claim the target's messages due now for one delivery: their next attempt moves to
        ``lease_until`` (where it still was due: another process's claim wins), and the ones
        carrying that very time are this claim's. A message of a kind in ``alone`` goes by
        itself (the oldest); the others together. A claim whose delivery never reports back
        (a killed process) is due again after its lease."""
        with self.engine.begin() as conn:
            due = _messages(conn, _due(target_id, now).limit(limit))
            lone = [m for m in due if m.kind in alone]
            ids = [m.id for m in (lone[:1] or due)]
            if not ids:
                return []
            conn.execute(
                update(n)
                .where(n.c.id.in_(ids), n.c.sent_at.is_(None), n.c.next_attempt_at <= now)
                .values(next_attempt_at=lease_until)
            )
            mine = select(n).where(
                n.c.id.in_(ids), n.c.sent_at.is_(None), n.c.next_attempt_at == lease_until
            )
            return _messages(conn, mine.order_by(n.c.id))

    def delivered(self, target_id: int, ids: Sequence[int], now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(n)
                .where(n.c.id.in_(ids), n.c.sent_at.is_(None))
                .values(sent_at=now, attempts=n.c.attempts + 1, last_error=None)
            )
            conn.execute(update(t).where(t.c.id == target_id).values(failures=0, last_error=None))

    def failed(
        self,
        target_id: int,
        ids: Sequence[int],
        error: str,
        *,
        now: datetime,
        retry_at: datetime,
    ) -> int:
        """Keep the messages for a retry at ``retry_at``; those out of tries or time are given
        up, with the reason. Returns how many were given up."""
        with self.engine.begin() as conn:
            conn.execute(
                update(n)
                .where(n.c.id.in_(ids), n.c.sent_at.is_(None))
                .values(attempts=n.c.attempts + 1, next_attempt_at=retry_at, last_error=error)
            )
            over = or_(n.c.attempts >= MAX_ATTEMPTS, n.c.created_at <= now - GIVE_UP_AFTER)
            hours = int(GIVE_UP_AFTER.total_seconds() // 3600)
            reason = f"{GAVE_UP} after {MAX_ATTEMPTS} attempts or {hours} hours: {error}"
            given_up = conn.execute(
                update(n)
                .where(n.c.id.in_(ids), n.c.sent_at.is_(None), over)
                .values(last_error=reason)
            ).rowcount
            conn.execute(
                update(t)
                .where(t.c.id == target_id)
                .values(failures=t.c.failures + 1, last_error=error)
            )
        return int(given_up)

    def expire(self, now: datetime) -> int:
        """Give up the messages out of time that no failure gave up (a target disabled for a
        day), saying why; delete what is older than ``KEEP``. Returns how many were given up."""
        hours = int(GIVE_UP_AFTER.total_seconds() // 3600)
        reason = literal(f"{GAVE_UP}: not delivered within {hours} hours (") + func.coalesce(
            n.c.last_error, "never tried"
        )
        with self.engine.begin() as conn:
            given_up = conn.execute(
                update(n)
                .where(
                    n.c.sent_at.is_(None),
                    n.c.created_at <= now - GIVE_UP_AFTER,
                    or_(n.c.last_error.is_(None), not_(n.c.last_error.startswith(GAVE_UP))),
                )
                .values(last_error=reason + literal(")"))
            ).rowcount
            conn.execute(
                delete(n).where(
                    or_(
                        n.c.sent_at < now - KEEP,
                        and_(n.c.sent_at.is_(None), n.c.created_at < now - KEEP),
                    )
                )
            )
        return int(given_up)


def _due(target_id: int, now: datetime) -> Select[Any]:
    return (
        select(n)
        .where(n.c.target_id == target_id, live(now), n.c.next_attempt_at <= now)
        .order_by(n.c.id)
    )


def _messages(conn: Connection, query: Select[Any]) -> list[OutboxMessage]:
    return [
        OutboxMessage(r.id, r.target_id, r.kind, r.title, r.body, r.link, r.created_at, r.attempts)
        for r in conn.execute(query)
    ]
