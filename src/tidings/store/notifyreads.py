"""What the notifications tell of: feeds failing for a day and back, and the daily digests'
new items; each notice is claimed and queued in one transaction, so two processes never send
the same one and a crash never loses one half-made.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, false, func, insert, or_, select, update

from tidings.arrival import DigestEntry
from tidings.store.part import StorePart
from tidings.store.schema import entry_states as e
from tidings.store.schema import feeds as f
from tidings.store.schema import items as i
from tidings.store.schema import notifications
from tidings.store.schema import notify_targets as t
from tidings.store.schema import subscriptions as s


def queue_rows(
    conn: Connection,
    target_ids: Sequence[int],
    kind: str,
    title: str,
    body: str,
    link: str | None,
    item_id: int | None,
    now: datetime,
) -> int:
    """Insert one message for each target, due now."""
    if not target_ids:
        return 0
    rows = [
        {
            "target_id": target_id,
            "kind": kind,
            "title": title,
            "body": body,
            "link": link,
            "item_id": item_id,
            "created_at": now,
            "next_attempt_at": now,
        }
        for target_id in target_ids
    ]
    conn.execute(insert(notifications), rows)
    return len(rows)


class NotifyReads(StorePart):
    """Feed health and digests, for the notifications."""

    # -- feed health ----------------------------------------------------------------------------

    def failing_unnoticed(self, since: datetime) -> list[int]:
        """Feeds failing since ``since`` or before, not told of yet."""
        query = select(f.c.id).where(f.c.error_since <= since, f.c.health_notified_at.is_(None))
        with self.engine.connect() as conn:
            return [int(x) for x in conn.scalars(query.order_by(f.c.id))]

    def recovered_unnoticed(self) -> list[int]:
        """Feeds told of as failing that have worked since (a new run of failures after it
        counts as working: its own day starts over)."""
        query = select(f.c.id).where(
            f.c.health_notified_at.is_not(None),
            or_(f.c.error_since.is_(None), f.c.error_since > f.c.health_notified_at),
        )
        with self.engine.connect() as conn:
            return [int(x) for x in conn.scalars(query.order_by(f.c.id))]

    def notice_health(
        self,
        feed_id: int,
        *,
        failing: bool,
        since: datetime,
        now: datetime,
        target_ids: Sequence[int],
        title: str,
        body: str,
        link: str | None,
    ) -> bool:
        """Claim the feed's notice (failing: set ``health_notified_at``; recovered: clear it)
        and queue it for ``target_ids``, in one transaction; False when another process did."""
        if failing:
            claim = (
                update(f)
                .where(
                    f.c.id == feed_id,
                    f.c.health_notified_at.is_(None),
                    f.c.error_since <= since,
                )
                .values(health_notified_at=now)
            )
        else:
            claim = (
                update(f)
                .where(
                    f.c.id == feed_id,
                    f.c.health_notified_at.is_not(None),
                    or_(f.c.error_since.is_(None), f.c.error_since > f.c.health_notified_at),
                )
                .values(health_notified_at=None)
            )
        with self.engine.begin() as conn:
            if conn.execute(claim).rowcount != 1:
                return False
            queue_rows(conn, target_ids, "health", title, body, link, None, now)
        return True

    # -- digests --------------------------------------------------------------------------------

    def digests_due(self, since: datetime) -> list[tuple[int, int | None, datetime | None]]:
        """Enabled digest targets whose last digest is before ``since``: (id, owner, when)."""
        query = select(t.c.id, t.c.user_id, t.c.last_digest_at).where(
            t.c.enabled,
            t.c.digest,
            or_(t.c.last_digest_at.is_(None), t.c.last_digest_at <= since),
        )
        with self.engine.connect() as conn:
            return [(r.id, r.user_id, r.last_digest_at) for r in conn.execute(query)]

    def queue_digest(
        self,
        target_id: int,
        seen: datetime | None,
        *,
        now: datetime,
        title: str,
        body: str | None,
    ) -> bool:
        """Move ``last_digest_at`` from ``seen`` to now and queue the digest (``body`` None:
        a day with nothing to tell), in one transaction; whether a digest was queued (False too
        when another process took this day's)."""
        was = t.c.last_digest_at.is_(None) if seen is None else t.c.last_digest_at == seen
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(t).where(t.c.id == target_id, was).values(last_digest_at=now)
            )
            if moved.rowcount != 1 or body is None:
                return False
            queue_rows(conn, [target_id], "digest", title, body, None, None, now)
        return True

    def new_unread(
        self, user_id: int, since: datetime, now: datetime, limit: int
    ) -> list[DigestEntry]:
        """A person's items first seen in (since, now] that are unread and not hidden, by
        feed, newest first in each."""
        feed_title = func.coalesce(s.c.title, f.c.user_title, f.c.title, f.c.url)
        unread = or_(
            and_(e.c.read.is_(None), i.c.id > s.c.read_until),
            e.c.read == false(),
        )
        query = (
            select(feed_title.label("feed"), i.c.title, i.c.link)
            .select_from(
                i.join(s, and_(s.c.feed_id == i.c.feed_id, s.c.user_id == user_id))
                .join(f, f.c.id == i.c.feed_id)
                .outerjoin(e, and_(e.c.user_id == user_id, e.c.item_id == i.c.id))
            )
            .where(
                i.c.first_seen > since,
                i.c.first_seen <= now,
                unread,
                or_(e.c.hidden.is_(None), e.c.hidden == false()),
            )
            .order_by(feed_title, i.c.id.desc())
            .limit(limit)
        )
        return self._entries(query)

    def new_on_site(self, since: datetime, now: datetime, limit: int) -> list[DigestEntry]:
        """The site's items first seen in (since, now], by feed, newest first in each."""
        feed_title = func.coalesce(f.c.user_title, f.c.title, f.c.url)
        query = (
            select(feed_title.label("feed"), i.c.title, i.c.link)
            .select_from(i.join(f, f.c.id == i.c.feed_id))
            .where(f.c.on_site, i.c.first_seen > since, i.c.first_seen <= now)
            .order_by(feed_title, i.c.id.desc())
            .limit(limit)
        )
        return self._entries(query)

    def _entries(self, query: Select[Any]) -> list[DigestEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(query)
            return [DigestEntry(r.feed, r.title or r.link or "(untitled)", r.link) for r in rows]
