"""The query parameters of GReader's reading calls: ``n``, ``r``, ``c``, ``ot``, ``nt``, ``xt``,
``it``, ``s`` and ``ts``, read as liberally as clients send them.

Times are read by their magnitude (seconds, milliseconds, ``<ms>999``, microseconds,
nanoseconds all occur), continuations are item ids (keyset: a page never skips nor repeats an
item when others arrive or change state meanwhile), and a bad value is a 400 that says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tidings.i18n import gettext as _
from tidings.web.api_common import Params  # query and body merged, repeated keys kept
from tidings.web.greader.ids import ITEM_ID_MAX, Stream, parse_stream
from tidings.web.greader.replies import bad_request

DEFAULT_N = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# the bounds of seconds, milliseconds, microseconds and nanoseconds since 1970 (10^11 seconds
# is the year 5138; a later time is taken to be in a finer unit)
UNITS = ((10**11, 1_000_000), (10**14, 1_000), (10**17, 1), (10**20, 0))


@dataclass(frozen=True, slots=True)
class Page:
    """Which page of a stream: its size, order, where it continues from, the crawl-time
    bounds and the streams excluded (``xt``) and required (``it``)."""

    n: int = DEFAULT_N
    newest_first: bool = True
    continuation: int | None = None  # the last item id of the previous page
    seen_after: datetime | None = None  # ot: first seen at or after
    seen_before: datetime | None = None  # nt: first seen before the end of that second
    exclude: tuple[Stream, ...] = ()
    include: tuple[Stream, ...] = ()


def text(params: Params, key: str) -> str | None:
    """A parameter's value stripped; empty counts as absent (Read You sends ``since_id=``)."""
    value = params.get(key)
    if value is None:
        return None
    value = value.strip()
    return value or None


def count(params: Params, key: str, default: int, cap: int) -> int:
    value = text(params, key)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or len(value) > 12 or int(value) < 1:
        raise bad_request(
            _("%(key)s must be a whole number of at least 1, not %(value)r")
            % {"key": key, "value": value}
        )
    return min(int(value), cap)


def moment(value: str, key: str, *, end: bool = False) -> datetime:
    """A time given in seconds, ms, ``<ms>999``, µs or ns since 1970, told by its size; with
    ``end``, the end of that second (or ms, or µs): the bound of "at or before" it."""
    if not (value.isascii() and value.isdigit()) or len(value) > 20:
        raise bad_request(
            _("%(key)s must be a time in seconds since 1970, not %(value)r")
            % {"key": key, "value": value}
        )
    number = int(value)
    for bound, micros in UNITS:
        if number < bound:
            usec = number * micros if micros else number // 1000
            return EPOCH + timedelta(microseconds=usec + (max(micros, 1) if end else 0))
    raise bad_request(
        _("%(key)s is too large for a time: %(value)r") % {"key": key, "value": value}
    )


def optional_moment(params: Params, key: str, *, end: bool = False) -> datetime | None:
    value = text(params, key)
    return None if value is None else moment(value, key, end=end)


def streams(params: Params, key: str) -> tuple[Stream, ...]:
    """Every stream named by a repeated ``key``; one that names nothing is a 400."""
    found: list[Stream] = []
    for raw in params.getlist(key):
        if not raw.strip():
            continue
        stream = parse_stream(raw)
        if stream is None:
            raise bad_request(
                _("%(key)s: no such stream %(stream)r") % {"key": key, "stream": raw.strip()}
            )
        found.append(stream)
    return tuple(found)


def stream_param(params: Params, default: Stream | None = None) -> Stream | None:
    """The ``s`` stream (the first, if repeated), or ``default`` when there is none."""
    found = streams(params, "s")
    return found[0] if found else default


def continuation(params: Params) -> int | None:
    value = text(params, "c") or text(params, "continuation")
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > ITEM_ID_MAX:
        raise bad_request(
            _("c must be a continuation this server gave, not %(value)r") % {"value": value}
        )
    return int(value)


def page(params: Params, cap: int) -> Page:
    """The page ``params`` ask for; ``n`` defaults to 20 and is cut to ``cap``."""
    return Page(
        n=count(params, "n", DEFAULT_N, cap),
        newest_first=(text(params, "r") or "n").lower() != "o",
        continuation=continuation(params),
        seen_after=optional_moment(params, "ot"),
        seen_before=optional_moment(params, "nt", end=True),
        exclude=streams(params, "xt"),
        include=streams(params, "it"),
    )
