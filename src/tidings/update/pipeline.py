"""Where fetch, parse and store meet: the I/O around the pure decisions of ``decide``.

Fetches run concurrently on asyncio within a global cap and a per-host cap; parsing runs off the
event loop; every store call runs on one dedicated thread, so SQLite has one writer and no write
transaction ever waits on the network. A feed's failure becomes that feed's ``UpdateResult``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

from tidings.errors import DiscoveryError, NotAFeedError, ParseError, TidingsError
from tidings.fetch import FetchClient
from tidings.fetch.discover import feed_links_in_html, guess_feed_urls, looks_like_html
from tidings.parse import parse_feed, restrict_feed
from tidings.store.store import Store
from tidings.types import FeedState, FetchResult, ParsedFeed, UpdatePlan, UpdateResult
from tidings.update.decide import Policy, decide_failure, decide_success, is_unchanged_body

log = logging.getLogger("tidings.update")
T = TypeVar("T")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class Pipeline:
    """Runs updates for a store with one fetch client."""

    def __init__(
        self,
        store: Store,
        client: FetchClient,
        policy: Policy,
        *,
        clock: Callable[[], datetime],
        max_items: int = 5000,
        max_concurrency: int = 64,
        per_host: int = 2,
    ) -> None:
        self.store = store
        self.client = client
        self.policy = policy
        self.clock = clock
        self.max_items = max_items
        self._global = asyncio.Semaphore(max_concurrency)
        self._per_host_limit = per_host
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self._per_host_limit)
        )
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tidings-store")
        # a site's narrower choice of HTML tags (None: the sanitizer's whole allowlist)
        self.allowed_tags: frozenset[str] | None = None

    def close(self) -> None:
        self._db.shutdown(wait=True)

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call on the store thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, partial(fn, *args, **kwargs))

    @contextlib.asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        async with self._global, self._hosts[host_of(url)]:
            yield

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        async with self._slot(url):
            return await self.client.fetch(url, etag=etag, last_modified=last_modified)

    async def parse(self, fetched: FetchResult) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._parse, fetched)

    def _parse(self, fetched: FetchResult) -> ParsedFeed:
        parsed = parse_feed(
            fetched.body, url=fetched.final_url, headers=fetched.headers, max_items=self.max_items
        )
        tags = self.allowed_tags
        return restrict_feed(parsed, tags) if tags is not None else parsed

    # -- one feed ------------------------------------------------------------------------------

    async def plan(self, state: FeedState) -> UpdatePlan:
        """Fetch and parse one feed and decide; every failure becomes a failure plan."""
        fetched: FetchResult | None = None
        try:
            fetched = await self.fetch(
                state.url, etag=state.etag, last_modified=state.last_modified
            )
            parsed = None if is_unchanged_body(state, fetched) else await self.parse(fetched)
        except TidingsError as exc:
            return decide_failure(
                state,
                exc,
                self.clock(),
                self.policy,
                status=fetched.status if fetched else None,
                duration_ms=int(fetched.elapsed * 1000) if fetched else 0,
                size=len(fetched.body) if fetched else 0,
            )
        return decide_success(state, fetched, parsed, self.clock(), self.policy)

    async def update_one(self, feed_id: int) -> UpdateResult:
        url = ""
        try:
            state = await self.db(self.store.feed_state, feed_id)
            url = state.url
            plan = await self.plan(state)
            await self.db(self.store.apply, plan)
        except TidingsError as exc:  # the store itself failed for this feed
            log.warning("feed %s: %s", feed_id, exc, extra={"feed_id": feed_id})
            return UpdateResult(feed_id, url, error_kind=exc.kind, error=exc.message)
        except Exception as exc:  # a bug must not stop the other feeds; it is logged in full
            log.exception("feed %s: unexpected error", feed_id, extra={"feed_id": feed_id})
            return UpdateResult(
                feed_id, url, error_kind="internal", error=f"internal error: {exc!r}"
            )
        if plan.error:
            log.info("feed %s: %s", feed_id, plan.error, extra={"feed_id": feed_id})
        return UpdateResult(
            feed_id=feed_id,
            url=url,
            new=len(plan.new),
            changed=len(plan.changed),
            not_modified=plan.ok and plan.not_modified,
            error_kind=plan.error_kind,
            error=plan.error,
            permanent=plan.permanent,
        )

    async def update_many(
        self,
        feed_ids: Iterable[int],
        progress: Callable[[UpdateResult], Awaitable[None] | None] | None = None,
    ) -> list[UpdateResult]:
        """Update feeds concurrently; results in the order given."""

        async def one(fid: int) -> UpdateResult:
            result = await self.update_one(fid)
            if progress is not None:
                maybe = progress(result)
                if maybe is not None:
                    await maybe
            return result

        return list(await asyncio.gather(*(one(fid) for fid in feed_ids)))

    # -- subscribing ---------------------------------------------------------------------------

    async def discover(self, url: str) -> tuple[FetchResult, ParsedFeed]:
        """Fetch ``url``; if it is a page rather than a feed, find the feed it points to."""
        fetched = await self.fetch(url)
        try:
            return fetched, await self.parse(fetched)
        except NotAFeedError as exc:
            if not looks_like_html(fetched.body, fetched.headers.get("content-type")):
                raise
            first_error: TidingsError = exc
        candidates = feed_links_in_html(fetched.body, fetched.final_url)
        tried = set()
        for candidate in [*candidates, *guess_feed_urls(fetched.final_url)]:
            if candidate in tried or candidate == fetched.final_url:
                continue
            tried.add(candidate)
            try:
                found = await self.fetch(candidate)
                return found, await self.parse(found)
            except (ParseError, TidingsError) as exc:
                if candidate in candidates:  # an advertised feed that fails is worth reporting
                    first_error = exc
                continue
        if candidates:
            raise DiscoveryError(
                f"the page links to a feed, but it could not be read: {first_error}"
            ) from first_error
        raise DiscoveryError(f"no feed found at {url}: it is an HTML page with no feed link")
