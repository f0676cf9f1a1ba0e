"""Full articles, a part of the facade: a feed's items fetched from their pages for the article.

Turned on per feed (``feeds.full_articles``), by the admin or by a person who follows a feed
that is not the site's; the new items of such a feed are queued as they are written, and
``fetch_articles`` (a chore, ``schedule.chores``) works the queue. ``docs/arrival.md`` says what
is fetched, when, and what the pages and the apps then show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from tidings.arrival import ArticleCounts, ArticleRun
from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.store.store import Store
from tidings.types import Feed

if TYPE_CHECKING:
    from tidings.fetch import FetchClient
    from tidings.site import SiteSettings
    from tidings.update.pipeline import Pipeline

MAX_QUEUE_LATEST = 500  # "fetch the latest N": at most this many at once


class FullArticles:
    """Turning full articles on and off, and the turn of the chore that fetches them."""

    store: Store
    clock: Callable[[], datetime]
    _client: FetchClient | None

    # provided by core.Aggregator
    @property
    def pipeline(self) -> Pipeline:
        raise NotImplementedError

    def site(self) -> SiteSettings:
        raise NotImplementedError

    def set_full_articles(self, feed_id: int, on: bool, *, latest: int = 0) -> Feed:
        """Fetch the articles of a feed's items from now on (``on``), or stop; ``latest`` also
        queues that many of its newest items that have none (at most 500)."""
        if not 0 <= latest <= MAX_QUEUE_LATEST:
            raise TidingsError(
                _("latest is from 0 to %(max_queue_latest)s, not %(latest)s")
                % {"max_queue_latest": MAX_QUEUE_LATEST, "latest": latest}
            )
        self.store.set_full_articles(feed_id, on)
        if on and latest:
            self.store.queue_articles(feed_id, latest)
        return self.store.get_feed(feed_id)

    def set_followed_full_articles(self, user_id: int, feed_id: int, on: bool) -> Feed:
        """A person's choice for a feed they follow: theirs to make for a feed only people
        follow; the site's feeds are the admin's to decide."""
        feed = self.store.subscription(user_id, feed_id).feed  # NotFoundError: not followed
        if feed.on_site and feed.full_articles != on:
            raise TidingsError(_("full articles of the site's feeds are set by its admin"))
        if feed.full_articles == on:
            return feed
        return self.set_full_articles(feed_id, on)

    def queue_articles(self, feed_id: int, latest: int) -> int:
        """Queue the pages of a feed's ``latest`` newest items that have no article; how many."""
        self.store.get_feed(feed_id)  # NotFoundError for a feed that does not exist
        if not 1 <= latest <= MAX_QUEUE_LATEST:
            raise TidingsError(
                _("latest is from 1 to %(max_queue_latest)s, not %(latest)s")
                % {"max_queue_latest": MAX_QUEUE_LATEST, "latest": latest}
            )
        return self.store.queue_articles(feed_id, latest)

    def article_counts(self, feed_ids: Sequence[int]) -> dict[int, ArticleCounts]:
        """Each feed's items by the state of their article (feeds with none are left out)."""
        return self.store.article_counts(feed_ids)

    async def fetch_articles(self, limit: int = 32) -> ArticleRun:
        """One turn: claim up to ``limit`` queued items and keep their pages' articles (safe
        in any number of processes at once: each item is claimed by one)."""
        from tidings.update.articles import ArticleFetcher

        if self._client is None:
            raise RuntimeError("use 'async with aggregator:' around operations that fetch")
        pipeline = self.pipeline
        fetcher = ArticleFetcher(
            self.store,
            self._client,
            pipeline.hosts,
            clock=self.clock,
            db=pipeline.db,
            tags=self.site().narrower_tags,
        )
        return await fetcher.run(limit)
