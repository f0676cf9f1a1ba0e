"""An update's reads and writes: the state a feed's update starts from, and its plan applied.

The plan is written in one transaction, items first and the feed row (with its validators) last,
so that a crash between the two leaves validators that still ask for the items again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, insert, select, text, update

from tidings.errors import NotFoundError
from tidings.store.history import log_fetch
from tidings.store.keep import protected
from tidings.store.part import StorePart
from tidings.store.schema import feeds, items, tombstones
from tidings.store.search import search_text_of
from tidings.types import FeedState, ItemWrite, StoredItem, UpdatePlan

EXPIRE_CHUNK = 500  # identities per statement: well under every database's bound-parameter cap
# PostgreSQL advisory lock key: one transaction at a time inserts items, from id to commit
ITEMS_LOCK = 0x7469_6474


class UpdatesPart(StorePart):
    def feed_state(self, feed_id: int, *, with_items: bool = True) -> FeedState:
        """What an update starts from; without ``with_items``, only the items' dates.

        A 304 needs no item identities: its dates come from the (feed_id, sort_date) index
        alone, while reading the identities touches every item row.
        """
        with self.engine.connect() as conn:
            row = conn.execute(select(feeds).where(feeds.c.id == feed_id)).first()
            if row is None:
                raise NotFoundError(f"no feed with id {feed_id}")
            if not with_items:
                dates = conn.execute(select(items.c.sort_date).where(items.c.feed_id == feed_id))
                return _state_of(row, {}, frozenset(), tuple(dates.scalars().all()))
            stored = _stored_items(conn, feed_id)
            gone = frozenset(
                conn.execute(
                    select(tombstones.c.identity_hash).where(tombstones.c.feed_id == feed_id)
                ).scalars()
            )
        return _state_of(row, stored, gone, None)

    def apply(self, plan: UpdatePlan) -> bool:
        """Write one feed's update in one transaction; False if it may not be written (the
        feed is gone meanwhile, or ``may_write`` says no)."""
        with self.engine.begin() as conn:
            if not self.may_write(conn, plan.feed_id):
                return False
            _write_items(conn, plan)
            if plan.expired:
                _expire(conn, plan.feed_id, plan.expired, plan.checked_at)
            log_fetch(conn, plan)
            # the feed row last: validators only count once the items are in
            values = _feed_values(conn, plan)
            conn.execute(update(feeds).where(feeds.c.id == plan.feed_id).values(**values))
        return True

    def may_write(self, conn: Connection, feed_id: int) -> bool:
        """Whether ``apply`` may write the feed: it still exists. The first statement of the
        update's transaction, so that a leased store (``store.leases``) can check and release
        its lease here, in the same transaction as the write."""
        return conn.execute(select(feeds.c.id).where(feeds.c.id == feed_id)).first() is not None


# -- reading the state -------------------------------------------------------------------------


def _stored_items(conn: Connection, feed_id: int) -> dict[str, StoredItem]:
    query = select(
        items.c.identity_hash, items.c.content_hash, items.c.first_seen, items.c.sort_date
    ).where(items.c.feed_id == feed_id)
    return {
        r.identity_hash: StoredItem(r.identity_hash, r.content_hash, r.first_seen, r.sort_date)
        for r in conn.execute(query)
    }


def _state_of(
    row: Row[Any],
    stored: dict[str, StoredItem],
    gone: frozenset[str],
    dates: tuple[datetime, ...] | None,
) -> FeedState:
    return FeedState(
        feed_id=row.id,
        url=row.url,
        etag=row.etag,
        last_modified=row.last_modified,
        body_hash=row.body_hash,
        error_count=row.error_count,
        error_since=row.error_since,
        refresh_seconds=row.refresh_seconds,
        retention_days=row.retention_days,
        items=stored,
        tombstones=gone,
        item_dates=dates,
        ttl_minutes=row.ttl_minutes,
        skip_hours=frozenset(int(h) for h in (row.skip_hours or "").split(",") if h.isdigit()),
        skip_days=frozenset(d for d in (row.skip_days or "").split(",") if d),
        redirect_url=row.redirect_url,
        redirect_count=row.redirect_count,
        user_agent=row.user_agent,
    )


# -- writing the plan --------------------------------------------------------------------------


def _item_values(write: ItemWrite) -> dict[str, Any]:
    it = write.item
    return {
        "content_hash": write.content_hash,
        "guid": it.guid,
        "title": it.title,
        "link": it.link,
        "author": it.author,
        "published": it.published,
        "updated": it.updated,
        "sort_date": write.sort_date,
        "summary_html": it.summary_html,
        "content_html": it.content_html,
        "enclosures": json.dumps(
            [{"url": e.url, "type": e.type, "length": e.length} for e in it.enclosures]
        )
        if it.enclosures
        else None,
        "categories": json.dumps(list(it.categories)) if it.categories else None,
        "image_url": it.image,
        "search_text": search_text_of(it.summary_html, it.content_html),
    }


def _write_items(conn: Connection, plan: UpdatePlan) -> None:
    """Insert the new items and rewrite the changed ones (their first-seen time stays)."""
    fid = plan.feed_id
    if plan.new:
        if conn.dialect.name == "postgresql":
            # Sync apps page by id ("everything after the last id I saw"): an id must never
            # become visible after a larger one, as it could if two workers' transactions
            # committed out of order. SQLite has one writer anyway.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ITEMS_LOCK})
        rows = [
            {"feed_id": fid, "identity_hash": w.identity, "first_seen": w.first_seen}
            | _item_values(w)
            for w in plan.new
        ]
        conn.execute(insert(items), rows)
    for w in plan.changed:
        conn.execute(
            update(items)
            .where(and_(items.c.feed_id == fid, items.c.identity_hash == w.identity))
            .values(**_item_values(w))
        )


def _expire(conn: Connection, feed_id: int, expired: tuple[str, ...], at: datetime) -> None:
    """Delete the expired items and tombstone their identities, so they never come back new;
    the items people starred or still have unread stay (``store.keep``)."""
    doomed = list(dict.fromkeys(expired))
    for chunk in range(0, len(doomed), EXPIRE_CHUNK):
        part = doomed[chunk : chunk + EXPIRE_CHUNK]
        found = conn.execute(
            select(items.c.id, items.c.identity_hash, items.c.first_seen).where(
                and_(items.c.feed_id == feed_id, items.c.identity_hash.in_(part))
            )
        ).all()
        keep = protected(conn, feed_id, [(r.id, r.first_seen) for r in found], at)
        going = [r.id for r in found if r.id not in keep]
        if going:
            conn.execute(delete(items).where(items.c.id.in_(going)))
        kept = {r.identity_hash for r in found if r.id in keep}
        part = [i for i in part if i not in kept]
        known = set(
            conn.execute(
                select(tombstones.c.identity_hash).where(
                    and_(tombstones.c.feed_id == feed_id, tombstones.c.identity_hash.in_(part))
                )
            ).scalars()
        )
        fresh = [i for i in part if i not in known]
        if fresh:
            conn.execute(
                insert(tombstones),
                [{"feed_id": feed_id, "identity_hash": i, "deleted_at": at} for i in fresh],
            )


def _feed_values(conn: Connection, plan: UpdatePlan) -> dict[str, Any]:
    """The feed row's changes: the schedule always; the rest on success or on failure."""
    values: dict[str, Any] = {
        "last_checked": plan.checked_at,
        "next_check": plan.next_check,
        "redirect_url": plan.redirect_url,
        "redirect_count": plan.redirect_count,
    }
    if not plan.ok:
        return values | _failure_values(plan)
    values |= _success_values(plan)
    if plan.adopt_redirect and plan.redirect_url:
        values |= _adopt(conn, plan.feed_id, plan.redirect_url)
    return values


