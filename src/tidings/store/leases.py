"""Leases: a worker's claim on a feed, so that many workers on many machines share the feeds.

A feed is leased by a dispatcher (``update/dispatch.py``): a fresh token and an expiry. The
worker that runs it writes its result only while the token is still current, in the same
transaction as the result (``LeasedStore``), which also releases the lease. A lease that
expires (its worker died or hung) makes the feed due again; the next dispatcher gives it a new
token, so the late worker's write, if it ever comes, changes nothing and is counted as stale.

These are the SQL steps; which feeds to lease (the host budget) and how to batch them is decided
in ``update/dispatch.py``. The steps work on SQLite too (one writer: no row locks needed there),
but the workers that use them run on PostgreSQL.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    true,
    tuple_,
    update,
)

from tidings.store.due import longest_overdue
from tidings.store.schema import feeds, fetch_log
from tidings.store.store import Store
from tidings.types import Lease, UpdateResult

log = logging.getLogger("tidings.leases")

# one dispatcher at a time counts and grants a host's budget (PostgreSQL advisory lock key)
DISPATCH_LOCK = 0x7469_6469_6E67  # "tiding"


RELEASE_CHUNK = 500  # leases released per statement

LeaseState = tuple[str | None, datetime | None]  # (token, expiry) as stored


def new_token() -> str:
    return secrets.token_hex(16)


def lock_dispatch(conn: Connection, *, wait: bool = True) -> bool:
    """Serialize dispatchers for the rest of the transaction: two of them counting a host's
    leases at once could both see room and together exceed its cap. Without ``wait``, False
    when another dispatch holds the lock (it is doing the work already)."""
    if conn.dialect.name != "postgresql":
        return True  # SQLite has one writer at a time anyway
    if wait:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DISPATCH_LOCK})
        return True
    query = text("SELECT pg_try_advisory_xact_lock(:key)")
    return bool(conn.execute(query, {"key": DISPATCH_LOCK}).scalar())


def active_per_host(conn: Connection, now: datetime) -> dict[str, int]:
    """Unexpired leases per host: the requests in flight (or queued) across all workers."""
    query = (
        select(feeds.c.lease_host, func.count())
        .where(feeds.c.lease_until > now)
        .where(feeds.c.lease_token.is_not(None))
        .group_by(feeds.c.lease_host)
    )
    return {str(host or ""): int(n) for host, n in conn.execute(query)}


def _claimable(now: datetime) -> Any:
    return and_(
        feeds.c.disabled_reason.is_(None),
        or_(feeds.c.lease_token.is_(None), feeds.c.lease_until <= now),
    )


def due_candidates(conn: Connection, now: datetime, limit: int) -> list[tuple[int, str]]:
    """Due feeds without a live lease, the longest overdue first, locked for this transaction.

    ``SKIP LOCKED``: a feed whose row a worker is writing right now is passed over, not waited
    for (its write moves its next check anyway).
    """
    query = (
        longest_overdue(now, limit, feeds.c.id, feeds.c.url)
        .where(_claimable(now))
        .with_for_update(skip_locked=True)
    )
    return [(int(fid), str(url)) for fid, url in conn.execute(query)]


def _not_checked_since(since: datetime | None) -> Any:
    if since is None:
        return true()
    return or_(feeds.c.last_checked.is_(None), feeds.c.last_checked < since)


def named_candidates(
    conn: Connection, ids: Iterable[int], now: datetime, since: datetime | None = None
) -> list[tuple[int, str]]:
    """The feeds of ``ids`` that are enabled, not leased and not checked since ``since``,
    locked (for "update now": a feed a worker has just written is not leased again)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    query = (
        select(feeds.c.id, feeds.c.url)
        .where(feeds.c.id.in_(wanted))
        .where(_claimable(now))
        .where(_not_checked_since(since))
        .order_by(feeds.c.id)
        .with_for_update(skip_locked=True)
    )
    return [(int(fid), str(url)) for fid, url in conn.execute(query)]


def make_due(
    conn: Connection, ids: Iterable[int], now: datetime, since: datetime | None = None
) -> None:
    """Bring the next check of ``ids`` not checked since ``since`` forward to ``now`` (never
    back): "update now"."""
    wanted = list(dict.fromkeys(ids))
    for chunk in range(0, len(wanted), 1000):
        conn.execute(
            update(feeds)
            .where(feeds.c.id.in_(wanted[chunk : chunk + 1000]))
            .where(or_(feeds.c.next_check.is_(None), feeds.c.next_check > now))
            .where(_not_checked_since(since))
            .values(next_check=now)
        )


def grant(conn: Connection, chosen: Sequence[tuple[int, str]], until: datetime) -> list[Lease]:
    """Lease each chosen (feed id, host) with a fresh token until ``until``."""
    leases = [Lease(fid, new_token(), host) for fid, host in chosen]
    if leases:
        conn.execute(
            update(feeds)
            .where(feeds.c.id == bindparam("fid"))
            .values(lease_token=bindparam("tok"), lease_host=bindparam("host"), lease_until=until),
            [{"fid": le.feed_id, "tok": le.token, "host": le.host} for le in leases],
        )
    return leases


