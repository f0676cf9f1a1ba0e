"""Where fetch, parse and store meet: the I/O around the pure decisions of ``decide``.

Fetches run concurrently on asyncio within a global cap and a per-host cap (taken first, so the
feeds of a slow host queue for their host without holding global slots) and an optional minimum gap
between starts on one host; parsing runs off the event loop (large documents in worker processes,
see ``parsers``); every store call runs on one dedicated thread, so SQLite has one writer and no
write transaction ever waits on the network. A feed's failure becomes that feed's
``UpdateResult``; a feed already being updated is not fetched twice at once. Every update is
counted in ``metrics`` and logged with the feed's id as a field.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from tidings.errors import (
    DiscoveryError,
    DuplicateError,
    FeedKnownError,
    NotAFeedError,
    NotFoundError,
    ParseError,
    TidingsError,
)
from tidings.fetch.canonical import canonical_url
from tidings.fetch.discover import feed_links_in_html, guess_feed_urls, looks_like_html
from tidings.fetch.weburl import web_url_candidates
from tidings.i18n import gettext as _
from tidings.ports import FeedParser, Fetcher, UpdateStore
from tidings.types import FeedState, FetchResult, ParsedFeed, UpdatePlan, UpdateResult
from tidings.update import arrive
from tidings.update.arrive import ArrivalStep
from tidings.update.batch import Batched
from tidings.update.decide import decide_failure, decide_success, is_unchanged_body
from tidings.update.hosts import HostGate, host_of
from tidings.update.metrics import Metrics
from tidings.update.parsers import Parsers
from tidings.update.pushed import update_pushed
from tidings.update.schedule import Policy, check_refresh, permanent_target
from tidings.update.updater import Progress, report

log = logging.getLogger("tidings.update")
T = TypeVar("T")

__all__ = ["UNRECORDED", "Pipeline", "host_of"]

# set in UpdateResult.extra when an update failed so that not even its failure could be stored:
# the feed's next_check did not move, so a scheduler must hold it back itself
UNRECORDED = "unrecorded"
READS = 500  # feeds' states read at once
WRITES = 256  # feeds' plans written in one transaction: a kill loses at most these, refetched
WRITE_LINGER = 0.05  # seconds a write waits for others to share its commit


@dataclass(slots=True)
class _Attempt:
    """How far a feed's fetch got, for the failure plan when something after it fails."""

    started: float = 0.0
    fetched: FetchResult | None = None


