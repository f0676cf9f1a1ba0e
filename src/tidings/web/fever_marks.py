"""Fever's writes: an item read, unread, saved or unsaved; a feed or a group read before a time.

Every mark is absolute and idempotent (saving twice leaves the item saved, unlike Miniflux's
toggle), and ``before`` is on the crawl-time axis: an item tidings first saw at or after it stays
unread, so a client never marks read what it has not shown yet. The answer echoes the list the
mark changed (``unread_item_ids`` or ``saved_item_ids``), as the Fever text asks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tidings.i18n import gettext as _
from tidings.synctypes import SYNC_MAX, IdQuery
from tidings.web.fever_reads import (
    ID_MAX,
    FeverValueError,
    Json,
    Params,
    Person,
    optional,
    saved_item_ids,
    unread_item_ids,
    whole,
)

LATEST = 253_402_300_799  # 9999-12-31T23:59:59Z: a later ``before`` (Read You sends
# Long.MAX_VALUE / 1000 for "everything") means no bound at all
KINDLING = 0  # the group of every feed
SPARKS = -1  # the group of the feeds marked as sparks: tidings has none

# as=... -> (read, saved): what the mark sets (None: left as it is)
ITEM_STATES: dict[str, tuple[bool | None, bool | None]] = {
    "read": (True, None),
    "unread": (False, None),
    "saved": (None, True),
    "unsaved": (None, False),
}


def before_of(params: Params) -> datetime | None:
    """``before`` as a time (None: no bound, when absent or past any date a clock shows)."""
    raw = optional(params, "before")
    if raw is None or raw >= LATEST:
        return None
    return datetime.fromtimestamp(max(raw, 0), UTC)


def mark(person: Person, params: Params) -> Json:
    """Apply ``mark=item|feed|group as=... id=N [before=T]``; the changed id list."""
    what = params.get("mark", "").strip()
    state = params.get("as", "").strip()
    target = whole("id", params.get("id", ""))
    if what == "item":
        return mark_item(person, target, state)
    if what not in ("feed", "group"):
        raise FeverValueError(
            _("mark must be item, feed or group, not %(value)r") % {"value": what[:40]}
        )
    if state not in ("read", "unread"):
        if what == "feed":
            message = _("a feed is marked as read or unread, not %(value)r")
        else:
            message = _("a group is marked as read or unread, not %(value)r")
        raise FeverValueError(message % {"value": state[:40]})
    if what == "feed" and target not in {s.feed.id for s in person.subs}:
        raise FeverValueError(_("no feed %(id)d in your feeds") % {"id": target})
    feed_id = target if what == "feed" else None
    folder: str | None = None
    if what == "group" and target not in (KINDLING, SPARKS):
        folder = person.agg.folder_by_id(person.user_id, target).name  # NotFoundError
    if what == "group" and target == SPARKS:
        return unread_item_ids(person)  # no feed is a spark: nothing to mark
    before = before_of(params)
    if state == "read":
        # the facade marks what was first seen at or before its bound: a microsecond less
        # leaves what arrived at ``before`` itself unread
        bound = before - timedelta(microseconds=1) if before is not None else None
        person.agg.mark_read(person.user_id, feed_id=feed_id, folder=folder, before=bound)
    else:
        mark_unread(person, feed_id, folder, before)
    return unread_item_ids(person)


def mark_unread(
    person: Person, feed_id: int | None, folder: str | None, before: datetime | None
) -> None:
    """Read You's "mark unread" of a feed or group: its read items first seen before then."""
    query = IdQuery(
        status="read",
        feed_ids=(feed_id,) if feed_id is not None else None,
        folder=folder,
        seen_before=before,
        limit=SYNC_MAX,
    )
    ids = person.agg.item_ids(person.user_id, query)
    if ids:
        person.agg.set_read(person.user_id, ids, False)


def mark_item(person: Person, item_id: int, state: str) -> Json:
    if state not in ITEM_STATES:
        raise FeverValueError(
            _("an item is marked as read, unread, saved or unsaved, not %(value)r")
            % {"value": state[:40]}
        )
    if not 0 < item_id <= ID_MAX:
        raise FeverValueError(_("no item %(id)d") % {"id": item_id})
    read, saved = ITEM_STATES[state]
    if read is not None:
        person.agg.set_read(person.user_id, [item_id], read)
        return unread_item_ids(person)
    person.agg.set_starred(person.user_id, [item_id], bool(saved))
    return saved_item_ids(person)
