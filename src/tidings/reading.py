"""The reading of the facade: one person's subscriptions, their entries and the state of each.

``Reading`` is a part of ``core.Aggregator`` (its base class), as ``People`` is. Every method
takes the person's ``user_id`` first and reads or changes only what is theirs: the feeds they
follow, their titles and folders, their read and starred marks. Feeds are shared: a feed is
stored and fetched once however many people follow it; one nobody follows and not on the site
goes with its last subscription (unless someone starred one of its items).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from types import EllipsisType
from typing import TYPE_CHECKING, Any

from tidings.config import Settings
from tidings.errors import DuplicateError, FeedKnownError, NotFoundError, TidingsError
from tidings.fetch.canonical import canonical_url
from tidings.i18n import gettext as _
from tidings.publish.opml import OPMLEntry, parse_opml, write_opml
from tidings.store.store import Store
from tidings.types import (
    Entry,
    EntryQuery,
    Feed,
    ImportReport,
    MarkResult,
    ReadingSettings,
    Subscription,
    UnreadCounts,
    User,
)
from tidings.update.foldstep import FoldStep

if TYPE_CHECKING:
    from tidings.update.pipeline import Pipeline

TOKEN_HEX = 32
FOLDER_MAX = 200  # an outline's longer name is cut (a person's own is refused)
KEEP_UNREAD_MAX = 36_500


def entry_cursor(entry: Entry, order: str = "published") -> tuple[datetime | int, int]:
    """The ``EntryQuery.after`` of the page that follows ``entry`` in ``order``."""
    item = entry.item
    return (item.sort_date if order == "published" else item.id, item.id)


class Reading:
    """People's subscriptions and entries, over the store's reading rooms."""

    store: Store
    clock: Callable[[], datetime]
    settings: Settings
    _feed_key: bytes | None = None
    _fold_steps: list[FoldStep] | None = None

    @property
    def pipeline(self) -> Pipeline:  # the aggregator's, once it is entered
        raise NotImplementedError

    # -- subscriptions -------------------------------------------------------------------------

    async def subscribe(
        self, user_id: int, url: str, *, title: str | None = None, folder: str | None = None
    ) -> Subscription:
        """Follow the feed at ``url`` (discovered and normalised as the site's are). A feed
        already stored is followed as it is, nothing fetched, its items of the last
        ``TIDINGS_UNREAD_WINDOW_DAYS`` unread; a new one is stored off the site, fetched once,
        all its items unread. Following a feed twice is a DuplicateError."""
        now = self.clock()
        window_start: datetime | None = None
        try:
            feed_id = await self.pipeline.subscribe(url, on_site=False)
        except FeedKnownError as known:
            feed_id = known.feed_id
            window_start = now - timedelta(days=self.settings.unread_window_days)
        return self.store.add_subscription(
            user_id, feed_id, now=now, title=title, folder=folder, window_start=window_start
        )

    def subscriptions(self, user_id: int, *, counted: bool = True) -> list[Subscription]:
        """The person's subscriptions with their unread counts, by folder then title; without
        them (``unread`` 0) unless ``counted``, for the apps' lists that show none, at a
        fraction of the cost."""
        return self.store.subscriptions(user_id, counted=counted)

    def subscription(self, user_id: int, feed_id: int) -> Subscription:
        return self.store.subscription(user_id, feed_id)

    def edit_subscription(
        self,
        user_id: int,
        feed_id: int,
        *,
        title: str | EllipsisType | None = ...,
        folder: str | EllipsisType | None = ...,
        hide_from_all: bool | EllipsisType = ...,
        reader_view: bool | EllipsisType = ...,
    ) -> Subscription:
        """Change what is given (``...``: left as it is); an empty title or folder is none."""
        given: dict[str, Any] = {
            "title": title,
            "folder": folder,
            "hide_from_all": hide_from_all,
            "reader_view": reader_view,
        }
        return self.store.edit_subscription(
            user_id, feed_id, **{k: v for k, v in given.items() if v is not ...}
        )

    def unsubscribe(self, user_id: int, feed_id: int) -> Subscription:
        """Stop following a feed; the person's starred items of it stay starred."""
        return self.store.remove_subscription(user_id, feed_id)

    def folders(self, user_id: int) -> list[str]:
        return self.store.folders(user_id)

    def fold_duplicates(self, user_id: int, folder: str, fold: bool = True) -> None:
        """Show each story of the folder's feeds once (its copies read with it), or stop."""
        self.store.set_fold(user_id, folder, fold)
        for step in self._fold_steps or ():  # this process's updates see it at once
            step.expire()

    def fold_step(self, pipeline: Pipeline) -> FoldStep:
        """The step that reads a late copy of a story read in a folder that folds."""
        step = FoldStep(self.store, run=pipeline.db, read=pipeline.read, clock=self.clock)
        self._fold_steps = [*(self._fold_steps or ()), step][-4:]
        return step

    def folding(self, user_id: int) -> set[str]:
        """The person's folders that fold their duplicates."""
        return self.store.folding(user_id)

    def also_in(self, user_id: int, item_ids: Sequence[int]) -> dict[int, list[str]]:
        """For the items that have copies in their folder (one that folds), the other feeds
        that carried them."""
        return self.store.also_in(user_id, item_ids)

    # -- entries -------------------------------------------------------------------------------

    def unread_counts(self, user_id: int) -> UnreadCounts:
        return self.store.unread_counts(user_id)

    def entries(self, user_id: int, query: EntryQuery) -> list[Entry]:
        """One page of the person's entries (the next page: ``after`` = the last one's
        ``(sort_date or id, id)``, see ``entry_cursor``)."""
        return self.store.entries(user_id, query)

    def entry(self, user_id: int, item_id: int) -> Entry:
        found = self.store.entry(user_id, item_id)
        if found is None:
            raise NotFoundError(_("no item %(item_id)s in your feeds") % {"item_id": item_id})
        return found

    def set_read(self, user_id: int, item_ids: Sequence[int], read: bool = True) -> MarkResult:
        return self.store.set_read(user_id, item_ids, read, self.clock())

    def set_starred(
        self, user_id: int, item_ids: Sequence[int], starred: bool = True
    ) -> MarkResult:
        return self.store.set_starred(user_id, item_ids, starred, self.clock())

    def mark_read(
        self,
        user_id: int,
        *,
        feed_id: int | None = None,
        folder: str | None = None,
        up_to_id: int | None = None,
        before: datetime | None = None,
    ) -> MarkResult:
        """Mark read "up to" (an item id and/or a time first seen) in one feed, a folder, or
        everything (neither): an item that arrived meanwhile has a larger id and stays unread."""
        return self.store.mark_read(
            user_id,
            now=self.clock(),
            feed_id=feed_id,
            folder=folder,
            up_to_id=up_to_id,
            before=before,
        )

    def changes(
        self, user_id: int, since_seq: int
    ) -> tuple[list[Entry], list[tuple[int, int]], int]:
        """For sync clients: the entries whose state changed after ``since_seq``, the
        watermarks that moved (feed id, read_until), and the seq to ask from next time."""
        return self.store.changes(user_id, since_seq)

    # -- OPML ----------------------------------------------------------------------------------

    def import_subscriptions(self, user_id: int, opml: bytes) -> ImportReport:
        """Follow every feed of an OPML document, its folder from the outline it sits in; new
        feeds are fetched by the schedule."""
        document = parse_opml(opml)
        added: list[str] = []
        skipped = list(document.warnings)
        now = self.clock()
        window_start = now - timedelta(days=self.settings.unread_window_days)
        for entry in document.entries:
            url = canonical_url(entry.url)
            known = self.store.find_feed(url)
            feed_id = known.id if known else self.store.add_feed(url, now=now, on_site=False)
            try:
                self.store.add_subscription(
                    user_id,
                    feed_id,
                    now=now,
                    title=entry.title,
                    folder=entry.categories[0][:FOLDER_MAX] if entry.categories else None,
                    window_start=window_start if known else None,
                )
            except DuplicateError:
                skipped.append(f"already subscribed, skipped: {entry.url}")
                continue
            added.append(entry.url)
        return ImportReport(tuple(added), tuple(skipped))

    def export_subscriptions(self, user_id: int) -> bytes:
        """The person's subscriptions as OPML 2.0, one outline per folder."""
        found = self.store.reader(user_id)
        name = found[0].name if found else str(user_id)
        entries = [
            OPMLEntry(
                url=s.feed.url,
                title=s.title,
                site_url=s.feed.site_url,
                categories=(s.folder,) if s.folder else (),
            )
            for s in self.subscriptions(user_id)
        ]
        title = f"{self.settings.site_title}: {name}'s subscriptions"
        return write_opml(entries, title=title, now=self.clock())

    # -- private feeds and settings ------------------------------------------------------------

    def feed_token(self, user_id: int) -> str:
        """The token of the person's private feed URLs: ``<id>-<HMAC of id and version>``."""
        return self._token(user_id, self.store.token_version(user_id))

    def rotate_feed_token(self, user_id: int) -> str:
        """A new token; the old URLs stop working."""
        return self._token(user_id, self.store.bump_token_version(user_id))

    def user_for_feed_token(self, token: str) -> User | None:
        uid, _sep, _mac = token.partition("-")
        if not uid.isdigit() or len(uid) > 18:
            return None
        found = self.store.reader(int(uid))
        if found is None:
            return None
        user, version = found
        expected = self._token(user.id, version)
        return user if hmac.compare_digest(expected.encode(), token.encode()) else None

    def _token(self, user_id: int, version: int) -> str:
        if self._feed_key is None:
            self._feed_key = self.settings.with_secret().secret_key.encode()
        mac = hmac.new(self._feed_key, f"{user_id}:{version}".encode(), hashlib.sha256)
        return f"{user_id}-{mac.hexdigest()[:TOKEN_HEX]}"

    def set_unread_cap(self, feed_id: int, cap: int | None) -> Feed:
        """The admin's cap on a feed's unread items that retention keeps for people (None: no
        cap; 0: retention keeps nothing for being unread)."""
        if cap is not None and not 0 <= cap <= 1_000_000:
            raise TidingsError(_("an unread cap is 0 to 1,000,000 items, or none"))
        self.store.set_unread_cap(feed_id, cap)
        return self.store.get_feed(feed_id)

    def reading_settings(self, user_id: int) -> ReadingSettings:
        return self.store.reading_settings(user_id)

    def save_reading_settings(self, user_id: int, chosen: ReadingSettings) -> ReadingSettings:
        days = chosen.keep_unread_days
        if days is not None and not 1 <= days <= KEEP_UNREAD_MAX:
            raise TidingsError(
                _("keep unread items 1 to %(keep_unread_max)s days, or forever")
                % {"keep_unread_max": KEEP_UNREAD_MAX}
            )
        return self.store.save_reading_settings(user_id, chosen)
