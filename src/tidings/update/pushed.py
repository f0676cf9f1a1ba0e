"""A document a WebSub hub pushed: the same parse, decide and store as a fetched one.

The body comes to the callback (``web/websub.py``) instead of from the fetch client, so the
pipeline is handed a ``FetchResult`` made of it and the feed's own URL, and goes on as after a
fetch: parsed off the event loop, sorted against the stored items by ``decide``, screened and
announced by the arrival steps, written with the other plans of its moment. What a push writes
is its items only (``UpdatePlan.pushed``): it is no fetch, so the feed's validators, schedule,
health and fetch log stay as the last poll left them, and a push that carries only the newest
entries (as hubs may send) changes nothing about the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from tidings.errors import TidingsError
from tidings.types import FetchResult, UpdateResult
from tidings.update import arrive
from tidings.update.decide import decide_success

if TYPE_CHECKING:
    from tidings.update.pipeline import Pipeline

log = logging.getLogger("tidings.websub")


async def update_pushed(
    pipeline: Pipeline, feed_id: int, body: bytes, headers: Mapping[str, str]
) -> UpdateResult:
    """Store what ``body`` brings for ``feed_id``; never while the feed is being updated (a
    poll or another push of it is waited for first, so two never insert the same item)."""
    running = pipeline._running
    while (busy := running.get(feed_id)) is not None:
        with contextlib.suppress(Exception):
            await asyncio.shield(busy)
    task = asyncio.create_task(_store_pushed(pipeline, feed_id, body, headers))
    running[feed_id] = task

    def forget(done: asyncio.Task[UpdateResult]) -> None:
        if running.get(feed_id) is done:
            del running[feed_id]

    task.add_done_callback(forget)
    return await task


async def _store_pushed(
    pipeline: Pipeline, feed_id: int, body: bytes, headers: Mapping[str, str]
) -> UpdateResult:
    url = ""
    try:
        state = await pipeline._full_states(feed_id)
        url = state.url
        pushed = FetchResult(url, url, 200, {k.lower(): v for k, v in headers.items()}, body, 0.0)
        parsed = await pipeline.parse(pushed)
        plan = decide_success(state, pushed, parsed, pipeline.clock(), pipeline.policy)
        plan = await arrive.screen(pipeline.arrivals, replace(plan, pushed=True, meta=None))
        # written at once, not in a group of the moment's plans (whose commit waits 50 ms
        # for company): a push is rare, and what it is for is to be seen soon
        changes = bool(plan.new or plan.changed or plan.expired)
        written = changes and await pipeline.db(pipeline.store.apply, plan)
    except TidingsError as exc:
        log.warning("feed %s: a pushed document was not stored: %s", feed_id, exc.message)
        return UpdateResult(feed_id, url, error_kind=exc.kind, error=exc.message)
    if written:
        await arrive.arrived(pipeline.arrivals, plan)
    if written and (plan.new or plan.changed):
        pipeline.metrics.changed()
    log.info(
        "feed %s: pushed: %d new, %d changed",
        feed_id,
        len(plan.new),
        len(plan.changed),
        extra={"feed_id": feed_id, "new": len(plan.new), "changed": len(plan.changed)},
    )
    return UpdateResult(feed_id, url, new=len(plan.new), changed=len(plan.changed))
