"""Politeness per host: a cap on requests at once to one host, and an optional gap between starts.

The pipeline takes a host's slot *before* a global one, so the many feeds of one slow host wait
for that host without holding global slots that other hosts' feeds could use: one slow host never
holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@functools.lru_cache(maxsize=65_536)
def host_of(url: str) -> str:
    """The host a URL dials, lower-cased: the unit of politeness (cached: the scheduler asks
    for every due feed at every look)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@dataclass
class _Host:
    slots: asyncio.Semaphore
    users: int = 0  # holding or waiting for a slot: the entry is dropped when none is left
    start_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0  # monotonic time before which no request to the host may start


class HostGate:
    """At most ``limit`` requests at once per host, and starts at least ``gap`` seconds apart.

    ``monotonic`` and ``sleep`` are injectable so the gap can be tested without waiting. The
    state of a host lives only while someone uses it, plus the gap: a million hosts seen over a
    day do not stay in memory.
    """

    def __init__(
        self,
        limit: int = 2,
        gap: float = 0.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if limit < 1:
            raise ValueError(f"the per-host limit must be at least 1, not {limit}")
        if gap < 0:
            raise ValueError(f"the per-host gap must not be negative, not {gap}")
        self.limit = limit
        self.gap = gap
        self._monotonic = monotonic
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._recent: dict[str, float] = {}  # host -> next_start, for hosts nobody holds now

    def active_hosts(self) -> int:
        return len(self._hosts)

    @contextlib.asynccontextmanager
    async def slot(
        self, host: str, then: AbstractAsyncContextManager[Any] | None = None
    ) -> AsyncIterator[None]:
        """A slot on ``host``, then ``then`` (the global slot) once the host's gap has passed.

        The gap is counted from when a request really starts, after ``then`` is entered, so that
        a wait for a global slot cannot bring two starts on one host closer than the gap.
        """
        state = self._hosts.get(host)
        if state is None:
            state = _Host(asyncio.Semaphore(self.limit), next_start=self._recent.pop(host, 0.0))
            self._hosts[host] = state
        state.users += 1
        try:
            async with state.slots, contextlib.AsyncExitStack() as stack:
                if self.gap:
                    async with state.start_lock:  # starts go one at a time, each after the gap
                        wait = state.next_start - self._monotonic()
                        if wait > 0:
                            await self._sleep(wait)
                        if then is not None:
                            await stack.enter_async_context(then)
                        state.next_start = self._monotonic() + self.gap
                elif then is not None:
                    await stack.enter_async_context(then)
                yield
        finally:
            state.users -= 1
            if state.users == 0:
                del self._hosts[host]
                if self.gap and state.next_start > self._monotonic():
                    self._recent[host] = state.next_start
                    self._forget_old()

    def _forget_old(self) -> None:
        """Drop remembered gaps that have passed (bounded work: only when the map grows)."""
        if len(self._recent) < 1024:
            return
        now = self._monotonic()
        for host in [h for h, at in self._recent.items() if at <= now]:
            del self._recent[host]