def _success_values(plan: UpdatePlan) -> dict[str, Any]:
    """A success clears the failure, keeps the validators and hints, and the feed's meta."""
    values: dict[str, Any] = {
        "last_success": plan.checked_at,
        "error_count": 0,
        "error_kind": None,
        "last_error": None,
        "error_since": None,
        "etag": plan.etag,
        "last_modified": plan.last_modified,
        "body_hash": plan.body_hash,
        "ttl_minutes": plan.ttl_minutes,
        "skip_hours": ",".join(str(h) for h in sorted(plan.skip_hours)) or None,
        "skip_days": ",".join(sorted(plan.skip_days)) or None,
        "notice": plan.notice,
    }
    if plan.meta is not None:
        values |= {
            "title": plan.meta.title,
            "site_url": plan.meta.site_url,
            "description": plan.meta.description,
            "image_url": plan.meta.image_url,
        }
    return values


def _failure_values(plan: UpdatePlan) -> dict[str, Any]:
    """A failure leaves validators, hints and meta as they were (an error page has none)."""
    values: dict[str, Any] = {
        "error_count": plan.error_count,
        "error_kind": plan.error_kind,
        "last_error": plan.error,
        "error_since": plan.error_since,
    }
    if plan.disabled_reason:
        values["disabled_reason"] = plan.disabled_reason
    return values


def _adopt(conn: Connection, feed_id: int, url: str) -> dict[str, Any]:
    """The feed row's changes to adopt ``url``; none when another feed already has it.

    Two subscriptions to one URL would be one feed fetched twice: the redirect stays tracked
    instead, and the feed keeps its URL until the other subscription is removed.
    """
    taken = conn.execute(
        select(feeds.c.id).where(and_(feeds.c.url == url, feeds.c.id != feed_id))
    ).first()
    if taken is not None:
        return {}
    return {"url": url, "redirect_url": None, "redirect_count": 0}
