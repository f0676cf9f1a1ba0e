"""A copy that arrives after its story was read: read on arrival, in a folder that folds.

A folder that folds lists a story once and reads its copies with it (``store/folding.py``); a
copy that a feed carries later is new to the store but not to the person, so it arrives read for
them (the apps, which list items, see it read too). Whether anyone folds at all is looked at
once every ``recheck`` seconds (at once after a change in this process: ``expire``): without
folding, a plan costs no query.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from tidings.types import MarkResult, UpdatePlan

Run = Callable[..., Awaitable[Any]]


class FoldStore(Protocol):
    def folding_anywhere(self) -> bool: ...
    def arrived_copies(self, feed_id: int, identities: Sequence[str]) -> dict[int, list[int]]: ...
    def set_read(
        self, user_id: int, item_ids: Sequence[int], read: bool, now: datetime
    ) -> MarkResult: ...


class FoldStep:
    """The arrival step (``update/arrive.py``) that reads late copies of read stories."""

    def __init__(
        self,
        store: FoldStore,
        *,
        run: Run,
        read: Run,
        clock: Callable[[], datetime],
        recheck: float = 10.0,
    ) -> None:
        self._store = store
        self._run = run
        self._read = read
        self._clock = clock
        self._recheck = recheck
        self._anyone = False
        self._next_look = 0.0

    async def screen(self, plan: UpdatePlan) -> UpdatePlan:
        return plan

    async def arrived(self, plan: UpdatePlan) -> None:
        if not plan.new or not await self._folding():
            return
        identities = [w.identity for w in plan.new]
        copies = await self._read(self._store.arrived_copies, plan.feed_id, identities)
        for user_id, item_ids in copies.items():
            await self._run(self._store.set_read, user_id, item_ids, True, self._clock())

    def expire(self) -> None:
        """Look again at the next plan: someone's folding changed."""
        self._next_look = 0.0

    async def _folding(self) -> bool:
        now = time.monotonic()
        if now >= self._next_look:
            self._anyone = await self._read(self._store.folding_anywhere)
            self._next_look = now + self._recheck
        return self._anyone
