"""Update now in worker mode: make the feeds due, dispatch them, and wait for what the workers
write.

The feeds are made due and dispatched at once; those a host's budget holds back go as soon as
its leases are released (this wait dispatches them, as do the workers). A feed not written
within the timeout (default: a minute and a tenth of a second per feed, at most a lease and a
half) gets a result that says so; it stays queued.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from tidings.i18n import gettext as _
from tidings.store import claims
from tidings.store import leases as lease_sql
from tidings.types import UpdateResult
from tidings.update.dispatch import SCAN, Dispatcher
from tidings.update.updater import Progress, report


class RemoteUpdater:
    """The ``Updater`` of worker mode: this process fetches nothing, the workers do."""

    def __init__(self, dispatcher: Dispatcher, clock: Callable[[], datetime]) -> None:
        self.dispatcher = dispatcher
        self.clock = clock

    async def update_many(
        self, ids: Sequence[int], progress: Progress | None = None
    ) -> list[UpdateResult]:
        results = await asyncio.to_thread(update_now, self.dispatcher, ids, clock=self.clock)
        for result in results:
            await report(progress, result)
        return results


def update_now(
    dispatcher: Dispatcher,
    ids: Sequence[int],
    *,
    clock: Callable[[], datetime],
    timeout: float | None = None,
    poll: float = 0.25,
    sleep: Callable[[float], None] = time.sleep,
) -> list[UpdateResult]:
    """Have the workers update the feeds of ``ids`` now, and wait for their results."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    started = clock()
    if timeout is None:  # a minute for a few feeds (a person is waiting), more for many
        timeout = min(dispatcher.lease_seconds * 1.5, 60.0 + len(wanted) / 10)
    deadline = time.monotonic() + timeout
    engine = dispatcher.engine
    claims.make_due(engine, wanted, started)  # due now: any dispatcher may take them
    pending = set(wanted)
    done: dict[int, UpdateResult] = {}
    while True:
        # a few feeds are leased by name (behind a backlog they might not be in the due scan);
        # many are due now like the rest, and the scan finds them
        named = sorted(pending) if len(pending) <= SCAN else None
        dispatcher(clock(), ids=named, since=started)
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
            error=_(
                "no worker updated it within %(seconds)s s (it stays queued for them): "
                "is 'tidings worker' running?"
            )
            % {"seconds": f"{timeout:.0f}"},
        )
    return [done[fid] for fid in wanted if fid in done]