class Pipeline:
    """Runs updates for a store with one fetch client."""

    def __init__(
        self,
        store: UpdateStore,
        client: Fetcher,
        policy: Policy,
        *,
        clock: Callable[[], datetime],
        max_items: int = 5000,
        max_concurrency: int = 64,
        per_host: int = 2,
        host_gap: float = 0.0,
        metrics: Metrics | None = None,
        parse_processes: int = 0,
        parsers: FeedParser | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.policy = policy
        self.clock = clock
        self.max_items = max_items
        self.metrics = metrics or Metrics()
        self._global = asyncio.Semaphore(max_concurrency)
        # documents fetched and not yet parsed: what a cold update keeps in memory
        self._documents = asyncio.Semaphore(max_concurrency)
        self.hosts = HostGate(per_host, host_gap)
        self._running: dict[int, asyncio.Task[UpdateResult]] = {}
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tidings-store")
        # reads that must not queue behind the writes (the scheduler's "what is due?")
        self._reads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tidings-store-read")
        # the feeds' reads and writes, gathered into few statements and few commits (``batch``)
        self._states = Batched(partial(self._states_of, with_items=False), self._reads, READS)
        self._full_states = Batched(partial(self._states_of, with_items=True), self._reads, 64)
        self._writes = Batched(self._apply_many, self._db, WRITES, linger=WRITE_LINGER)
        # a site's narrower choice of HTML tags (None: the sanitizer's whole allowlist)
        self.allowed_tags: frozenset[str] | None = None
        self.parsers = parsers or Parsers(parse_processes)
        # what is done to new items besides storing them (rules, articles, notifications)
        self.arrivals: list[ArrivalStep] = []

    def close(self) -> None:
        self.parsers.close()
        self._db.shutdown(wait=True)
        self._reads.shutdown(wait=True)

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call on the store thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, partial(fn, *args, **kwargs))

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a read-only store call on the reader thread, beside the writes, not behind them.

        SQLite in WAL mode (and PostgreSQL) let a reader see the last committed state while
        a write is going on, so the scheduler's queries never wait for a wave of updates.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reads, partial(fn, *args, **kwargs))

    def _states_of(self, feed_ids: list[int], *, with_items: bool) -> list[FeedState | Exception]:
        # past the adaptive window an item's date only counts: reading a year of dates for a
        # 304 would cost more than the 304
        since = (
            None if with_items else self.clock() - timedelta(days=self.policy.activity_window_days)
        )
        states = self.store.update_states(feed_ids, with_items=with_items, dates_since=since)
        return [
            states.get(fid) or NotFoundError(_("no feed with id %(fid)s") % {"fid": fid})
            for fid in feed_ids
        ]

    def _apply_many(self, plans: list[UpdatePlan]) -> Sequence[bool]:
        return self.store.apply_many(plans)  # looked up at each call, as the reads are

    @contextlib.asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        # the host first: waiting for a busy host must not hold a slot another host could use
        async with self.hosts.slot(host_of(url), then=self._global):
            yield

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        user_agent: str | None = None,
    ) -> FetchResult:
        async with self._slot(url):
            return await self.client.fetch(
                url, etag=etag, last_modified=last_modified, user_agent=user_agent
            )

    async def parse(self, fetched: FetchResult) -> ParsedFeed:
        return await self.parsers.parse(
            fetched.body, fetched.final_url, fetched.headers, self.max_items, self.allowed_tags
        )

    # -- one feed ------------------------------------------------------------------------------

    async def plan(self, state: FeedState) -> UpdatePlan:
        """Fetch and parse one feed and decide; every failure becomes a failure plan.

        The time waited for a slot is not the feed's: durations start when the request does.
        """
        attempt = _Attempt()
        try:
            fetched, parsed = await self._fetch_and_parse(state, attempt)
            if state.item_dates is not None and (
                parsed is not None or state.retention_days or self.policy.retention_days
            ):
                # items to match or to expire: now the identities are worth reading
                state = await self._full_states(state.feed_id)
        except TidingsError as exc:
            got = attempt.fetched
            elapsed = time.monotonic() - attempt.started if attempt.started else 0.0
            return decide_failure(
                state,
                exc,
                self.clock(),
                self.policy,
                status=got.status if got else None,
                duration_ms=int((got.elapsed if got else elapsed) * 1000),
                size=len(got.body) if got else 0,
            )
        plan = decide_success(state, fetched, parsed, self.clock(), self.policy)
        return await arrive.screen(self.arrivals, plan)

    async def _fetch_and_parse(
        self, state: FeedState, attempt: _Attempt
    ) -> tuple[FetchResult, ParsedFeed | None]:
        """The feed's document and what it says (None: not modified), a body held from its
        fetch until it is parsed only within the cap of documents in hand: when parsing falls
        behind, fetching waits instead of piling up bodies in memory."""
        async with self._slot(state.url):
            await self._documents.acquire()  # after the host's slot: a busy host holds none
            try:
                attempt.started = time.monotonic()
                attempt.fetched = fetched = await self.client.fetch(
                    state.url,
                    etag=state.etag,
                    last_modified=state.last_modified,
                    user_agent=state.user_agent,
                )
            except BaseException:
                self._documents.release()
                raise
        try:
            return fetched, None if is_unchanged_body(state, fetched) else await self.parse(fetched)
        finally:
            self._documents.release()

    async def update_one(self, feed_id: int) -> UpdateResult:
        """Update one feed; a feed already being updated is awaited, not fetched a second time."""
        running = self._running.get(feed_id)
        if running is None:
            running = asyncio.create_task(self._update_one(feed_id))
            self._running[feed_id] = running

            def forget(task: asyncio.Task[UpdateResult], fid: int = feed_id) -> None:
                if self._running.get(fid) is task:
                    del self._running[fid]

            running.add_done_callback(forget)
        return await running

    async def update_pushed(
        self, feed_id: int, body: bytes, headers: Mapping[str, str]
    ) -> UpdateResult:
        """What a WebSub hub pushed, parsed, decided and stored as a fetch is (``pushed``)."""
        return await update_pushed(self, feed_id, body, headers)

    async def _update_one(self, feed_id: int) -> UpdateResult:
        url = ""
        fields: dict[str, Any] = {"feed_id": feed_id}
        state: FeedState | None = None
        try:
            # a read: it need not wait behind other feeds' writes (this feed has none in flight)
            state = await self._states(feed_id)
            url = state.url
            fields["url"] = url
            plan = await self.plan(state)
            if await self._writes(plan):
                await arrive.arrived(self.arrivals, plan)
        except TidingsError as exc:  # the store itself failed for this feed
            log.warning("feed %s: %s", feed_id, exc, extra={**fields, "outcome": exc.kind})
            self.metrics.observe(outcome=exc.kind, seconds=0.0)
            return UpdateResult(
                feed_id, url, error_kind=exc.kind, error=exc.message, extra={UNRECORDED: "1"}
            )
        except Exception as exc:  # a bug must not stop the other feeds; it is logged in full
            log.exception(
                "feed %s: unexpected error", feed_id, extra={**fields, "outcome": "internal"}
            )
            self.metrics.observe(outcome="internal", seconds=0.0)
            message = f"internal error: {exc!r}"[:500]
            written = state is not None and await self._write_failure(state, message, fields)
            return UpdateResult(
                feed_id,
                url,
                error_kind="internal",
                error=message,
                extra={} if written else {UNRECORDED: "1"},
            )
        self._record(plan, fields)
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

    async def _write_failure(self, state: FeedState, message: str, fields: dict[str, Any]) -> bool:
        """Store an unexpected error as the feed's failure, so that it backs off like any other
        failure instead of staying due (and being fetched again at once, and again)."""
        try:
            plan = decide_failure(
                state, TidingsError(message, kind="internal"), self.clock(), self.policy
            )
            return bool(await self.db(self.store.apply, plan))
        except Exception:
            log.exception("feed %s: could not store the failure", state.feed_id, extra=fields)
            return False

    def _record(self, plan: UpdatePlan, fields: dict[str, Any]) -> None:
        """Count the update and log one line about it, with the feed's facts as fields."""
        outcome = plan.error_kind or ("not_modified" if plan.not_modified else "ok")
        self.metrics.observe(
            outcome=outcome,
            seconds=plan.duration_ms / 1000,
            size=plan.bytes,
            new=len(plan.new),
            changed=len(plan.changed),
        )
        fields.update(
            outcome=outcome,
            status=plan.status,
            duration_ms=plan.duration_ms,
            bytes=plan.bytes,
            new=len(plan.new),
            changed=len(plan.changed),
            next_check=plan.next_check.isoformat(),
            schedule=plan.schedule_reason,
        )
        fid = plan.feed_id
        if plan.disabled_reason:
            log.warning("feed %s: disabled: %s", fid, plan.disabled_reason, extra=fields)
        elif plan.error:
            log.warning("feed %s: %s (failure %d)", fid, plan.error, plan.error_count, extra=fields)
        else:  # a fetch that brought nothing is only worth a line when asked for (-v)
            level = logging.INFO if plan.new or plan.changed else logging.DEBUG
            log.log(
                level,
                "feed %s: %d new, %d changed",
                fid,
                len(plan.new),
                len(plan.changed),
                extra=fields,
            )
        if plan.adopt_redirect:
            log.info(
                "feed %s: adopting the permanent redirect to %s",
                fid,
                plan.redirect_url,
                extra={**fields, "redirect_url": plan.redirect_url},
            )

    async def update_many(
        self, feed_ids: Iterable[int], progress: Progress | None = None
    ) -> list[UpdateResult]:
        """Update feeds concurrently; results in the order given, one per distinct feed."""

        async def one(fid: int) -> UpdateResult:
            result = await self.update_one(fid)
            await report(progress, result)
            return result

        return list(await asyncio.gather(*(one(fid) for fid in dict.fromkeys(feed_ids))))

    # -- subscribing ---------------------------------------------------------------------------

    async def subscribe(
        self,
        url: str,
        *,
        title: str | None = None,
        categories: Sequence[str] = (),
        refresh_seconds: int | None = None,
        user_agent: str | None = None,
        anyway: bool = False,
        on_site: bool = True,
    ) -> int:
        """Discover, fetch, decide and store a new feed with its items; its id.

        Nothing is stored on any error, unless ``anyway``: then a feed that fails for now is
        stored with its failure as its first fetch, and retried on the usual backoff. What is
        not a web URL, a refresh interval below the floor and a duplicate are refused even so
        (a feed already stored is a ``FeedKnownError`` naming it, raised before any fetch).
        ``on_site=False`` stores a feed that only people follow (``Reading.subscribe``).
        A URL without a scheme is tried as https, then as http. Two subscriptions to one URL
        are one feed: the URL is compared in its canonical spelling, and a URL that redirects
        permanently to a feed already subscribed is that feed.
        """
        candidates = [canonical_url(u) for u in web_url_candidates(url)]
        check_refresh(refresh_seconds, self.policy)
        for candidate in candidates:
            await self._refuse_known(candidate, f"already subscribed: {candidate}")
        store = partial(
            self.store.add_feed,
            title=title,
            categories_=categories,
            refresh_seconds=refresh_seconds,
            user_agent=user_agent,
            on_site=on_site,
        )
        try:
            fetched, parsed = await self._discover_first(candidates, user_agent)
        except TidingsError as exc:
            if not anyway or isinstance(exc, DuplicateError):
                raise
            return await self._store_failure(store, candidates[0], exc, refresh_seconds)
        url = candidates[0] if len(candidates) == 1 else canonical_url(fetched.url)
        feed_url = canonical_url(fetched.url)  # redirects are adopted by the scheduler
        if feed_url != url:
            await self._refuse_known(feed_url, f"already subscribed: {feed_url} (found from {url})")
        target = permanent_target(fetched.redirects)
        if target is not None:
            message = f"already subscribed: {url} redirects permanently to {target}"
            await self._refuse_known(canonical_url(target), message)
        now = self.clock()
        feed_id = await self.db(store, feed_url, now=now)
        state = FeedState(
            feed_id=feed_id, url=feed_url, refresh_seconds=refresh_seconds, user_agent=user_agent
        )
        plan = await arrive.screen(
            self.arrivals, decide_success(state, fetched, parsed, now, self.policy)
        )
        if await self.db(self.store.apply, plan):
            await arrive.arrived(self.arrivals, plan)
        self.metrics.changed()
        return feed_id

    async def _discover_first(
        self, candidates: Sequence[str], user_agent: str | None
    ) -> tuple[FetchResult, ParsedFeed]:
        """The first candidate that leads to a feed (https before http for a URL typed without
        a scheme); when none does, the first one's error."""
        first: TidingsError | None = None
        for candidate in candidates:
            try:
                return await self.discover(candidate, user_agent=user_agent)
            except TidingsError as exc:
                first = first or exc
        assert first is not None  # there is always a candidate
        raise first

    async def _store_failure(
        self,
        store: Callable[..., int],
        url: str,
        error: TidingsError,
        refresh_seconds: int | None,
    ) -> int:
        """Store a feed whose first fetch failed, with that failure: it is retried on backoff."""
        now = self.clock()
        feed_id = await self.db(store, url, now=now)
        state = FeedState(feed_id=feed_id, url=url, refresh_seconds=refresh_seconds)
        await self.db(self.store.apply, decide_failure(state, error, now, self.policy))
        log.info("feed %s: added although it fails for now: %s", feed_id, error)
        return feed_id

    async def _refuse_known(self, url: str, message: str) -> None:
        found = await self.read(self.store.find_feed, url)
        if found is not None:
            raise FeedKnownError(message, found.id)

    async def discover(
        self, url: str, *, user_agent: str | None = None
    ) -> tuple[FetchResult, ParsedFeed]:
        """Fetch ``url``; if it is a page rather than a feed, find the feed it points to."""
        fetched = await self.fetch(url, user_agent=user_agent)
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
                found = await self.fetch(candidate, user_agent=user_agent)
                return found, await self.parse(found)
            except (ParseError, TidingsError) as exc:
                if candidate in candidates:  # an advertised feed that fails is worth reporting
                    first_error = exc
                continue
        if candidates:
            raise DiscoveryError(
                _("the page links to a feed, but it could not be read: %(error)s")
                % {"error": first_error}
            ) from first_error
        raise DiscoveryError(
            _("no feed found at %(url)s: it is an HTML page with no feed link") % {"url": url}
        )
