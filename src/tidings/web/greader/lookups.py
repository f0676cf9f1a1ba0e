"""The reads a GReader call makes through the facade, in a worker thread: a page of a stream's
ids (keyset by item id), and what the person's subscriptions tell (a feed URL's id, a folder's
feeds, each feed's home page), read once per call and only when needed."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.synctypes import SYNC_MAX
from tidings.types import Entry, Subscription
from tidings.web.greader.ids import Stream
from tidings.web.greader.params import Page
from tidings.web.greader.query import id_query, paged


class Lookups:
    """The person's subscriptions, read when first asked for."""

    def __init__(self, agg: Aggregator, user_id: int) -> None:
        self.agg = agg
        self.user_id = user_id

    @cached_property
    def subscriptions(self) -> list[Subscription]:
        return self.agg.subscriptions(self.user_id, counted=False)

    def by_url(self, url: str) -> int | None:
        wanted = url.strip()
        for sub in self.subscriptions:
            if sub.feed.url == wanted:
                return sub.feed.id
        trimmed = wanted.rstrip("/")
        for sub in self.subscriptions:
            if sub.feed.url.rstrip("/") == trimmed:
                return sub.feed.id
        return None

    def feed_id(self, stream: Stream) -> int | None:
        """The followed feed a ``feed/`` stream names, or None."""
        if stream.feed_id is not None:
            followed = {s.feed.id for s in self.subscriptions}
            return stream.feed_id if stream.feed_id in followed else None
        return self.by_url(stream.name)

    def folder_feeds(self, name: str) -> tuple[int, ...]:
        return tuple(s.feed.id for s in self.subscriptions if (s.folder or "") == name)

    def site_urls(self) -> dict[int, str | None]:
        return {s.feed.id: s.feed.site_url or s.feed.url for s in self.subscriptions}

    def title(self, stream: Stream) -> str:
        if stream.kind == "label":
            return stream.name
        if stream.kind == "feed":
            feed_id = self.feed_id(stream)
            for sub in self.subscriptions:
                if sub.feed.id == feed_id:
                    return sub.title
            return stream.name or str(stream.feed_id)
        if stream.name == "starred":
            return _("Starred items")
        return _("Read items") if stream.name == "read" else _("Reading list")


def page_ids(
    agg: Aggregator, user_id: int, stream: Stream, page: Page, lookups: Lookups | None = None
) -> tuple[list[int], int | None]:
    """One page of ``stream``'s item ids and the continuation, if more remain: a page holds
    exactly ``page.n`` ids while more remain, and an empty page has no continuation."""
    lookups = lookups or Lookups(agg, user_id)
    query = id_query(stream, page, lookups.by_url, lookups.folder_feeds)
    if query is None:
        return [], None
    n = page.n
    ids = agg.item_ids(user_id, paged(query, page, min(n + 1, SYNC_MAX)))
    if len(ids) > n:
        return ids[:n], ids[n - 1]
    if ids and len(ids) == n and n + 1 > SYNC_MAX:  # the store's cap: ask whether more remain
        after = replace(page, continuation=ids[-1])
        if agg.item_ids(user_id, paged(query, after, 1)):
            return ids, ids[-1]
    return ids, None


def entries_in_order(agg: Aggregator, user_id: int, ids: list[int]) -> list[Entry]:
    """The entries of ``ids`` in the order of ``ids`` (those the person cannot see left out)."""
    found = {e.item.id: e for e in agg.entries_by_ids(user_id, ids)}
    return [found[i] for i in ids if i in found]


def stream_page(
    agg: Aggregator, user_id: int, stream: Stream, page: Page
) -> tuple[list[Entry], int | None, Lookups]:
    """A page of ``stream``'s entries, its continuation, and the lookups made on the way."""
    lookups = Lookups(agg, user_id)
    ids, more = page_ids(agg, user_id, stream, page, lookups)
    return entries_in_order(agg, user_id, ids), more, lookups
