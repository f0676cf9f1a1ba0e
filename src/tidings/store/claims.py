"""The transactions of worker mode: a dispatch's claim, a batch's renewal, "update now".

Each function here is one transaction over the lease steps of ``store.leases``. Which feeds a
claim takes is not the store's to decide: the caller passes ``choose`` (the host budget, pure)
and ``enqueue`` (the job insert, on the claim's own connection), so that the whole claim commits
or none of it does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from tidings.store import leases as lease_sql
from tidings.types import Lease

# (candidates as (feed id, URL), live leases per host) -> the (feed id, host) pairs to lease
Choose = Callable[[Sequence[tuple[int, str]], Mapping[str, int]], list[tuple[int, str]]]
# (the claim's connection, the leases granted) -> jobs inserted
Enqueue = Callable[[Connection, list[Lease]], int]


@dataclass(frozen=True, slots=True)
class Claim:
    granted: list[Lease]
    jobs: int
    active: int  # leases that were alive before this claim


def claim(
    engine: Engine,
    choose: Choose,
    enqueue: Enqueue,
    *,
    now: datetime,
    until: datetime,
    scan: int,
    ids: Sequence[int] | None = None,
    since: datetime | None = None,
    wait: bool = True,
) -> Claim | None:
    """Lease what ``choose`` picks among the due feeds (or the feeds of ``ids`` not checked
    since ``since``) until ``until`` and enqueue their jobs; None if another claim held the
    dispatch lock and ``wait`` is off."""
    with engine.begin() as conn:
        if not lease_sql.lock_dispatch(conn, wait=wait):
            return None
        active = lease_sql.active_per_host(conn, now)
        if ids is not None:
            candidates = lease_sql.named_candidates(conn, ids, now, since)
        else:
            candidates = lease_sql.due_candidates(conn, now, scan)
        granted = lease_sql.grant(conn, choose(candidates, active), until)
        jobs = enqueue(conn, granted) if granted else 0
    return Claim(granted, jobs, sum(active.values()))


def renew(engine: Engine, leases: Sequence[Lease], until: datetime) -> list[int]:
    """Extend the leases still held; the feed ids whose token is still current."""
    with engine.begin() as conn:
        return lease_sql.renew(conn, leases, until)


def make_due(engine: Engine, ids: Iterable[int], now: datetime) -> None:
    """Make the feeds of ``ids`` due at ``now``, so that any dispatcher may take them."""
    with engine.begin() as conn:
        lease_sql.make_due(conn, ids, now)
