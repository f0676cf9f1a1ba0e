"""Reading streams: ``stream/contents``, ``stream/items/ids``, ``stream/items/contents`` and
``unread-count``.

``stream/contents`` takes its stream from the path (percent-encoded or not), from ``s=``, or
from nothing at all (the reading list: Fluent Reader, FeedMe and EasyRSS send none). Answers are
JSON whatever ``output`` says (News+ and Newsboat leave it out and expect JSON).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.synctypes import SYNC_MAX
from tidings.types import Entry
from tidings.web.context import agg_of, run
from tidings.web.greader.common import call_of
from tidings.web.greader.ids import (
    READING_LIST,
    Stream,
    feed_stream,
    item_ids,
    label_stream,
    parse_stream,
    short_item_id,
    stream_id,
)
from tidings.web.greader.items import stream_json, usec
from tidings.web.greader.lookups import Lookups, entries_in_order, page_ids, stream_page
from tidings.web.greader.params import page, stream_param
from tidings.web.greader.replies import bad_request, json_reply

CONTENTS_MAX = 1000  # items per stream/contents page
IDS_MAX = SYNC_MAX  # ids per stream/items/ids page
ITEMS_MAX = 10_000  # ids per stream/items/contents call
EVERYTHING = Stream("state", "reading-list")
PATH_MARK = "/stream/contents/"


def path_stream(request: Request, after: str = PATH_MARK) -> Stream | None:
    """The stream named in the path after ``after``, decoded once from the raw path (so a
    feed URL's own ``%2F`` or ``?`` survive), or None when the path names none."""
    raw = request.scope.get("raw_path")
    path = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else request.url.path
    _before, mark, rest = path.partition(after)
    rest = unquote(rest) if mark else ""
    if not rest.strip("/"):
        return None
    stream = parse_stream(rest)
    if stream is None:
        raise bad_request(_("no such stream: %(stream)r") % {"stream": rest})
    return stream


async def stream_contents(request: Request) -> Response:
    """A page of a stream's items, newest first (``r=o``: oldest first)."""
    who, params = await call_of(request)
    stream = path_stream(request) or stream_param(params, EVERYTHING) or EVERYTHING
    wanted = page(params, CONTENTS_MAX)
    entries, more, lookups = await run(stream_page, request, who.user.id, stream, wanted)
    return json_reply(
        stream_json(
            stream_id(stream),
            lookups.title(stream),
            entries,
            lookups.site_urls(),
            now=agg_of(request).clock(),
            author=who.user.name,
            self_url=str(request.url),
            continuation=more,
        )
    )


async def item_ids_of_stream(request: Request) -> Response:
    """A page of a stream's item ids, as decimal strings."""
    who, params = await call_of(request)
    stream = stream_param(params, EVERYTHING) or EVERYTHING
    wanted = page(params, IDS_MAX)
    ids, more = await run(page_ids, request, who.user.id, stream, wanted)
    found: dict[str, Any] = {"itemRefs": [{"id": short_item_id(i)} for i in ids]}
    if more is not None:
        found["continuation"] = str(more)
    return json_reply(found)


def _contents(agg: Aggregator, user_id: int, ids: list[int]) -> tuple[list[Entry], Lookups]:
    lookups = Lookups(agg, user_id)
    return entries_in_order(agg, user_id, ids), lookups


async def items_contents(request: Request) -> Response:
    """The items of the ids in ``i`` (any spelling; ones that name nothing are left out)."""
    who, params = await call_of(request)
    raw = params.getlist("i")
    if len(raw) > ITEMS_MAX:
        raise bad_request(
            _("at most %(most)d ids in one call, not %(count)d")
            % {"most": ITEMS_MAX, "count": len(raw)}
        )
    ids = sorted(item_ids(raw), reverse=True)
    entries, lookups = await run(_contents, request, who.user.id, ids)
    return json_reply(
        stream_json(
            READING_LIST,
            _("Reading list"),
            entries,
            lookups.site_urls(),
            now=agg_of(request).clock(),
            author=who.user.name,
            self_url=str(request.url),
        )
    )


def _unread_counts(agg: Aggregator, user_id: int) -> dict[str, Any]:
    stats = agg.feed_stats(user_id)
    rows: list[dict[str, Any]] = []
    folders: dict[str, list[int]] = {}
    for sub in agg.subscriptions(user_id, counted=False):
        if sub.folder:
            folders.setdefault(sub.folder, []).append(sub.feed.id)

    def row(stream: str, feed_ids: list[int]) -> dict[str, Any]:
        newest = [s.newest_seen for f in feed_ids if (s := stats.get(f)) and s.newest_seen]
        return {
            "id": stream,
            "count": sum(stats[f].unread for f in feed_ids if f in stats),
            "newestItemTimestampUsec": str(usec(max(newest))) if newest else "0",
        }

    for feed_id in sorted(stats):
        rows.append(row(feed_stream(feed_id), [feed_id]))
    for name in sorted(folders):
        rows.append(row(label_stream(name), folders[name]))
    rows.append(row(READING_LIST, list(stats)))
    return {"max": SYNC_MAX, "unreadcounts": rows}


async def unread_count(request: Request) -> Response:
    """Unread counts per feed, per folder (as labels) and of the reading list."""
    who, _ = await call_of(request)
    return json_reply(await run(_unread_counts, request, who.user.id))
