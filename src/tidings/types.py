"""Public records, named for their place in the pipeline.

``FetchResult`` (fetch) -> ``ParsedFeed`` / ``ParsedItem`` (parse) -> ``FeedState`` + ``UpdatePlan``
(update) -> ``Feed`` / ``Item`` / ``FetchRecord`` (store, what readers see) and ``UpdateResult``
(one per feed and run). All are frozen: a record is a fact about one moment, never a live object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import TypeVar

from tidings.storykeys import StoryKeys, story_keys

R = TypeVar("R")


def _pickled_by_position(cls: type[R]) -> type[R]:
    """Pickle as the class called with its fields in order: a slotted dataclass's own way looks
    up its fields for every object (a parsed item to a parsing process and back: 28 us, not 9)."""
    values = attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]
    cls.__reduce__ = lambda self: (cls, values(self))  # type: ignore[method-assign]
    return cls


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One answer of the guarded client, after redirects and decompression."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int  # 200 or 304 (other statuses raise HTTPStatusError)
    headers: Mapping[str, str]  # lower-cased names
    body: bytes  # b"" on 304
    elapsed: float  # seconds, whole request
    # each redirect hop as (status, absolute target URL), in order
    redirects: tuple[tuple[int, str], ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class ParsedItem:
    """An entry as the feed gives it: HTML fields sanitized, URLs absolute, dates in UTC."""

    guid: str | None = None
    title: str | None = None  # plain text
    link: str | None = None
    author: str | None = None  # plain text
    published: datetime | None = None
    updated: datetime | None = None
    summary_html: str | None = None
    content_html: str | None = None
    enclosures: tuple[Enclosure, ...] = ()
    categories: tuple[str, ...] = ()
    image: str | None = None
    # what search indexes (store/searchtext.py), worked out where it is parsed; None: by the store
    search_text: str | None = None
    # the keys of its story (storykeys), worked out where it is parsed; None: when asked
    story_keys: StoryKeys | None = None

    def keys(self) -> StoryKeys:
        """(link key, title key, content key): the parse's, else worked out now."""
        if self.story_keys is not None:
            return self.story_keys
        return story_keys(
            self.link, self.title, self.published, self.summary_html, self.content_html
        )


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole document: feed metadata and its items in document order."""

    version: str  # "rss20", "rss10", "atom10", "atom03", "json11" ...
    title: str | None = None
    link: str | None = None  # the site's home page
    description: str | None = None  # plain text (sanitized HTML stripped of tags)
    image: str | None = None
    language: str | None = None
    ttl_minutes: int | None = None  # RSS <ttl>
    skip_hours: frozenset[int] = frozenset()
    skip_days: frozenset[str] = frozenset()
    items: tuple[ParsedItem, ...] = ()
    # readable notes about what was odd but survivable (misdeclared encoding, bozo XML ...)
    warnings: tuple[str, ...] = ()
    # sy:updatePeriod / sy:updateFrequency as seconds between the publisher's updates
    update_period_seconds: int | None = None
    hubs: tuple[str, ...] = ()  # WebSub hubs the document declares (rel="hub", JSON "hubs")
    self_url: str | None = None  # its rel="self" link (JSON Feed's feed_url): a WebSub topic


@dataclass(frozen=True, slots=True)
class Category:
    id: int
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription as stored."""

    id: int
    url: str
    title: str | None
    site_url: str | None
    description: str | None
    image_url: str | None
    added_at: datetime
    last_checked: datetime | None
    last_success: datetime | None
    next_check: datetime | None
    error_count: int
    last_error: str | None
    disabled_reason: str | None
    refresh_seconds: int | None  # per-feed override of the default interval
    retention_days: int | None
    item_count: int = 0
    categories: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    error_since: datetime | None = None
    user_agent: str | None = None  # the feed's own User-Agent (None: the site's)
    on_site: bool = True  # in the site's collection (else only people who follow it see it)
    unread_cap: int | None = None  # the most unread items kept per feed by retention (None: all)
    full_articles: bool = False  # each new item's page fetched for its article

    @property
    def display_title(self) -> str:
        return self.title or self.site_url or self.url


