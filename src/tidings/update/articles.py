"""Full articles: one turn of fetching queued items' pages and keeping their articles.

The queue is the items table (``store/articles.py``): a turn claims some pending items, fetches
their pages concurrently through the guarded client (every guarantee of a feed's fetch: the
address guard at every redirect hop, deadlines, the body cap) within the per-host politeness of
the pipeline's ``HostGate`` (the same gate as the feeds', so a host's feeds and pages share its
cap and gap), extracts each article off the event loop, and writes each result as it comes. A
transient failure (a timeout, a lost connection, a 5xx or a 429) is tried again later, a few
times; any other failure is final and says why.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from tidings.arrival import ArticleJob, ArticleOutcome, ArticleRun
from tidings.errors import (
    BlockedAddressError,
    FetchError,
    HTTPStatusError,
    TidingsError,
    TooLargeError,
)
from tidings.types import FetchResult
from tidings.update.hosts import HostGate, host_of

log = logging.getLogger("tidings.articles")
T = TypeVar("T")

LEASE = timedelta(minutes=10)  # a claim's life: a page's fetch and extraction end well before
MAX_ATTEMPTS = 3  # claims of one item, retries included
RETRY = timedelta(minutes=15)  # the first retry's delay, doubled for each one after
TRANSIENT_KINDS = frozenset({"timeout", "connection", "dns"})


class PageFetcher(Protocol):
    """The guarded client as the article fetcher sees it."""

    async def fetch_page(self, url: str, *, user_agent: str | None = None) -> FetchResult: ...


class ArticleStore(Protocol):
    """The queue of the items' pages (``store.articles.ArticlesPart``)."""

    def claim_articles(
        self, *, now: datetime, limit: int, lease: timedelta, max_attempts: int
    ) -> list[ArticleJob]: ...

    def finish_article(self, outcome: ArticleOutcome, *, now: datetime) -> bool: ...


def article_of(
    body: bytes,
    headers: dict[str, str],
    final_url: str,
    feed_html: str | None,
    tags: frozenset[str] | None,
) -> str:
    """The page's article, narrowed to the site's tags when it chose fewer: the work of one
    page, run off the event loop."""
    from tidings.parse.article import extract_article
    from tidings.parse.sanitize import restrict_tags

    html = extract_article(body, headers, final_url, feed_html)
    return restrict_tags(html, tags) if tags is not None else html


def is_transient(exc: TidingsError) -> bool:
    """Whether trying again later may bring the page: a server's trouble or the network's, not
    a missing page, a refused address, a page too large or one without an article."""
    if isinstance(exc, HTTPStatusError):
        return exc.status >= 500 or exc.status in (408, 429)
    if isinstance(exc, (BlockedAddressError, TooLargeError)):
        return False
    return isinstance(exc, FetchError) and exc.kind in TRANSIENT_KINDS


class ArticleFetcher:
    """Claims, fetches, extracts and records; ``run`` is one turn."""

    def __init__(
        self,
        store: ArticleStore,
        client: PageFetcher,
        hosts: HostGate,
        *,
        clock: Callable[[], datetime],
        db: Callable[..., Awaitable[Any]],
        concurrency: int = 8,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
        retry: timedelta = RETRY,
        tags: frozenset[str] | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.hosts = hosts
        self.clock = clock
        self._db = db  # runs a store call off the event loop (the pipeline's store thread)
        self._global = asyncio.Semaphore(concurrency)
        self.lease = lease
        self.max_attempts = max_attempts
        self.retry = retry
        self.tags = tags

    async def run(self, limit: int = 32) -> ArticleRun:
        """Claim up to ``limit`` pending items and fetch their pages; what became of them."""
        jobs: list[ArticleJob] = await self._db(
            self.store.claim_articles,
            now=self.clock(),
            limit=limit,
            lease=self.lease,
            max_attempts=self.max_attempts,
        )
        if not jobs:
            return ArticleRun()
        ends = await asyncio.gather(*(self._one(job) for job in jobs))
        return ArticleRun(
            claimed=len(jobs),
            done=ends.count("done"),
            failed=ends.count("failed"),
            retried=ends.count("retried"),
            lost=ends.count("lost"),
        )

    async def _one(self, job: ArticleJob) -> str:
        outcome = await self._outcome(job)
        if not await self._db(self.store.finish_article, outcome, now=self.clock()):
            log.info("item %s: its article's claim was taken over; result dropped", job.item_id)
            return "lost"
        if outcome.html is not None:
            return "done"
        level = logging.INFO if outcome.retry_at else logging.WARNING
        log.log(level, "item %s: no article: %s", job.item_id, outcome.error)
        return "retried" if outcome.retry_at is not None else "failed"

    async def _outcome(self, job: ArticleJob) -> ArticleOutcome:
        if not job.link:
            return ArticleOutcome(job.item_id, job.attempt, error="the item has no link")
        try:
            async with self.hosts.slot(host_of(job.link), then=self._global):
                page = await self.client.fetch_page(job.link, user_agent=job.user_agent)
            loop = asyncio.get_running_loop()
            html = await loop.run_in_executor(
                None,
                article_of,
                page.body,
                dict(page.headers),
                page.final_url,
                job.feed_html,
                self.tags,
            )
        except TidingsError as exc:
            return self._failure(job, exc)
        except Exception as exc:  # a bug in the extractor costs this item, never the turn
            log.exception("item %s: the article could not be extracted", job.item_id)
            return ArticleOutcome(job.item_id, job.attempt, error=f"internal error: {exc!r}"[:500])
        return ArticleOutcome(job.item_id, job.attempt, html=html)

    def _failure(self, job: ArticleJob, exc: TidingsError) -> ArticleOutcome:
        reason = str(exc)[:1000]
        if not is_transient(exc):
            return ArticleOutcome(job.item_id, job.attempt, error=reason)
        if job.attempt >= self.max_attempts:
            return ArticleOutcome(
                job.item_id, job.attempt, error=f"{reason} (gave up after {job.attempt} attempts)"
            )
        delay = self.retry * 2 ** (job.attempt - 1)
        return ArticleOutcome(job.item_id, job.attempt, error=reason, retry_at=self.clock() + delay)
