"""Who fetches what when: the embedded loop (``embedded``) or, in worker mode, the dispatcher
that leases due feeds to the workers (``distributed``). Above ``core``: both drive the facade.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tidings.core import Aggregator
from tidings.schedule.chores import run_chores
from tidings.schedule.embedded import EmbeddedScheduler
from tidings.types import UpdateResult

__all__ = ["EmbeddedScheduler", "run_scheduler"]


async def run_scheduler(
    agg: Aggregator,
    stop: asyncio.Event,
    *,
    idle: float = 30.0,
    grace: float = 10.0,
    on_results: Callable[[list[UpdateResult]], None] | None = None,
) -> None:
    """Update due feeds until ``stop`` is set; any failure is a result, never the end.

    Feeds start as they come due (from the stored ``next_check``, so a restart resumes); on
    ``stop``, updates in flight get ``grace`` seconds, then are abandoned cleanly (see
    ``schedule.embedded``). In worker mode this process fetches nothing: it dispatches the due
    feeds to the workers instead (``schedule.distributed``). Either way the chores of
    ``schedule.chores`` run beside it. ``agg`` must be entered (``async with``).
    """
    chores = asyncio.create_task(run_chores(agg, stop))
    try:
        if agg.settings.mode == "workers":
            from tidings.schedule import distributed  # procrastinate: the workers extra

            await distributed.run_dispatcher(agg, stop)
        else:
            await EmbeddedScheduler(
                agg.pipeline,
                agg.store,
                clock=agg.clock,
                batch=max(16, agg.settings.max_concurrency * 2),
                idle=idle,
                grace=grace,
                on_results=on_results,
            ).run(stop)
    finally:
        stop.set()  # the chores end with the loop, however it ended
        await chores
