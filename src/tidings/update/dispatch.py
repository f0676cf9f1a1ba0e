"""The dispatcher: lease due feeds within each host's budget and enqueue them, in one transaction.

- Which feeds (``pick``): the due feeds in order, each host up to its cap less the leases it
  already has across all workers, so the per-host cap holds however many workers there are.
- In what jobs (``batches``): the leases dealt round-robin into as few batches as the batch
  size allows, so the batches are even and each mixes hosts.
- Both pure; a ``Dispatcher`` hands them to the store's claim (``store.claims``): one transaction
  that serializes dispatchers, counts the live leases, locks the due rows (``FOR UPDATE SKIP
  LOCKED``), grants the leases and enqueues the jobs through ``enqueue`` on the same connection.
  Either all of it commits or none: a job never names a lease that does not exist, and a lease
  never lacks its job.

It sits below ``core`` because "update now" in worker mode (``update.remote``) is a dispatch
too; the loops that dispatch on a clock are ``tidings.schedule``'s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from tidings.config import Settings
from tidings.store import claims
from tidings.types import Lease
from tidings.update.hosts import host_of

log = logging.getLogger("tidings.dispatch")

BATCH = 32  # feeds per job: a job costs a few statements, a feed about a dozen
SCAN = 5_000  # due feeds looked at per dispatch: enough to find other hosts behind busy ones
SPREAD = 8  # jobs a dispatch makes at least (when it has the feeds): several workers get work
MAX_LEASED = 20_000  # leases alive at once: beyond, the workers could not start them in time

Enqueue = Callable[[Connection, list[list[Lease]]], int]


@dataclass(frozen=True, slots=True)
class DispatchReport:
    leased: int
    jobs: int
    active: int  # leases that were alive before this dispatch
    busy: bool = False  # another dispatch held the lock and this one did not wait


def pick(
    candidates: Sequence[tuple[int, str]],
    active: Mapping[str, int],
    cap: int,
    limit: int,
) -> list[tuple[int, str]]:
    """(feed id, host) of the candidates (feed id, URL) to lease, in order, at most ``limit``:
    a host gets at most ``cap`` leases counting the ``active`` ones it already has."""
    if cap < 1:
        raise ValueError(f"the per-host cap must be at least 1, not {cap}")
    taken: dict[str, int] = {}
    chosen: list[tuple[int, str]] = []
    for feed_id, url in candidates:
        if len(chosen) >= limit:
            break
        host = host_of(url)
        used = active.get(host, 0) + taken.get(host, 0)
        if used >= cap:
            continue
        taken[host] = taken.get(host, 0) + 1
        chosen.append((feed_id, host))
    return chosen


def batches(leases: Sequence[Lease], size: int, spread: int = SPREAD) -> list[list[Lease]]:
    """The leases dealt round-robin into batches of at most ``size``: even sizes, hosts mixed.

    At least ``spread`` batches (or one per lease, when fewer): a small dispatch, which is the
    usual one once the workers keep up, still reaches several workers instead of one.
    """
    if size < 1 or spread < 1:
        raise ValueError(f"the batch size and spread must be at least 1, not {size}, {spread}")
    count = min(len(leases), max(-(-len(leases) // size), spread))
    out: list[list[Lease]] = [[] for _ in range(count)]
    for index, lease in enumerate(leases):
        out[index % count].append(lease)
    return out


def room(active: Mapping[str, int], max_leased: int) -> int:
    """How many more leases may be granted now."""
    return max(0, max_leased - sum(active.values()))


@dataclass(frozen=True, slots=True)
class Dispatcher:
    """One installation's dispatch: its database, its job insert and its budgets, set once from
    the settings so that every caller (update now, the loops, ``tidings dispatch``) agrees."""

    engine: Engine
    enqueue: Enqueue
    lease_seconds: float
    cap: int
    batch: int = BATCH
    scan: int = SCAN
    max_leased: int = MAX_LEASED

    @classmethod
    def from_settings(cls, engine: Engine, enqueue: Enqueue, settings: Settings) -> Dispatcher:
        return cls(engine, enqueue, settings.lease_seconds, settings.per_host_concurrency)

    def __call__(
        self,
        now: datetime,
        *,
        ids: Sequence[int] | None = None,
        since: datetime | None = None,
        wait: bool = True,
    ) -> DispatchReport:
        """Lease due feeds (or the feeds of ``ids`` not checked since ``since``, due or not) and
        enqueue their jobs. Without ``wait``, nothing is done while another dispatch runs."""
        done = claims.claim(
            self.engine,
            self._choose,
            self._insert,
            now=now,
            until=now + timedelta(seconds=self.lease_seconds),
            scan=self.scan,
            ids=ids,
            since=since,
            wait=wait,
        )
        if done is None:
            return DispatchReport(0, 0, 0, busy=True)
        if done.granted:  # a line per dispatch is worth it only when asked for (-v)
            log.debug(
                "dispatched %d feeds in %d jobs",
                len(done.granted),
                done.jobs,
                extra={"leased": len(done.granted), "jobs": done.jobs},
            )
        return DispatchReport(len(done.granted), done.jobs, done.active)

    def _choose(
        self, candidates: Sequence[tuple[int, str]], active: Mapping[str, int]
    ) -> list[tuple[int, str]]:
        return pick(candidates, active, self.cap, room(active, self.max_leased))

    def _insert(self, conn: Connection, granted: list[Lease]) -> int:
        return self.enqueue(conn, batches(granted, self.batch))
