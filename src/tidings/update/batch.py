"""Calls that wait for one another: many feeds' store calls made as one.

Every feed's update reads its state and writes its plan on the store's thread. One at a time,
a thousand feeds cost a thousand transactions, and on SQLite a thousand commits. ``Batched``
gathers the calls made while the previous batch is running (and those made in the same turn
of the event loop) into one call of a function that takes them all, so that under load the
batches grow by themselves and at rest a lone call goes at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")

# one call for many keys: for each key, in order, its value or the error that is its alone
Many = Callable[[list[K]], Sequence[V | Exception]]


class Batched(Generic[K, V]):
    """``await batched(key)``: the value ``many`` gave for ``key``, ``many`` having been run
    on ``executor`` with up to ``limit`` keys at a time. With ``linger``, a batch that is not
    full waits that long for more calls before it goes: when each call costs a commit, a few
    milliseconds of waiting save most of them."""

    def __init__(
        self, many: Many[K, V], executor: Executor, limit: int, *, linger: float = 0.0
    ) -> None:
        if limit < 1:
            raise ValueError(f"a batch holds at least one call, not {limit}")
        self.many = many
        self.executor = executor
        self.limit = limit
        self.linger = linger
        self._waiting: list[tuple[K, asyncio.Future[V]]] = []
        self._running: asyncio.Task[None] | None = None
        self.batches = 0  # how many calls of ``many`` were made: for tests and figures

    async def __call__(self, key: K) -> V:
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, future))
        if self._running is None:
            self._running = asyncio.create_task(self._drain())
        return await future

    def _run(self, keys: list[K]) -> Sequence[V | Exception]:
        """``many`` of the keys; should it fail as a whole, of each key alone, so that one key
        that makes it fail (a bug, a row the database refuses) costs the others nothing."""
        try:
            values = self.many(keys)
            if len(values) != len(keys):
                raise RuntimeError(f"{len(values)} values for {len(keys)} keys")
            return values
        except Exception as exc:
            if len(keys) == 1:
                return [exc]
            log.warning("a batch of %d calls failed (%s); making them one by one", len(keys), exc)
        return [self._run([key])[0] for key in keys]

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                if self.linger and len(self._waiting) < self.limit:
                    await asyncio.sleep(self.linger)  # let a group gather
                batch, self._waiting = self._waiting[: self.limit], self._waiting[self.limit :]
                keys = [key for key, _ in batch]
                self.batches += 1
                values = await loop.run_in_executor(self.executor, self._run, keys)
                for (_, future), value in zip(batch, values, strict=True):
                    if future.done():  # its caller was cancelled
                        continue
                    if isinstance(value, Exception):
                        future.set_exception(value)
                    else:
                        future.set_result(value)
        finally:
            self._running = None
            for _, future in self._waiting:  # cancelled while waiting: nobody will run them
                if not future.done():
                    future.cancel()
            self._waiting = []