@dataclass(frozen=True, slots=True)
class Item:
    """An entry as stored and shown."""

    id: int
    feed_id: int
    feed_title: str
    guid: str | None
    title: str | None
    link: str | None
    author: str | None
    published: datetime | None
    updated: datetime | None
    first_seen: datetime
    # the date the item is listed under: its own (future ones clamped), else first_seen
    sort_date: datetime
    summary_html: str | None
    content_html: str | None
    enclosures: tuple[Enclosure, ...] = ()
    categories: tuple[str, ...] = ()
    image: str | None = None
    # the article of the item's page (feeds.full_articles): read only where it is shown
    article_html: str | None = None
    article_status: str | None = None  # pending, fetching, done or failed (None: not asked)
    article_error: str | None = None  # why it failed


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """One line of a feed's fetch log."""

    feed_id: int
    at: datetime
    status: int | None
    duration_ms: int
    bytes: int
    new_items: int
    changed_items: int
    error: str | None


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """What one update did to one feed. A failure is a result, never an exception."""

    feed_id: int
    url: str
    new: int = 0
    changed: int = 0
    not_modified: bool = False
    error_kind: str | None = None
    error: str | None = None  # a readable reason
    permanent: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


# -- the update step: what is stored before, and what one update writes ------------------------


@dataclass(frozen=True, slots=True)
class StoredItem:
    identity: str
    content_hash: str
    first_seen: datetime
    sort_date: datetime
    # what finds this story under another guid (storykeys, update/duplicates.py)
    title: str | None = None
    published: datetime | None = None
    link_key: str | None = None
    title_key: str | None = None
    content_key: str | None = None


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store knows about a feed before this update."""

    feed_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    error_count: int = 0
    error_since: datetime | None = None
    refresh_seconds: int | None = None
    retention_days: int | None = None
    items: Mapping[str, StoredItem] = field(default_factory=dict)
    tombstones: frozenset[str] = frozenset()
    # the dates of the stored items, for the adaptive interval; None: those of ``items``. A
    # feed answering 304 needs only these, which an index gives without reading the items
    item_dates: tuple[datetime, ...] | None = None
    # items dated before all of ``item_dates`` and left out: the adaptive window needs no more
    older_items: int = 0
    # the publisher's hints from the last parse, so that they also apply after a 304:
    # the larger of RSS ttl and sy:updatePeriod, in minutes; skipHours (GMT) and skipDays
    ttl_minutes: int | None = None
    skip_hours: frozenset[int] = frozenset()
    skip_days: frozenset[str] = frozenset()
    # the permanent redirect seen on the last consecutive fetches, and how many of them
    redirect_url: str | None = None
    redirect_count: int = 0
    user_agent: str | None = None  # the feed's own User-Agent (None: the site's)
    pushed: bool = False  # a WebSub hub pushes it (an active lease): polled rarely


@dataclass(frozen=True, slots=True)
class ItemWrite:
    """An item to insert or update, with the identity and dates already decided."""

    identity: str
    content_hash: str
    item: ParsedItem
    first_seen: datetime
    sort_date: datetime
    previous: str | None = None  # the stored identity this one replaces (the same story)


@dataclass(frozen=True, slots=True)
class FeedMeta:
    title: str | None
    site_url: str | None
    description: str | None
    image_url: str | None
    websub_hub: str | None = None  # the hub that pushes it, and the topic to subscribe to
    websub_topic: str | None = None


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    """Everything one update writes for one feed, in one transaction."""

    feed_id: int
    checked_at: datetime
    next_check: datetime
    status: int | None = None
    duration_ms: int = 0
    bytes: int = 0
    not_modified: bool = False
    new: tuple[ItemWrite, ...] = ()
    changed: tuple[ItemWrite, ...] = ()
    unchanged: int = 0
    expired: tuple[str, ...] = ()  # identities to delete (if stored) and tombstone
    meta: FeedMeta | None = None
    # validators: written after the items; None on failure means "leave as they are"
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    error_kind: str | None = None
    error: str | None = None
    permanent: bool = False
    error_count: int = 0
    error_since: datetime | None = None
    disabled_reason: str | None = None
    # why next_check is what it is (the rule that chose the interval), for logs
    schedule_reason: str = ""
    # the publisher's hints to keep (written on success only)
    ttl_minutes: int | None = None
    skip_hours: frozenset[int] = frozenset()
    skip_days: frozenset[str] = frozenset()
    # permanent-redirect tracking; with adopt_redirect, redirect_url becomes the feed's URL
    redirect_url: str | None = None
    redirect_count: int = 0
    adopt_redirect: bool = False
    # written on success: a note for the feed's health that is not a failure (None clears it),
    # e.g. a permanent redirect that is not adopted because it would drop https
    notice: str | None = None
    # pushed by a WebSub hub, not fetched: only the items are written, never the feed's row
    pushed: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """A feed that is failing or disabled: what the health report and the admin page show."""

    feed_id: int
    url: str
    title: str  # the display title
    state: str  # "disabled", "failing", or "notice" (it works, but something needs a look)
    reason: str  # the disabled reason, else the last error, else the notice
    error_kind: str | None
    since: datetime | None  # the first failure of the current run of failures
    error_count: int
    next_check: datetime | None  # None when disabled: it is not tried until enabled again
    last_checked: datetime | None
    last_success: datetime | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: the item, with its title and a snippet where the matches are marked.

    Both HTML fields are escaped text with ``<mark>`` elements only, safe to render as they are.
    """

    item: Item
    title_html: str  # "" when the item has no title
    snippet_html: str  # "" when the item has no text besides its title


