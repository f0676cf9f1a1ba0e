"""What "update these feeds now" means to ``core``, whichever process does the fetching.

The embedded mode updates in this process (``Pipeline``); worker mode has the workers do it
and waits for their results (``RemoteUpdater``). The facade picks one from the settings and
sees only this protocol.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from tidings.types import UpdateResult

# called with each result as it comes: for progress bars (a coroutine is awaited)
Progress = Callable[[UpdateResult], Awaitable[None] | None]


class Updater(Protocol):
    async def update_many(
        self, feed_ids: Sequence[int], progress: Progress | None = None
    ) -> list[UpdateResult]:
        """Update the feeds of ``feed_ids``: one result per distinct feed, in the order given."""
        ...


async def report(progress: Progress | None, result: UpdateResult) -> None:
    if progress is not None:
        maybe = progress(result)
        if maybe is not None:
            await maybe
