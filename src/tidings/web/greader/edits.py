"""Changing state: ``edit-tag`` (read, unread, starred for given items) and
``mark-all-as-read`` (a whole stream, up to a time).

``edit-tag`` takes ids in any spelling and skips one that names nothing rather than failing the
batch; it ignores the tags tidings does not keep (``tracking-*``, ``broadcast``, ``like``,
labels on items, which are folders here) and the junk some apps add (``s`` per item, ``async``,
``ac``). Writes are applied before ``OK`` is answered, so a sync right after sees them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.synctypes import SYNC_MAX, IdQuery
from tidings.web.context import agg_of, run
from tidings.web.greader.common import call_of
from tidings.web.greader.ids import Stream, item_ids, parse_stream
from tidings.web.greader.lookups import Lookups
from tidings.web.greader.params import moment, stream_param, text
from tidings.web.greader.replies import bad_request, ok

MARK_ROUNDS = 100  # at most this many SYNC_MAX batches of starred items marked read at once


def _states(values: list[str]) -> set[str]:
    """The states named among ``values`` (labels and unknown tags dropped)."""
    found = set()
    for value in values:
        stream = parse_stream(value)
        if stream is not None and stream.kind == "state":
            found.add(stream.name)
    return found


def read_change(add: set[str], remove: set[str]) -> bool | None:
    """Read (True), unread (False) or neither: Newsboat marks read with ``a=read`` and
    ``r=kept-unread``, unread with ``r=read`` and ``a=kept-unread``."""
    if "read" in add:
        return True
    if "read" in remove or "kept-unread" in add:
        return False
    return None


def star_change(add: set[str], remove: set[str]) -> bool | None:
    if "starred" in add:
        return True
    if "starred" in remove:
        return False
    return None


async def edit_tag(request: Request) -> Response:
    """Mark the items ``i`` read or unread, starred or not, as ``a`` and ``r`` say."""
    who, params = await call_of(request)
    raw = params.getlist("i")
    if not any(v.strip() for v in raw):
        raise bad_request(_("i must name at least one item"))
    add, remove = _states(params.getlist("a")), _states(params.getlist("r"))
    read, star = read_change(add, remove), star_change(add, remove)
    ids = item_ids(raw)
    if ids and (read is not None or star is not None):
        await run(Aggregator.set_state, request, who.user.id, ids, read=read, starred=star)
    return ok()


def _mark_all(agg: Aggregator, user_id: int, stream: Stream, last: datetime) -> None:
    """Mark read what ``stream`` holds that was first seen at or before ``last``; an unknown
    stream is a 400 (an ``OK`` that changed nothing would mislead the app)."""
    before = last
    if stream.kind == "feed":
        feed_id = Lookups(agg, user_id).feed_id(stream)
        if feed_id is None:
            named = stream.name or stream.feed_id
            raise bad_request(_("not subscribed to %(feed)s") % {"feed": named})
        agg.mark_read(user_id, feed_id=feed_id, before=before)
    elif stream.kind == "label":
        if not any(f.name == stream.name for f in agg.sync_folders(user_id) if f.name):
            raise bad_request(_("no folder named %(name)r") % {"name": stream.name})
        agg.mark_read(user_id, folder=stream.name, before=before)
    elif stream.name in ("reading-list", "kept-unread"):
        agg.mark_read(user_id, before=before)
    elif stream.name == "starred":
        after_last = last + timedelta(microseconds=1)
        query = IdQuery(status="unread", starred=True, seen_before=after_last, limit=SYNC_MAX)
        for _round in range(MARK_ROUNDS):
            ids = agg.item_ids(user_id, query)
            if not ids:
                break
            agg.set_read(user_id, ids, True)
    elif stream.name != "read":
        raise bad_request(_("cannot mark %(stream)r read") % {"stream": stream.name})


async def mark_all_as_read(request: Request) -> Response:
    """Mark everything in ``s`` read that arrived up to ``ts`` (s, ms, µs or ns; none: now)."""
    who, params = await call_of(request)
    stream = stream_param(params)
    if stream is None:
        raise bad_request(_("s must name the stream to mark read"))
    ts = text(params, "ts")
    if ts is None:
        last = agg_of(request).clock()
    else:  # the last microsecond of that second, ms or µs
        last = moment(ts, "ts", end=True) - timedelta(microseconds=1)
    await run(_mark_all, request, who.user.id, stream, last)
    return ok()
