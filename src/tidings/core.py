"""Aggregator: the one facade that the command line, the web app and the scheduler call.

``make_aggregator(settings)`` builds one; use it as ``async with`` around anything that fetches.
Reads are plain methods (they only touch the store); anything that talks to the network is async.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING

from tidings.config import Settings
from tidings.errors import FeedKnownError, NotFoundError
from tidings.fullarticles import FullArticles
from tidings.i18n import gettext as _
from tidings.lazy import lazy_names
from tidings.listing import Listing
from tidings.notifying import Notifying
from tidings.people import People
from tidings.pushing import Pushing
from tidings.reading import Reading
from tidings.rulebook import Rulebook
from tidings.siteopml import SiteOPML
from tidings.store.accounts import Accounts
from tidings.store.fulltext import SearchBackend, backend_for
from tidings.store.search import RANK_WINDOW as RANK_WINDOW  # re-exported for the web pages
from tidings.store.searchquery import parse_query
from tidings.store.store import Store
from tidings.syncing import Syncing
from tidings.types import Category, Feed, FeedHealth, FetchRecord, Item, SearchHit, UpdateResult
from tidings.types import ImportReport as ImportReport  # re-exported: the public name
from tidings.update.dispatch import Dispatcher
from tidings.update.metrics import Gauge as Gauge  # re-exported for the web pages
from tidings.update.metrics import Metrics
from tidings.update.remote import RemoteUpdater
from tidings.update.schedule import Policy, check_refresh

# The fetch client (aiohttp), the parsers (lxml, nh3, feedparser), the pipeline and the web
# pages' names are imported where they are first needed: a command that only reads the store
# (``tidings list``) starts without them.
if TYPE_CHECKING:
    from tidings.fetch import FetchClient
    from tidings.fetch.samples import SAMPLES as SAMPLES
    from tidings.fetch.samples import public_url as public_url
    from tidings.fetch.samples import sample_body as sample_body
    from tidings.fetch.samples import sample_path as sample_path
    from tidings.parse import ALLOWED_TAGS as ALLOWED_TAGS
    from tidings.site import SiteSettings as SiteSettings
    from tidings.update.pipeline import Pipeline
    from tidings.update.updater import Progress, Updater

# re-exported for the web pages, each imported on first use
_FOR_THE_PAGES = {
    "SAMPLES": "tidings.fetch.samples",
    "public_url": "tidings.fetch.samples",
    "sample_body": "tidings.fetch.samples",
    "sample_path": "tidings.fetch.samples",
    "ALLOWED_TAGS": "tidings.parse",
    "SiteSettings": "tidings.site",
}


__getattr__ = lazy_names(__name__, _FOR_THE_PAGES)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Aggregator(
    Reading, Syncing, Listing, People, SiteOPML, FullArticles, Pushing, Rulebook, Notifying
):
    """Subscriptions, updates and reads over one store; people (``People``), their reading
    (``Reading``) and their apps (``Syncing``) too; the site's OPML (``SiteOPML``)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        clock: Callable[[], datetime] = utcnow,
        allowed_origins: Collection[tuple[str, int]] = (),
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.policy = Policy(
            default_refresh=settings.default_refresh,
            min_refresh=settings.min_refresh,
            retention_days=settings.retention_days,
            push_poll=settings.websub_poll,
        )
        self.accounts = Accounts(store.engine)
        self._site: SiteSettings | None = None
        self._allowed_origins = tuple(allowed_origins)
        self._pipeline: Pipeline | None = None
        self._updater: Updater | None = None
        self._client: FetchClient | None = None
        # counters of every update this process made, for /metrics
        self.metrics = Metrics()
        self._search: SearchBackend | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> Aggregator:
        from tidings.fetch import AddressPolicy, FetchClient
        from tidings.fetch.samples import WithSamples
        from tidings.update.pipeline import Pipeline

        self._client = FetchClient(
            policy=AddressPolicy(
                allowed_networks=self.settings.allowed_networks,
                allowed_origins=self._allowed_origins,
            ),
            user_agent=self.settings.user_agent,
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout,
            total_timeout=self.settings.total_timeout,
            max_bytes=self.settings.max_body_bytes,
            per_host=self.settings.per_host_concurrency,
        )
        await self._client.__aenter__()
        self._pipeline = Pipeline(
            self.store,
            WithSamples(self._client),
            self.policy,
            clock=self.clock,
            max_items=self.settings.max_items_per_feed,
            max_concurrency=self.settings.max_concurrency,
            per_host=self.settings.per_host_concurrency,
            host_gap=self.settings.host_min_gap,
            metrics=self.metrics,
            parse_processes=self.settings.parse_processes,
        )
        self._pipeline.allowed_tags = self.site().narrower_tags
        self._start_pushing(self._pipeline, self._client)
        self._pipeline.arrivals.append(self.rule_step(self._pipeline))
        self._pipeline.arrivals.append(self.fold_step(self._pipeline))
        self._updater = (
            RemoteUpdater(self.dispatcher, self.clock)
            if self.settings.mode == "workers"
            else self._pipeline
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop_pushing()
        if self._client is not None:
            await self._client.close()
        if self._pipeline is not None:
            self._pipeline.close()
        self._client = self._pipeline = self._updater = None

    def close(self) -> None:
        self.store.close()

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            raise RuntimeError("use 'async with aggregator:' around operations that fetch")
        return self._pipeline

    @property
    def updater(self) -> Updater:
        """Who updates feeds now: this process's pipeline, or the workers (worker mode)."""
        if self._updater is None:
            raise RuntimeError("use 'async with aggregator:' around operations that fetch")
        return self._updater

    @property
    def dispatcher(self) -> Dispatcher:
        """Worker mode's dispatch, with this installation's budgets."""
        from tidings.store import queue  # procrastinate: the workers extra, worker mode only

        return Dispatcher.from_settings(self.store.engine, queue.enqueue, self.settings)

    # -- reads ---------------------------------------------------------------------------------

    def feeds(self, ids: Iterable[int] | None = None) -> list[Feed]:
        """The site's feeds, or those of ``ids`` that exist (one query, by id); the feeds that
        only people follow are not the site's (``Reading.subscriptions`` lists a person's)."""
        return self.store.list_feeds(ids, site_only=True)

    def feed(self, ref: str | int) -> Feed:
        """A feed by id or by URL."""
        from tidings.fetch.canonical import canonical_url

        if isinstance(ref, int) or str(ref).isdigit():
            return self.store.get_feed(int(ref))
        found = self.store.find_feed(str(ref).strip()) or self.store.find_feed(
            canonical_url(str(ref))
        )
        if found is None:
            raise NotFoundError(_("no feed with URL %(ref)s") % {"ref": ref})
        return found

    def site_feed(self, feed_id: int) -> Feed:
        """A feed of the site's (public pages): NotFoundError for one only people follow."""
        feed = self.store.get_feed(feed_id)
        if not feed.on_site:
            raise NotFoundError(_("no feed with id %(feed_id)s") % {"feed_id": feed_id})
        return feed

    def items(
        self,
        *,
        feed_id: int | None = None,
        category: str | None = None,
        limit: int = 30,
        offset: int = 0,
        with_article: bool = False,
    ) -> list[Item]:
        return self.store.items(
            feed_id=feed_id,
            category=category,
            limit=limit,
            offset=offset,
            with_article=with_article,
        )

    def count_items(self, *, feed_id: int | None = None) -> int:
        return self.store.count_items(feed_id=feed_id)

    def categories(self) -> list[Category]:
        return self.store.list_categories()

    def category(self, slug: str) -> Category:
        return self.store.get_category(slug)

    def category_feed_counts(self) -> dict[int, int]:
        return self.store.category_feed_counts()

    def latest_per_feed(self, per_feed: int = 3) -> dict[int, list[Item]]:
        return self.store.latest_per_feed(per_feed)

    # -- for the web pages ---------------------------------------------------------------------

    def any_due(self) -> bool:
        """Whether a feed is due now: one row at most, cheap for a health check."""
        return bool(self.store.due_feed_ids(self.clock(), limit=1))

    def due_summary(self) -> tuple[int, datetime | None]:
        """How many enabled feeds are due now, and the oldest next check among them."""
        return self.store.due_summary(self.clock())

    def feed_states(self) -> dict[str, int]:
        """How many feeds are ok, failing and disabled."""
        return self.store.feed_states()

    def is_subscribed(self, url: str) -> bool:
        """Whether a feed has exactly this URL (no discovery, no canonical form)."""
        return self.store.find_feed(url) is not None

    def content_changes(self) -> int:
        """A number that moves whenever this process stores new or changed items or a new
        subscription (pages built before it are out of date)."""
        return self.metrics.changes

    def metrics_text(self, gauges: Iterable[Gauge] = ()) -> str:
        """The fetch counters of every process (kept in the database), this process's fetch
        durations, and ``gauges``, in the Prometheus text format."""
        return self.metrics.render(gauges, self.store.fetch_totals())

    # -- search (query language: store/searchquery.py) -----------------------------------------

    def search(
        self, q: str, limit: int = 30, offset: int = 0, *, newest_first: bool = False
    ) -> list[SearchHit]:
        """Items matching ``q``, best first; any string is a query, at worst one finding nothing.

        ``newest_first`` orders by date instead of relevance, as a subscribed search wants.
        """
        return self._search_backend().search(
            parse_query(q), limit=limit, offset=offset, newest_first=newest_first
        )

    def search_count(self, q: str) -> int:
        return self._search_backend().count(parse_query(q))

    def search_problem(self, q: str) -> str | None:
        """Why ``q`` cannot find anything (empty, only exclusions), for the person who typed it."""
        return parse_query(q).problem

    def _search_backend(self) -> SearchBackend:
        if self._search is None:
            self._search = backend_for(self.store.engine)
        return self._search

    # -- subscriptions -------------------------------------------------------------------------

    async def add_feed(
        self,
        url: str,
        *,
        title: str | None = None,
        categories: Sequence[str] = (),
        refresh_seconds: int | None = None,
        user_agent: str | None = None,
        anyway: bool = False,
    ) -> Feed:
        """Discover, fetch and store a feed with its items (``Pipeline.subscribe``); nothing is
        stored on any error (unless ``anyway``: then a feed that fails for now is stored with
        its failure, and retried on backoff), and a URL already subscribed (in any spelling) is
        a DuplicateError. A URL without a scheme is tried as https, then as http. A feed that
        only people follow joins the site (nothing fetched), with the title and categories given.
        """
        from tidings.fetch.weburl import check_user_agent

        try:
            feed_id = await self.pipeline.subscribe(
                url,
                title=title,
                categories=categories,
                refresh_seconds=refresh_seconds,
                user_agent=check_user_agent(user_agent),
                anyway=anyway,
            )
        except FeedKnownError as known:
            if not self.store.join_site(known.feed_id, title=title, categories_=categories):
                raise
            feed_id = known.feed_id
        return self.store.get_feed(feed_id)

    async def subscribe_samples(self) -> int:
        """Subscribe the bundled sample feeds (read from the package, not the network: see
        ``fetch/samples.py``) that are not subscribed yet; how many were added."""
        from tidings.fetch.samples import SAMPLES, sample_url

        added = 0
        for name in SAMPLES:
            if not self.is_subscribed(sample_url(name)):
                await self.add_feed(sample_url(name), categories=["tidings"])
                added += 1
        return added

    def remove_feed(self, ref: str | int) -> Feed:
        """Take a feed off the site: deleted with its items, unless people follow it (then it
        leaves the site's collection, and they keep it and their marks)."""
        feed = self.feed(ref)
        if self.store.followed_feed_ids([feed.id]):
            self.store.set_on_site(feed.id, False)
            self.store.set_categories(feed.id, ())
        else:
            self.store.remove_feed(feed.id)
        return feed

    def edit_feed(
        self,
        feed_id: int,
        *,
        url: str,
        title: str | None,
        categories: Sequence[str],
        refresh_seconds: int | None,
        retention_days: int | None,
        user_agent: str | None = None,
    ) -> Feed:
        """Change what a user may change about a subscription; an interval below the floor is
        refused."""
        from tidings.fetch.canonical import canonical_url
        from tidings.fetch.weburl import check_user_agent

        check_refresh(refresh_seconds, self.policy)
        self.store.edit_feed(
            feed_id,
            url=canonical_url(url),
            title=title,
            refresh_seconds=refresh_seconds,
            retention_days=retention_days,
            user_agent=check_user_agent(user_agent),
        )
        self.store.set_categories(feed_id, categories)
        return self.store.get_feed(feed_id)

    def check_refresh(self, seconds: int | None, shown: str | None = None) -> None:
        """Refuse a feed's own interval below the floor (``TIDINGS_MIN_REFRESH``), naming it."""
        check_refresh(seconds, self.policy, shown)

    def remove_items(self, feed_id: int) -> int:
        """Delete a feed's items and forget its validators: the next update re-reads it all."""
        return self.store.remove_items(feed_id, now=self.clock())

    def enable_feed(self, ref: str | int) -> Feed:
        """Enable a feed that was disabled (410 Gone): its errors are cleared and it is due now.

        Disabling is never undone by tidings itself, because a 410 says the feed is gone for
        good; a person who knows better enables it, and the next fetch decides again.
        """
        feed = self.feed(ref)
        self.store.enable_feed(feed.id, now=self.clock())
        return self.store.get_feed(feed.id)

    # -- feed health ---------------------------------------------------------------------------

    def health(self) -> list[FeedHealth]:
        """The feeds that are failing or disabled, each with its reason, since when, its error
        count and its next try: the data of ``tidings health`` and of the admin's health page.
        """
        return self.store.health()

    def fetch_history(self, feed_id: int) -> list[FetchRecord]:
        """A feed's last fetches (at most 100), newest first."""
        self.store.get_feed(feed_id)  # NotFoundError for a feed that does not exist
        return self.store.fetch_history(feed_id)

    # -- site settings (people: tidings.people) ----------------------------------------------

    def site(self) -> SiteSettings:
        from tidings.site import site_from

        if self._site is None:
            self._site = site_from(self.accounts.settings(), self.settings)
            self.policy = replace(self.policy, retention_days=self._site.retention_days)
            if self._pipeline is not None:
                self._pipeline.policy = self.policy
                self._pipeline.allowed_tags = self._site.narrower_tags
        return self._site

    def save_site(self, site: SiteSettings) -> SiteSettings:
        from tidings.site import stored_values

        self.accounts.save_settings(stored_values(site))
        self._site = None
        return self.site()

    # -- updates -------------------------------------------------------------------------------

    def due_feed_ids(self) -> list[int]:
        return self.store.due_feed_ids(self.clock())

    async def update(
        self,
        refs: Sequence[str | int] = (),
        *,
        all_feeds: bool = False,
        progress: Progress | None = None,
        on_start: Callable[[int], None] | None = None,
    ) -> list[UpdateResult]:
        """Update the feeds named, else every feed (``all_feeds``), else the ones that are due.

        A disabled feed is never fetched, not even by name: it says it is gone, and only
        ``enable_feed`` brings it back. Named, it gets a result that says so.
        """
        skipped: list[UpdateResult] = []
        if refs:
            named = [self.feed(ref) for ref in refs]
            ids = [f.id for f in named if not f.disabled_reason]
            skipped = [
                UpdateResult(
                    f.id,
                    f.url,
                    error_kind="disabled",
                    error=_("disabled (%(reason)s); enable it to fetch it again")
                    % {"reason": f.disabled_reason},
                    permanent=True,
                )
                for f in named
                if f.disabled_reason
            ]
        elif all_feeds:
            ids = self.store.feed_ids(enabled_only=True)
        else:
            ids = self.due_feed_ids()
        if on_start is not None:
            on_start(len(ids))
        return [*skipped, *await self.updater.update_many(ids, progress)]

    # -- OPML (the site's: SiteOPML) -----------------------------------------------------------

    async def fetch_bytes(self, url: str) -> bytes:
        """Fetch any document (e.g. OPML by URL) through the guarded client."""
        return (await self.pipeline.fetch(url)).body


def make_aggregator(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    allowed_origins: Collection[tuple[str, int]] = (),
) -> Aggregator:
    """Load settings (if not given), open the store (migrating it) and build the facade."""
    settings = settings or Settings.load()
    store = Store.open(settings.effective_database_url)
    return Aggregator(settings, store, clock=clock, allowed_origins=allowed_origins)


def xml_parser_problem() -> str | None:
    """Why the linked expat is too old to trust with hostile XML (None: it is recent enough),
    for a warning at start-up."""
    from tidings.parse import expat_problem

    return expat_problem()
