"""The seams where the update pipeline meets the layers below it, as protocols.

The pipeline and the schedulers are typed against these rather than against ``store.Store``,
``fetch.FetchClient`` and ``update.parsers.Parsers``, so that a test can hand them fakes
(``tests/update/test_pipeline_fakes.py``) and a worker a leased store.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from tidings.types import Feed, FeedState, FetchResult, ParsedFeed, UpdatePlan


class UpdateStore(Protocol):
    """The store as an update sees it: feeds' states in, the updates' plans out (both many at a
    time), and the scans that say which feeds are due."""

    def update_states(
        self,
        feed_ids: Iterable[int],
        *,
        with_items: bool = True,
        dates_since: datetime | None = None,
    ) -> dict[int, FeedState]:
        """What the feeds' updates start from, by id (a feed that does not exist is left out);
        without ``with_items`` only the items' dates, those before ``dates_since`` counted."""
        ...

    def apply(self, plan: UpdatePlan) -> bool:
        """Write one feed's update in one transaction; False if it may not be written."""
        ...

    def apply_many(self, plans: Sequence[UpdatePlan]) -> Sequence[bool]:
        """Write the plans of distinct feeds in one transaction, all or none: for each,
        whether it may be written."""
        ...

    def add_feed(
        self,
        url: str,
        *,
        now: datetime,
        title: str | None = None,
        categories_: Sequence[str] = (),
        refresh_seconds: int | None = None,
        next_check: datetime | None = None,
        user_agent: str | None = None,
        on_site: bool = True,
    ) -> int:
        """Subscribe ``url``; its feed id (``on_site=False``: a feed only people follow)."""
        ...

    def find_feed(self, url: str) -> Feed | None:
        """The feed subscribed at exactly ``url``, if any."""
        ...

    def due_feeds(self, now: datetime, limit: int = 10_000) -> list[tuple[int, str]]:
        """The enabled feeds due at ``now`` as (id, url), the longest overdue first."""
        ...

    def next_due(self, exclude: Collection[int] = ()) -> datetime | None:
        """The earliest next check of an enabled feed, leaving out ``exclude``."""
        ...


class Fetcher(Protocol):
    """The fetch client as an update sees it: one guarded, conditional GET."""

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        user_agent: str | None = None,
    ) -> FetchResult:
        """A 200 or a 304 (``user_agent``: the feed's own, instead of the client's); every other
        outcome raises a ``FetchError``."""
        ...


class FeedParser(Protocol):
    """The parser as an update sees it: a fetched document in, a safe ``ParsedFeed`` out."""

    async def parse(
        self,
        body: bytes,
        url: str,
        headers: Mapping[str, str],
        max_items: int,
        tags: frozenset[str] | None,
    ) -> ParsedFeed:
        """The feed of ``body``, or a ``ParseError`` that says why it is not one."""
        ...

    def close(self) -> None:
        """Release what parsing holds (worker processes)."""
        ...
