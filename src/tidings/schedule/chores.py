"""Work on a clock besides updating feeds: each chore is one iteration callable from tests
(renew WebSub leases, send the notifications' outbox, fetch queued articles ...), run here every
so many seconds beside the embedded loop or the dispatcher.

The database is the queue of every chore, so running them in more than one process is safe;
each chore claims its rows with a conditional update. A chore that fails is logged and tried
again at its next turn; one slow chore never holds back another (each runs in its own task).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from tidings.core import Aggregator

log = logging.getLogger("tidings.chores")


@dataclass(frozen=True, slots=True)
class Chore:
    name: str
    every: float  # seconds between the end of one run and the start of the next
    run: Callable[[Aggregator], Awaitable[object]]


ARTICLES_TURN = 32  # items claimed by one turn of the article fetcher
ARTICLES_TURNS = 10  # turns in a row while the queue fills them, before the chore rests


async def fetch_articles(agg: Aggregator) -> None:
    """Full articles (docs/arrival.md): turns while the queue fills them, then a rest."""
    for _ in range(ARTICLES_TURNS):
        if (await agg.fetch_articles(ARTICLES_TURN)).claimed < ARTICLES_TURN:
            return


# the chores of every installation, in the order they start (docs/arrival.md)
CHORES: tuple[Chore, ...] = (
    # WebSub subscriptions started, renewed, retried and ended
    Chore("websub subscriptions", 10.0, Aggregator.push_tick),
    Chore("full articles", 15.0, fetch_articles),
    # notifications: the outbox (a target gets a batch a minute at most), feeds failing for a
    # day, the daily digests
    Chore("send notifications", 10.0, Aggregator.send_notifications),
    Chore("feed health notices", 300.0, Aggregator.notify_feed_health),
    Chore("daily digests", 600.0, Aggregator.queue_digests),
)


async def run_chores(
    agg: Aggregator, stop: asyncio.Event, chores: Sequence[Chore] = CHORES
) -> None:
    """Run each chore every ``chore.every`` seconds until ``stop`` is set."""
    async with asyncio.TaskGroup() as group:
        for chore in chores:
            group.create_task(_repeat(agg, stop, chore))


async def _repeat(agg: Aggregator, stop: asyncio.Event, chore: Chore) -> None:
    while not stop.is_set():
        try:
            await chore.run(agg)
        except Exception:  # the database is away for a moment, a bug: the next turn tries again
            log.exception("chore %s failed", chore.name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=chore.every)
