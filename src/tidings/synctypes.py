"""What the apps' sync protocols ask of a person's reading: the records of ``syncing``, the
store's sync rooms and the APIs (apart from ``types`` so that each stays one concept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# -- sync: what the apps' protocols ask of a person's reading ---------------------------------

SYNC_MAX = 100_000  # ids in one answer at most


@dataclass(frozen=True, slots=True)
class IdQuery:
    """Which of a person's item ids a sync client asks for, ordered by id (the order they
    arrived in). Hidden subscriptions count: apps hide nothing. ``folder`` "" is the feeds
    without a folder; ``seen_*`` bound the time tidings first saw an item (the crawl time, the
    axis of the protocols' time filters); ``status`` "starred" includes starred items of feeds
    no longer followed."""

    status: str = "all"  # "all" | "unread" | "read" | "starred"
    starred: bool | None = None
    feed_ids: tuple[int, ...] | None = None
    folder: str | None = None
    exclude_feed_ids: tuple[int, ...] = ()
    exclude_folder: str | None = None
    seen_after: datetime | None = None  # first seen at or after
    seen_before: datetime | None = None  # first seen before
    after_id: int | None = None
    before_id: int | None = None
    newest_first: bool = True
    limit: int = 1000
    ids: tuple[int, ...] | None = None
    label: str | None = None  # items bearing this label (rules': the person's or the site's)


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key a person made for an app (its secret is shown once, then only its hash kept)."""

    id: int
    user_id: int
    description: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class Folder:
    """A person's folder with its stable id; ``name`` "" holds the feeds without a folder."""

    id: int
    name: str
    unread: int
    feed_count: int


@dataclass(frozen=True, slots=True)
class FeedStats:
    """A followed feed's items for one person: how many, how many unread, the newest first
    seen."""

    feed_id: int
    items: int
    unread: int
    newest_seen: datetime | None
