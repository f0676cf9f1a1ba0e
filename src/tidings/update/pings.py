"""The publisher's side of WebSub: tell the site's hub when the site's own feeds changed.

An arrival step (``HubPings.arrived``) records the topics a feed's new items change: the
site-wide feeds, that source's own and its categories', in every format. A task of this process
sends them to the hub (``hub.mode=publish``, ``hub.url=<topic>``, through the guarded client),
at most one ping a topic per ``gap`` seconds: a burst of updates is one ping, and an update never
waits for the hub. A ping that fails is logged; the hub fetches the topic at the next one anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from tidings.errors import TidingsError
from tidings.types import FetchResult, UpdatePlan

log = logging.getLogger("tidings.websub")

# the site's feeds, by the file name each format is served under (web/outputs.py)
FEED_FILES = ("rss.xml", "atom.xml", "feed.json")
PING_GAP = 10.0  # seconds between two pings of one topic


class Poster(Protocol):
    async def post_form(self, url: str, form: dict[str, str]) -> FetchResult: ...


def topics_of(base_url: str, scopes: Sequence[str]) -> list[str]:
    """The feeds of each scope ("" for all items, "/sources/1", "/categories/news"), in every
    format."""
    return [f"{base_url}{scope}/{name}" for scope in scopes for name in FEED_FILES]


class HubPings:
    """Records the topics to ping as plans arrive, and pings them from a task of its own."""

    def __init__(
        self,
        hub: str,
        base_url: str,
        client: Poster,
        scopes: Callable[[int], Awaitable[Sequence[str]]],
        *,
        gap: float = PING_GAP,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.hub = hub
        self.base_url = base_url.rstrip("/")
        self.client = client
        self.scopes = scopes  # the site's feeds a feed's new items change; none off the site
        self.gap = gap
        self.clock = clock
        self.pending: dict[str, None] = {}  # topics to ping, in the order they came
        self.last: dict[str, float] = {}  # when each topic was last pinged
        self.sent = 0  # pings the hub accepted
        self._task: asyncio.Task[None] | None = None

    async def screen(self, plan: UpdatePlan) -> UpdatePlan:
        return plan

    async def arrived(self, plan: UpdatePlan) -> None:
        topics = topics_of(self.base_url, await self.scopes(plan.feed_id)) if plan.new else []
        if not topics:
            return
        for topic in topics:
            self.pending[topic] = None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._send())

    async def _send(self) -> None:
        while self.pending:
            now = self.clock()
            ready = [t for t in self.pending if now - self.last.get(t, -self.gap) >= self.gap]
            for topic in ready:
                del self.pending[topic]
                self.last[topic] = now
            await asyncio.gather(*(self._ping(topic) for topic in ready))
            if self.pending:
                opens = min(self.last.get(t, now) + self.gap for t in self.pending)
                await asyncio.sleep(max(opens - self.clock(), 0.01))

    async def _ping(self, topic: str) -> None:
        try:
            await self.client.post_form(self.hub, {"hub.mode": "publish", "hub.url": topic})
        except TidingsError as exc:
            log.warning("the hub %s refused the ping of %s: %s", self.hub, topic, exc.message)
            return
        except Exception:  # a bug must not stop the other pings, nor the process's shutdown
            log.exception("the ping of %s to %s failed", topic, self.hub)
            return
        self.sent += 1
        log.debug("pinged %s for %s", self.hub, topic)

    async def aclose(self) -> None:
        """Stop sending (the pings still waiting are dropped: the hub polls anyway)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
