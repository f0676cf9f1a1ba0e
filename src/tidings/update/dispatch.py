"""The dispatcher: lease due feeds within each host's budget and enqueue them, in one transaction.

- Which feeds (``pick``): the due feeds in order, each host up to its cap less the leases it
  already has across all workers, so the per-host cap holds however many workers there are.
- In what jobs (``batches``): the leases dealt round-robin into as few batches as the batch
  size allows, so the batches are even and each mixes hosts.
- Both pure; ``dispatch`` does the I/O: one transaction that serializes dispatchers, counts the
  live leases, locks the due rows (``FOR UPDATE SKIP LOCKED``), grants the leases and enqueues
  the jobs through ``enqueue`` on the same connection. Either all of it commits or none: a job
  never names a lease that does not exist, and a lease never lacks its job.
- "Update now" in worker mode (``update_now``) is a dispatch of the named feeds, then a wait
  for their results to be written by the workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from tidings.store import leases as lease_sql
from tidings.store.leases import Lease
from tidings.types import UpdateResult
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


def dispatch(
    engine: Engine,
    enqueue: Enqueue,
    *,
    now: datetime,
    lease_seconds: float,
    cap: int,
    batch: int = BATCH,
    scan: int = SCAN,
    max_leased: int = MAX_LEASED,
    ids: Sequence[int] | None = None,
    since: datetime | None = None,
    wait: bool = True,
) -> DispatchReport:
    """Lease due feeds (or the feeds of ``ids`` not checked since ``since``, due or not) and
    enqueue their jobs. Without ``wait``, nothing is done while another dispatch runs."""
    until = now + timedelta(seconds=lease_seconds)
    with engine.begin() as conn:
        if not lease_sql.lock_dispatch(conn, wait=wait):
            return DispatchReport(0, 0, 0, busy=True)
        active = lease_sql.active_per_host(conn, now)
        if ids is not None:
            candidates = lease_sql.named_candidates(conn, ids, now, since)
        else:
            candidates = lease_sql.due_candidates(conn, now, scan)
        chosen = pick(candidates, active, cap, room(active, max_leased))
        granted = lease_sql.grant(conn, chosen, until)
        groups = batches(granted, batch) if granted else []
        jobs = enqueue(conn, groups) if groups else 0
    if granted:  # a line per dispatch is worth it only when asked for (-v)
        log.debug(
            "dispatched %d feeds in %d jobs",
            len(granted),
            jobs,
            extra={"leased": len(granted), "jobs": jobs},
        )
    return DispatchReport(len(granted), jobs, sum(active.values()))


def update_now(
    engine: Engine,
    enqueue: Enqueue,
    ids: Sequence[int],
    *,
    clock: Callable[[], datetime],
    lease_seconds: float,
    cap: int,
    batch: int = BATCH,
    timeout: float | None = None,
    poll: float = 0.25,
    sleep: Callable[[float], None] = time.sleep,
) -> list[UpdateResult]:
    """Have the workers update the feeds of ``ids`` now, and wait for their results.

    The feeds are made due and dispatched at once; those a host's budget holds back go as
    soon as its leases are released (this loop dispatches them, as do the workers). A feed not
    written within ``timeout`` (default: a minute and a tenth of a second per feed, at most a
    lease and a half) gets a result that says so; it stays queued.
    """
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    started = clock()
    if timeout is None:  # a minute for a few feeds (a person is waiting), more for many
        timeout = min(lease_seconds * 1.5, 60.0 + len(wanted) / 10)
    deadline = time.monotonic() + timeout
    with engine.begin() as conn:  # due now: any dispatcher may take them, not only this one
        lease_sql.make_due(conn, wanted, started)
    pending = set(wanted)
    done: dict[int, UpdateResult] = {}
    while True:
        # a few feeds are leased by name (behind a backlog they might not be in the due scan);
        # many are due now like the rest, and the scan finds them
        dispatch(
            engine,
            enqueue,
            now=clock(),
            lease_seconds=lease_seconds,
            cap=cap,
            batch=batch,
            ids=sorted(pending) if len(pending) <= SCAN else None,
            since=started,
        )
        sleep(max(poll, len(pending) / 20_000))  # a million pending: a look every 50 s
        done.update(lease_sql.results_since(engine, pending, started))
        pending -= done.keys()
        if not pending or time.monotonic() >= deadline:
            break
    urls = lease_sql.urls_of(engine, pending)
    for feed_id in pending:
        done[feed_id] = UpdateResult(
            feed_id,
            urls.get(feed_id, ""),
            error_kind="timeout",
            error=f"no worker updated it within {timeout:.0f} s (it stays queued for them): "
            "is 'tidings worker' running?",
        )
    return [done[fid] for fid in wanted if fid in done]


async def run_dispatcher(
    engine: Engine,
    enqueue: Enqueue,
    stop: asyncio.Event,
    *,
    clock: Callable[[], datetime],
    lease_seconds: float,
    cap: int,
    interval: float = 2.0,
    batch: int = BATCH,
) -> None:
    """Dispatch every ``interval`` seconds until ``stop``; an error is logged, then retried.

    Any number of these may run (and the workers' periodic task besides): the dispatch lock
    makes them take turns, and each grants only what the budgets leave.
    """
    log.info("dispatcher started", extra={"interval": interval})
    while not stop.is_set():
        try:
            await asyncio.to_thread(
                dispatch,
                engine,
                enqueue,
                now=clock(),
                lease_seconds=lease_seconds,
                cap=cap,
                batch=batch,
            )
        except Exception:  # the database is away for a moment: the next round tries again
            log.exception("dispatcher: dispatch failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
    log.info("dispatcher stopped")
