"""Which of a person's entries a Miniflux-style listing asks for, and in which order.

Miniflux's ``/v1/entries`` filters on more than the reading pages do (several statuses at once,
published and changed times, id bounds, an offset, nine orders) and answers with the number of
matches beside the page; ``EntryFilter`` says all of it, and ``Listing`` (the facade) answers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# the orders of Miniflux's validator, each with the entry id as the tie-break
ORDERS = (
    "id",
    "status",
    "changed_at",
    "published_at",
    "created_at",
    "category_title",
    "category_id",
    "title",
    "author",
)
STATUSES = ("unread", "read", "removed")  # no entry of tidings is ever "removed"
DIRECTIONS = ("asc", "desc")
LIST_MAX = 1_000  # entries in one page (Miniflux's MaxEntryLimit)
IDS_MAX = 10_000  # ids in one page (Miniflux's MaxEntryIDsLimit)


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """A listing's filters (None: not filtered on) and its page. ``folder`` is a folder's name,
    ``""`` for the feeds without one. The changed time of an entry is when its read or starred
    state last changed (``read_at``/``starred_at``), else when it arrived."""

    statuses: tuple[str, ...] = ()  # any of STATUSES; none: every status
    starred: bool | None = None
    feed_id: int | None = None
    folder: str | None = None
    published_after: datetime | None = None  # published_at > this
    published_before: datetime | None = None  # published_at < this
    changed_after: datetime | None = None
    changed_before: datetime | None = None
    after_id: int | None = None  # id > this
    before_id: int | None = None  # id < this
    search: str | None = None
    ids: tuple[int, ...] | None = None
    visible_only: bool = False  # leave out the subscriptions hidden from "all items"
    order: str = "published_at"
    direction: str = "asc"
    offset: int = 0
    limit: int = 100


def changed_at(
    read_at: datetime | None, starred_at: datetime | None, first_seen: datetime
) -> datetime:
    """An entry's changed time, as ``EntryFilter`` filters and orders on it."""
    marks = [t for t in (read_at, starred_at) if t is not None]
    return max(marks) if marks else first_seen
