"""The query string of an entries listing, read as Miniflux reads it, into an ``EntryFilter``.

Times are Unix seconds (0: not given, as Miniflux takes it); ``before``/``after`` are the older
names of ``published_before``/``published_after``. Anything malformed is a ``BadParameter``
that names the parameter (Miniflux would quietly take the default; a 400 says what was wrong).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import QueryParams

from tidings.entryfilter import DIRECTIONS, IDS_MAX, LIST_MAX, ORDERS, STATUSES, EntryFilter
from tidings.i18n import gettext as _

ID_MAX = 2**53 - 1  # ids are JSON integers that every client reads exactly
TIME_MAX = 253_402_300_799  # 9999-12-31T23:59:59Z
OFFSET_MAX = 10_000_000
TRUE = ("1", "t", "T", "TRUE", "true", "True")  # Go's strconv.ParseBool, as Miniflux reads
FALSE = ("0", "f", "F", "FALSE", "false", "False")


class BadParameter(ValueError):
    """A query parameter no listing can mean; the message says which and why."""


def whole(params: QueryParams, name: str, default: int, most: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 20:
        raise BadParameter(
            _("%(name)s must be a whole number, not %(value)r") % {"name": name, "value": raw[:40]}
        )
    value = int(text)
    if not 0 <= value <= most:
        raise BadParameter(
            _("%(name)s must be from 0 to %(most)d, not %(value)d")
            % {"name": name, "most": most, "value": value}
        )
    return value


def flag(params: QueryParams, name: str) -> bool | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw in TRUE or raw in FALSE:
        return raw in TRUE
    raise BadParameter(
        _("%(name)s must be true or false, not %(value)r") % {"name": name, "value": raw[:40]}
    )


def moment(params: QueryParams, name: str) -> datetime | None:
    seconds = whole(params, name, 0, TIME_MAX)
    return datetime.fromtimestamp(seconds, UTC) if seconds else None


def entry_filter(params: QueryParams, *, ids: bool = False) -> EntryFilter:
    """The filter of ``GET /v1/entries`` (and of a feed's or category's entries); ``ids``: of
    ``GET /v1/entries/ids`` (newest id first, up to 10,000 a page by default)."""
    statuses = tuple(s for s in params.getlist("status") if s != "")
    for status in statuses:
        if status not in STATUSES:
            raise BadParameter(
                _("status must be one of %(values)s, not %(value)r")
                % {"values": ", ".join(STATUSES), "value": status[:40]}
            )
    order = params.get("order") or ("id" if ids else "published_at")
    if order not in ORDERS:
        raise BadParameter(
            _("order must be one of %(values)s, not %(value)r")
            % {"values": ", ".join(ORDERS), "value": order[:40]}
        )
    direction = (params.get("direction") or ("desc" if ids else "asc")).lower()
    if direction not in DIRECTIONS:
        raise BadParameter(
            _("direction must be asc or desc, not %(value)r") % {"value": direction[:40]}
        )
    most = IDS_MAX if ids else LIST_MAX
    published_after = moment(params, "published_after") or moment(params, "after")
    published_before = moment(params, "published_before") or moment(params, "before")
    return EntryFilter(
        statuses=statuses,
        starred=flag(params, "starred"),
        published_after=published_after,
        published_before=published_before,
        changed_after=moment(params, "changed_after"),
        changed_before=moment(params, "changed_before"),
        after_id=whole(params, "after_entry_id", 0, ID_MAX) or None,
        before_id=whole(params, "before_entry_id", 0, ID_MAX) or None,
        search=(params.get("search") or "").strip()[:500] or None,
        visible_only=flag(params, "globally_visible") is True,
        order=order,
        direction=direction,
        offset=whole(params, "offset", 0, OFFSET_MAX),
        limit=whole(params, "limit", 100 if not ids else IDS_MAX, 2**31) or most,
    )


def scoped(f: EntryFilter, *, feed_id: int | None, folder: str | None) -> EntryFilter:
    return replace(f, feed_id=feed_id, folder=folder)


# -- the parameters, as the OpenAPI document gives them ----------------------------------------


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


UNIX = {"type": "integer", "minimum": 0, "maximum": TIME_MAX}
ENTRY_ID = {"type": "integer", "minimum": 0, "maximum": ID_MAX}
BOOL = {"type": "string", "enum": ["true", "false"]}
STATUS_PARAM: dict[str, Any] = {
    "name": "status",
    "in": "query",
    "required": False,
    "description": "read, unread or removed (none is ever removed); repeat for several",
    "schema": {"type": "array", "items": {"type": "string", "enum": list(STATUSES)}},
    "style": "form",
    "explode": True,
}
SCOPE_PARAMS = (
    _query("feed_id", {"type": "integer", "minimum": 1, "maximum": ID_MAX}, "one feed"),
    _query("category_id", {"type": "integer", "minimum": 1, "maximum": ID_MAX}, "one category"),
)
LIST_PARAMS: tuple[dict[str, Any], ...] = (
    STATUS_PARAM,
    _query("offset", {"type": "integer", "minimum": 0, "maximum": OFFSET_MAX}, "entries skipped"),
    _query(
        "limit",
        {"type": "integer", "minimum": 0, "maximum": 2**31},
        f"entries in the page: 100 by default, at most {LIST_MAX} (0: the most)",
    ),
    _query(
        "order",
        {"type": "string", "enum": list(ORDERS)},
        "published_at by default; the entry id breaks ties",
    ),
    _query("direction", {"type": "string", "enum": list(DIRECTIONS)}, "asc by default"),
    _query("before", UNIX, "published before this Unix time"),
    _query("after", UNIX, "published after this Unix time"),
    _query("published_before", UNIX, "published before this Unix time"),
    _query("published_after", UNIX, "published after this Unix time"),
    _query("changed_before", UNIX, "read or starred state changed before this Unix time"),
    _query("changed_after", UNIX, "read or starred state changed after this Unix time"),
    _query(
        "before_entry_id",
        ENTRY_ID,
        "ids below this one: with order=id, a cursor that entries arriving or changing state "
        "between two pages cannot disturb",
    ),
    _query(
        "after_entry_id",
        ENTRY_ID,
        "ids above this one: page with order=id&direction=asc&after_entry_id=<the last id "
        "seen>; nothing is skipped or seen twice, whatever changes between pages",
    ),
    _query("starred", BOOL, "only starred (true) or only not starred (false) entries"),
    _query("search", {"type": "string", "maxLength": 500}, "words in the title or text"),
    _query("globally_visible", BOOL, "true: leave out the feeds hidden from all entries"),
)
IDS_PARAMS = LIST_PARAMS  # the same filters; the order is id, newest first, by default