def renew(conn: Connection, leases: Sequence[Lease], until: datetime) -> list[int]:
    """Extend the leases still held to ``until``; the feed ids whose token is still current.

    A worker renews a batch as it starts it: a batch that waited in the queue past its leases
    skips the feeds another dispatch has leased again meanwhile, instead of fetching them twice.
    """
    if not leases:
        return []
    pairs = [(le.feed_id, le.token) for le in leases]
    query = (
        update(feeds)
        .where(tuple_(feeds.c.id, feeds.c.lease_token).in_(pairs))
        .values(lease_until=until)
        .returning(feeds.c.id)
    )
    return sorted(int(fid) for fid in conn.execute(query).scalars())


def leases_of(conn: Connection, ids: Iterable[int]) -> dict[int, LeaseState]:
    """The current (token, expiry) of each feed of ``ids``."""
    query = select(feeds.c.id, feeds.c.lease_token, feeds.c.lease_until).where(
        feeds.c.id.in_(list(ids))
    )
    return {int(fid): (tok, until) for fid, tok, until in conn.execute(query)}


def urls_of(engine: Engine, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    with engine.connect() as conn:
        query = select(feeds.c.id, feeds.c.url).where(feeds.c.id.in_(wanted))
        return {int(fid): str(url) for fid, url in conn.execute(query)}


def results_since(engine: Engine, ids: Iterable[int], since: datetime) -> dict[int, UpdateResult]:
    """The results of the feeds of ``ids`` written at or after ``since``, read back from the
    feed rows and their last fetch-log lines (how "update now" learns what the workers did)."""
    wanted = list(ids)
    if not wanted:
        return {}
    order = (fetch_log.c.at.desc(), fetch_log.c.id.desc())
    rank = func.row_number().over(partition_by=fetch_log.c.feed_id, order_by=order).label("rank")
    latest = (
        select(
            fetch_log.c.feed_id,
            fetch_log.c.status,
            fetch_log.c.new_items,
            fetch_log.c.changed_items,
            rank,
        )
        .where(fetch_log.c.feed_id.in_(wanted))
        .where(fetch_log.c.at >= since)
        .subquery()
    )
    query = (
        select(
            feeds.c.id,
            feeds.c.url,
            feeds.c.error_kind,
            feeds.c.last_error,
            feeds.c.disabled_reason,
            latest.c.status,
            latest.c.new_items,
            latest.c.changed_items,
        )
        .join(latest, and_(latest.c.feed_id == feeds.c.id, latest.c.rank == 1))
        .where(feeds.c.last_checked >= since)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return {
        int(r.id): UpdateResult(
            int(r.id),
            str(r.url),
            new=int(r.new_items),
            changed=int(r.changed_items),
            not_modified=r.status == 304,
            error_kind=None if r.last_error is None else r.error_kind,
            error=r.last_error,
            permanent=r.disabled_reason is not None,
        )
        for r in rows
    }


class LeasedStore(Store):
    """A store whose updates are written only under a current lease, which they release.

    The worker registers each feed's token before running the pipeline on it (``hold``) and
    forgets it after (``drop``); the pipeline's ``apply`` then checks and clears the lease in
    the update's own transaction (the ``writable`` hook), so a result whose lease was given to
    another worker meanwhile is refused whole: stale, logged and counted.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._tokens: dict[int, str] = {}
        self._lock = threading.Lock()
        self.stale = 0  # results refused because their lease was no longer current
        self.written = 0

    def hold(self, leases: Iterable[Lease]) -> None:
        with self._lock:
            for le in leases:
                self._tokens[le.feed_id] = le.token

    def drop(self, leases: Iterable[Lease]) -> None:
        with self._lock:
            for le in leases:
                if self._tokens.get(le.feed_id) == le.token:
                    del self._tokens[le.feed_id]

    def writable(self, conn: Connection, feed_ids: Sequence[int]) -> set[int]:
        with self._lock:
            held = [(fid, self._tokens[fid]) for fid in feed_ids if fid in self._tokens]
        released: set[int] = set()
        for at in range(0, len(held), RELEASE_CHUNK):
            pairs = held[at : at + RELEASE_CHUNK]
            released.update(
                conn.execute(
                    update(feeds)
                    .where(tuple_(feeds.c.id, feeds.c.lease_token).in_(pairs))
                    .values(lease_token=None, lease_until=None, lease_host=None)
                    .returning(feeds.c.id)
                ).scalars()
            )
        stale = [fid for fid in feed_ids if fid not in released]
        with self._lock:
            self.stale += len(stale)
            self.written += len(released)
        for feed_id in stale:
            log.warning(
                "feed %s: result discarded: its lease is no longer current",
                feed_id,
                extra={"feed_id": feed_id, "outcome": "stale"},
            )
        return released