# -- accounts and worker mode -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str = "admin"  # "admin" (the site and its people) or "reader" (their own reading)
    language: str | None = None  # their own language, else the browser's or the site's

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class Account:
    """A user as ``tidings user list`` shows them: since when, and how many sessions are open."""

    user: User
    created_at: datetime
    sessions: int  # signed-in browsers whose session has not ended nor expired


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser: who, the token its forms must carry, and until when."""

    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Lease:
    """A worker's claim on one feed: its result is written only while ``token`` is current."""

    feed_id: int
    token: str
    host: str


# -- reading: one person's subscriptions and the state of their items ------------------------


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: tuple[str, ...]
    skipped: tuple[str, ...]  # readable warnings, one per outline skipped


@dataclass(frozen=True, slots=True)
class Subscription:
    """A person's subscription to a feed, with how many of its items are unread for them
    (``feed.item_count`` is not counted here: 0)."""

    id: int
    user_id: int
    feed: Feed
    title: str  # the person's title, else the feed's
    folder: str | None
    hide_from_all: bool  # left out of "all items" (shown under its feed or folder)
    reader_view: bool
    created_at: datetime
    unread: int


@dataclass(frozen=True, slots=True)
class Entry:
    """An item as one person sees it: under their title for its feed, read or not, starred or
    not."""

    item: Item
    subscription_id: int  # 0 for a starred item of a feed the person no longer follows
    title: str  # the subscription's title (the source's name for this person)
    folder: str | None
    read: bool
    starred: bool
    read_at: datetime | None
    starred_at: datetime | None
    labels: tuple[str, ...] = ()  # put on by rules: the person's and the site's (sync APIs)


@dataclass(frozen=True, slots=True)
class UnreadCounts:
    total: int  # unread in "all items" (hidden subscriptions left out)
    starred: int
    by_feed: dict[int, int]
    by_folder: dict[str, int]


@dataclass(frozen=True, slots=True)
class EntryQuery:
    """Which of a person's entries, in which order, one page at a time (keyset paging:
    ``after`` is the (sort key, id) of the previous page's last entry)."""

    status: str = "unread"  # "unread" | "read" | "all" | "starred"
    feed_id: int | None = None
    folder: str | None = None
    order: str = "published"  # "published" (sort_date) | "received" (item id)
    direction: str = "desc"  # "desc" | "asc"
    limit: int = 50
    after: tuple[datetime | int, int] | None = None
    search: str | None = None
    ids: tuple[int, ...] | None = None
    include_hidden: bool = False
    fold: bool = False  # a folder's stories once each, if it folds them (store/firstcopy.py)
    label: str | None = None  # only items bearing it (the person's label or the site's)


@dataclass(frozen=True, slots=True)
class MarkResult:
    marked: int  # entries whose state changed (or, moving a watermark, items it newly covers)
    seq: int  # the person's change counter after the call


@dataclass(frozen=True, slots=True)
class ReadingSettings:
    keep_unread_days: int | None = None  # None: unread items are kept forever
    mark_read_on_scroll: bool = False
    language: str | None = None  # None: the browser's choice, else the site's
