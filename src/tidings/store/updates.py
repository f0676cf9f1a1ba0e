"""An update's reads and writes: the states feeds' updates start from, and their plans applied.

Both come in groups, so that a thousand feeds cost a few statements rather than a few thousand:
``update_states`` reads many feeds' states at once, and ``apply_many`` writes many plans in one
transaction (``store.planwrite``), items first and the feed rows (with their validators) last, so
that a crash between the two leaves validators that still ask for the items again. A group is all
or nothing; a kill loses at most the open group, whose feeds are simply fetched again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, select

from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.store.part import StorePart
from tidings.store.planwrite import write_plans
from tidings.store.schema import feeds, items, push_subscriptions, tombstones
from tidings.types import FeedState, StoredItem, UpdatePlan

READ_CHUNK = 500  # feeds per statement of a group read: well under the bound-parameter caps


class UpdatesPart(StorePart):
    def feed_state(self, feed_id: int, *, with_items: bool = True) -> FeedState:
        """What one feed's update starts from (``update_states`` of one feed)."""
        state = self.update_states([feed_id], with_items=with_items).get(feed_id)
        if state is None:
            raise NotFoundError(_("no feed with id %(feed_id)s") % {"feed_id": feed_id})
        return state

    def update_states(
        self,
        feed_ids: Iterable[int],
        *,
        with_items: bool = True,
        dates_since: datetime | None = None,
    ) -> dict[int, FeedState]:
        """What the updates of ``feed_ids`` start from, by feed id (a feed that does not exist
        is left out); without ``with_items``, only the items' dates, and with ``dates_since``
        only those since then, the others counted (``FeedState.older_items``).

        A 304 needs no item identities: its dates come from the (feed_id, sort_date) index
        alone, while reading the identities touches every item row.
        """
        wanted = list(dict.fromkeys(feed_ids))
        out: dict[int, FeedState] = {}
        with self.engine.connect() as conn:
            for at in range(0, len(wanted), READ_CHUNK):
                chunk = wanted[at : at + READ_CHUNK]
                rows = conn.execute(select(feeds).where(feeds.c.id.in_(chunk))).all()
                if not rows:
                    continue
                present = [row.id for row in rows]
                if with_items:
                    stored = _stored_items(conn, present)
                    gone = _tombstones(conn, present)
                    for row in rows:
                        out[row.id] = _state_of(row, stored[row.id], gone[row.id], None)
                else:
                    dates, older = _item_dates(conn, present, dates_since)
                    for row in rows:
                        state = _state_of(row, {}, frozenset(), tuple(dates[row.id]))
                        out[row.id] = replace(state, older_items=older.get(row.id, 0))
                for feed_id in _pushed(conn, present):
                    out[feed_id] = replace(out[feed_id], pushed=True)
        return out

    def apply(self, plan: UpdatePlan) -> bool:
        """Write one feed's update in one transaction; False if it may not be written (the
        feed is gone meanwhile, or ``writable`` says no)."""
        return self.apply_many([plan])[0]

    def apply_many(self, plans: Sequence[UpdatePlan]) -> list[bool]:
        """Write the plans of distinct feeds in one transaction, all or none: for each, whether
        it may be written. A caller that must not let one refused plan cost the others their
        writes retries them one by one (``update.batch``)."""
        with self.engine.begin() as conn:
            written = self.writable(conn, [p.feed_id for p in plans])
            write_plans(conn, [p for p in plans if p.feed_id in written])
        return [p.feed_id in written for p in plans]

    def writable(self, conn: Connection, feed_ids: Sequence[int]) -> set[int]:
        """Which of the feeds an apply may write: those that still exist. The first statement
        of the update's transaction, so that a leased store (``store.leases``) can check and
        release its leases here, in the same transaction as the writes."""
        found: set[int] = set()
        for at in range(0, len(feed_ids), READ_CHUNK):
            chunk = list(feed_ids[at : at + READ_CHUNK])
            found.update(conn.execute(select(feeds.c.id).where(feeds.c.id.in_(chunk))).scalars())
        return found


# -- reading the state -------------------------------------------------------------------------


def _pushed(conn: Connection, feed_ids: list[int]) -> set[int]:
    """The feeds a WebSub hub pushes: an active subscription (``store.push``)."""
    query = select(push_subscriptions.c.feed_id).where(
        push_subscriptions.c.feed_id.in_(feed_ids), push_subscriptions.c.state == "active"
    )
    return {int(fid) for fid in conn.execute(query).scalars()}


def _item_dates(
    conn: Connection, feed_ids: list[int], since: datetime | None
) -> tuple[dict[int, list[datetime]], dict[int, int]]:
    """The feeds' item dates (since ``since``) and how many are older, by feed id."""
    found: dict[int, list[datetime]] = defaultdict(list)
    mine = items.c.feed_id.in_(feed_ids)
    recent = mine if since is None else and_(mine, items.c.sort_date >= since)
    for feed_id, date in conn.execute(select(items.c.feed_id, items.c.sort_date).where(recent)):
        found[feed_id].append(date)
    if since is None:
        return found, {}
    older = (
        select(items.c.feed_id, func.count())
        .where(and_(mine, items.c.sort_date < since))
        .group_by(items.c.feed_id)
    )
    return found, {int(fid): int(n) for fid, n in conn.execute(older)}


def _tombstones(conn: Connection, feed_ids: list[int]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    query = select(tombstones.c.feed_id, tombstones.c.identity_hash).where(
        tombstones.c.feed_id.in_(feed_ids)
    )
    for feed_id, identity in conn.execute(query):
        found[feed_id].add(identity)
    return defaultdict(frozenset, {fid: frozenset(ids) for fid, ids in found.items()})


def _stored_items(conn: Connection, feed_ids: list[int]) -> dict[int, dict[str, StoredItem]]:
    query = select(
        items.c.feed_id,
        items.c.identity_hash,
        items.c.content_hash,
        items.c.first_seen,
        items.c.sort_date,
        items.c.title,
        items.c.published,
        items.c.link_key,
        items.c.title_key,
        items.c.content_key,
    ).where(items.c.feed_id.in_(feed_ids))
    found: dict[int, dict[str, StoredItem]] = defaultdict(dict)
    for r in conn.execute(query):
        found[r.feed_id][r.identity_hash] = StoredItem(
            r.identity_hash,
            r.content_hash,
            r.first_seen,
            r.sort_date,
            title=r.title,
            published=r.published,
            link_key=r.link_key,
            title_key=r.title_key,
            content_key=r.content_key,
        )
    return found


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
