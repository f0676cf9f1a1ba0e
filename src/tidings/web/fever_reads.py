"""Fever's read selectors: groups, feeds, favicons, items and the unread and saved id lists.

Each function returns members of one answer for one person, read through the facade. Fever
clients are strict about types (research notes 2.2, 2.7): ids, booleans and times are JSON
integers, the id lists are comma-separated strings (``""`` when empty), no list is ever
``null``, and every feed sits in exactly one group, so that Read You can dereference it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.synctypes import SYNC_MAX, Folder, IdQuery
from tidings.types import Entry, Subscription

PAGE = 50  # Fever's fixed page of items
NO_BOUND = 2**53  # a max_id at or above it has no upper bound (Fluent Reader sends 2^53 - 1)
ID_MAX = 2**63 - 1  # the largest id a database column holds
DIGITS_MAX = 30  # a longer number is refused before it is parsed
UNCATEGORIZED = "Uncategorized"  # the title of the group of the feeds in no folder

Params = Mapping[str, str]
Json = dict[str, Any]


class FeverValueError(ValueError):
    """A parameter that is not what Fever says it is; its message is the answer's ``error``."""


def whole(name: str, raw: str) -> int:
    """``raw`` as a whole number (a sign allowed), or FeverValueError naming ``name``."""
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > DIGITS_MAX:
        raise FeverValueError(
            _("%(name)s must be a whole number, not %(value)r") % {"name": name, "value": raw[:40]}
        )
    return int(text)


def optional(params: Params, name: str) -> int | None:
    """A whole-number parameter; absent or empty (Read You's first ``since_id=``) is None."""
    raw = params.get(name, "")
    return whole(name, raw) if raw.strip() else None


@dataclass
class Person:
    """The person an answer is for, with what several parts of one answer read (read once)."""

    agg: Aggregator
    user_id: int

    @cached_property
    def subs(self) -> list[Subscription]:
        return self.agg.subscriptions(self.user_id, counted=False)

    @cached_property
    def folders(self) -> list[Folder]:
        return self.agg.sync_folders(self.user_id)

    @cached_property
    def totals(self) -> tuple[int, datetime | None]:
        """How many items the person's feeds hold, and their newest successful fetch."""
        return self.agg.sync_totals(self.user_id)


def seconds(when: datetime | None) -> int:
    """Unix seconds as Fever sends times; 0 for never."""
    return int(when.timestamp()) if when is not None else 0


def last_refreshed(person: Person) -> int:
    """The newest last successful fetch of the person's feeds (0 if none was ever fetched)."""
    return seconds(person.totals[1])


# -- groups and feeds ----------------------------------------------------------------------------


def feeds_groups(folders: list[Folder], subs: list[Subscription]) -> list[Json]:
    """Each group with its feed ids as a comma-separated string; a feed in no folder (or in a
    folder made since ``folders`` was read) goes to the group of the feeds in no folder."""
    by_name = {f.name: f.id for f in folders}
    loose = by_name.get("")
    members: dict[int, list[int]] = {f.id: [] for f in folders}
    for sub in subs:
        group = by_name.get(sub.folder or "", loose)
        if group is not None:
            members[group].append(sub.feed.id)
    return [
        {"group_id": group, "feed_ids": ",".join(str(i) for i in sorted(ids))}
        for group, ids in members.items()
        if ids  # a group without feeds has no entry: an empty feed_ids is no list of ids
    ]


def groups(person: Person) -> Json:
    return {
        "groups": [{"id": f.id, "title": f.name or UNCATEGORIZED} for f in person.folders],
        "feeds_groups": feeds_groups(person.folders, person.subs),
    }


def feeds(person: Person) -> Json:
    """The person's feeds; tidings keeps no feed's icon image (only its address), so no feed
    names a favicon (``favicon_id`` 0, never an id missing from ``favicons``)."""
    return {
        "feeds": [
            {
                "id": s.feed.id,
                "favicon_id": 0,
                "title": s.title,
                "url": s.feed.url,
                "site_url": s.feed.site_url or "",
                "is_spark": 0,
                "last_updated_on_time": seconds(s.feed.last_success),
            }
            for s in person.subs
        ],
        "feeds_groups": feeds_groups(person.folders, person.subs),
    }


# -- items ---------------------------------------------------------------------------------------


def item_json(entry: Entry) -> Json:
    item = entry.item
    return {
        "id": item.id,
        "feed_id": item.feed_id,
        "title": item.title or "",
        "author": item.author or "",
        # the page's article when the feed has full articles
        "html": item.article_html or item.content_html or item.summary_html or "",
        "url": item.link or "",
        "is_saved": int(entry.starred),
        "is_read": int(entry.read),
        "created_on_time": seconds(item.sort_date),  # published, future dates clamped
    }


def with_ids(raw: str) -> tuple[int, ...]:
    """The ids of ``with_ids=a,b,c``: blank members skipped, at most one page of them."""
    ids = [whole("with_ids", part) for part in raw.split(",") if part.strip()]
    return tuple(dict.fromkeys(i for i in ids if 0 < i <= ID_MAX))[:PAGE]


def page_query(params: Params) -> IdQuery:
    """The page ``since_id`` (ascending after it; empty: from the first), ``max_id``
    (descending below it; empty, 0, or 2^53 and more: from the newest) or neither (ascending
    from the first) asks for."""
    since = optional(params, "since_id")
    if since is not None:
        return IdQuery(after_id=min(max(since, 0), ID_MAX), newest_first=False, limit=PAGE)
    if "max_id" in params:
        below = optional(params, "max_id")
        bound = below if below is not None and 0 < below < NO_BOUND else None
        return IdQuery(before_id=bound, newest_first=True, limit=PAGE)
    return IdQuery(newest_first=False, limit=PAGE)


def items(person: Person, params: Params) -> Json:
    """One page of items (``with_ids`` first, then ``since_id``, then ``max_id``) and how many
    items the person has in all."""
    raw_ids = params.get("with_ids", "")
    if raw_ids.strip():
        ids: list[int] = list(with_ids(raw_ids))
        ascending = False
    else:
        query = page_query(params)
        ids = person.agg.item_ids(person.user_id, query)
        ascending = not query.newest_first
    entries = sorted(
        person.agg.entries_by_ids(person.user_id, ids),
        key=lambda e: e.item.id,
        reverse=not ascending,
    )
    return {"items": [item_json(e) for e in entries], "total_items": person.totals[0]}


# -- the id lists --------------------------------------------------------------------------------


def id_list(person: Person, status: str) -> str:
    """Every id of the person's unread (or starred) items, ascending, comma-separated."""
    query = IdQuery(status=status, newest_first=False, limit=SYNC_MAX)
    return ",".join(str(i) for i in person.agg.item_ids(person.user_id, query))


def unread_item_ids(person: Person) -> Json:
    return {"unread_item_ids": id_list(person, "unread")}


def saved_item_ids(person: Person) -> Json:
    return {"saved_item_ids": id_list(person, "starred")}
