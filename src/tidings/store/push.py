"""WebSub subscriptions at hubs (``push_subscriptions``): the rows the chore works through and
the callback reads.

A row outlives its feed (``feed_id`` goes NULL when the feed is removed) so that the hub can be
told to stop. Every change the callback makes is a conditional update on the row's token and
its pending request, so a verification the hub replays for a request no longer pending finds
nothing to change; the chore claims its due rows the same way, so two processes never send the
same request.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, exists, insert, or_, select, update

from tidings.arrival import PushSubscription, PushTarget
from tidings.store.part import StorePart
from tidings.store.schema import feeds, push_subscriptions

PS = push_subscriptions
LIVE = ("subscribing", "active", "expired", "denied")  # not on the way out


class PushPart(StorePart):
    def push_create(self, now: datetime) -> int:
        """A row for each feed whose document names a hub and that has no live row for that
        hub and topic: a random token (its callback's path) and secret (the hub's HMAC key)."""
        same = and_(
            PS.c.feed_id == feeds.c.id,
            PS.c.hub == feeds.c.websub_hub,
            PS.c.topic == feeds.c.websub_topic,
            PS.c.state.in_(LIVE),
        )
        wanted = select(feeds.c.id, feeds.c.websub_hub, feeds.c.websub_topic).where(
            feeds.c.websub_hub.is_not(None),
            feeds.c.websub_topic.is_not(None),
            feeds.c.disabled_reason.is_(None),
            ~exists().where(same),
        )
        with self.engine.begin() as conn:
            rows = [
                {
                    "feed_id": fid,
                    "hub": hub,
                    "topic": topic,
                    "token": secrets.token_urlsafe(32),
                    "secret": secrets.token_urlsafe(48),
                    "state": "subscribing",
                    "next_action_at": now,
                }
                for fid, hub, topic in conn.execute(wanted)
            ]
            if rows:
                conn.execute(insert(PS), rows)
        return len(rows)

    def push_retire(self, now: datetime) -> int:
        """Rows whose feed is gone, or no longer names their hub and topic, head for an
        unsubscribe; those the hub never heard of (never requested, or denied) go at once.
        An active subscription past its lease is marked expired (and subscribed again)."""
        feed = feeds.alias("f")
        stale = (
            select(PS.c.id, PS.c.state, PS.c.requested_at)
            .select_from(PS.outerjoin(feed, feed.c.id == PS.c.feed_id))
            .where(
                PS.c.state != "unsubscribing",
                or_(
                    feed.c.id.is_(None),
                    feed.c.websub_hub.is_(None),
                    feed.c.websub_hub != PS.c.hub,
                    feed.c.websub_topic != PS.c.topic,
                    feed.c.disabled_reason.is_not(None),
                ),
            )
        )
        with self.engine.begin() as conn:
            found = conn.execute(stale).all()
            quiet = [r.id for r in found if r.state == "denied" or r.requested_at is None]
            told = [r.id for r in found if r.id not in quiet]
            if quiet:
                conn.execute(delete(PS).where(PS.c.id.in_(quiet)))
            if told:
                conn.execute(
                    update(PS)
                    .where(PS.c.id.in_(told))
                    .values(
                        state="unsubscribing",
                        pending_mode=None,
                        error_count=0,
                        last_error=None,
                        next_action_at=now,
                    )
                )
            conn.execute(
                update(PS)
                .where(PS.c.state == "active", PS.c.expires_at < now)
                .values(state="expired", next_action_at=now)
            )
        return len(found)

    def push_due(self, now: datetime, hold_until: datetime, limit: int = 100) -> list[PushTarget]:
        """The rows whose next request is due, each claimed until ``hold_until`` (a row another
        process claimed first is left to it)."""
        query = (
            select(PS)
            .where(PS.c.next_action_at <= now, PS.c.state != "denied")
            .order_by(PS.c.next_action_at)
            .limit(limit)
        )
        claimed = []
        with self.engine.begin() as conn:
            for row in conn.execute(query).all():
                taken = conn.execute(
                    update(PS)
                    .where(PS.c.id == row.id, PS.c.next_action_at == row.next_action_at)
                    .values(next_action_at=hold_until)
                ).rowcount
                if taken:
                    claimed.append(_target(row))
        return claimed

    def push_requested(self, sub_id: int, mode: str, now: datetime, wait_until: datetime) -> None:
        """A request is about to go to the hub: its verification may come from now on (even
        before the hub answers the request), until ``wait_until`` when it is sent again."""
        self._set(sub_id, pending_mode=mode, requested_at=now, next_action_at=wait_until)

    def push_unverified(self, sub_id: int, error: str) -> int:
        """The last request was never verified: counted as a failure; the count."""
        with self.engine.begin() as conn:
            conn.execute(
                update(PS)
                .where(PS.c.id == sub_id)
                .values(error_count=PS.c.error_count + 1, last_error=error, pending_mode=None)
            )
            return int(
                conn.execute(select(PS.c.error_count).where(PS.c.id == sub_id)).scalar() or 0
            )

    def push_failed(self, sub_id: int, mode: str, error: str, retry_at: datetime) -> int:
        """The hub refused the request or could not be reached: nothing is pending any more
        (unless the hub verified it meanwhile); the failure count."""
        with self.engine.begin() as conn:
            conn.execute(
                update(PS)
                .where(PS.c.id == sub_id, PS.c.pending_mode == mode)
                .values(pending_mode=None)
            )
            conn.execute(
                update(PS)
                .where(PS.c.id == sub_id)
                .values(error_count=PS.c.error_count + 1, last_error=error, next_action_at=retry_at)
            )
            return int(
                conn.execute(select(PS.c.error_count).where(PS.c.id == sub_id)).scalar() or 0
            )

    def push_delete(self, sub_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(PS).where(PS.c.id == sub_id))

    # -- the callback ----------------------------------------------------------------------

    def push_target(self, token: str) -> PushTarget | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(PS).where(PS.c.token == token)).first()
        return _target(row) if row is not None else None

    def push_verified(
        self,
        token: str,
        topic: str,
        *,
        now: datetime,
        lease_seconds: int,
        expires_at: datetime,
        renew_at: datetime,
    ) -> bool:
        """The hub verified the pending subscribe of ``token`` for ``topic``: active."""
        return self._verify(
            token,
            topic,
            "subscribe",
            state="active",
            pending_mode=None,
            verified_at=now,
            lease_seconds=lease_seconds,
            expires_at=expires_at,
            next_action_at=renew_at,
            error_count=0,
            last_error=None,
        )

    def push_unsubscribed(self, token: str, topic: str) -> bool:
        """The hub verified the pending unsubscribe: the row is done with."""
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    delete(PS).where(
                        PS.c.token == token,
                        PS.c.topic == topic,
                        PS.c.pending_mode == "unsubscribe",
                    )
                ).rowcount
            )

    def push_denied(self, token: str, topic: str, reason: str) -> bool:
        """The hub denied (or later revoked) the subscription; one being removed just goes."""
        with self.engine.begin() as conn:
            mine = and_(PS.c.token == token, PS.c.topic == topic)
            if conn.execute(delete(PS).where(mine, PS.c.state == "unsubscribing")).rowcount:
                return True
            values = {"state": "denied", "pending_mode": None, "next_action_at": None}
            return bool(
                conn.execute(
                    update(PS).where(mine).values(**values, last_error=reason[:500])
                ).rowcount
            )

    def push_counted(self, sub_id: int, now: datetime) -> None:
        self._set(sub_id, pushes=PS.c.pushes + 1, last_push_at=now)

    def push_subscriptions(self) -> list[PushSubscription]:
        """Every subscription, with its feed's title, by feed."""
        query = (
            select(PS, feeds.c.title.label("feed_title"), feeds.c.url.label("feed_url"))
            .select_from(PS.outerjoin(feeds, feeds.c.id == PS.c.feed_id))
            .order_by(PS.c.feed_id, PS.c.id)
        )
        with self.engine.connect() as conn:
            return [_subscription(row) for row in conn.execute(query)]

    # -- helpers -----------------------------------------------------------------------------

    def _set(self, sub_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(PS).where(PS.c.id == sub_id).values(**values))

    def _verify(self, token: str, topic: str, mode: str, **values: Any) -> bool:
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(PS)
                    .where(PS.c.token == token, PS.c.topic == topic, PS.c.pending_mode == mode)
                    .values(**values)
                ).rowcount
            )


def _target(row: Row[Any]) -> PushTarget:
    return PushTarget(
        id=row.id,
        feed_id=row.feed_id,
        hub=row.hub,
        topic=row.topic,
        token=row.token,
        secret=row.secret,
        state=row.state,
        pending_mode=row.pending_mode,
        expires_at=row.expires_at,
        error_count=row.error_count,
    )


def _subscription(row: Row[Any]) -> PushSubscription:
    return PushSubscription(
        id=row.id,
        feed_id=row.feed_id,
        feed_title=row.feed_title or row.feed_url,
        hub=row.hub,
        topic=row.topic,
        state=row.state,
        pending_mode=row.pending_mode,
        lease_seconds=row.lease_seconds,
        expires_at=row.expires_at,
        next_action_at=row.next_action_at,
        last_push_at=row.last_push_at,
        pushes=row.pushes,
        error_count=row.error_count,
        last_error=row.last_error,
    )
