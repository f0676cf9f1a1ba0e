"""The spellings of GReader ids: items (long hex, bare hex, signed decimal) and streams.

Clients send back item ids in whichever form they like (NetNewsWire the long form, Reeder and
Fluent Reader bare 16-digit hex, Read You and Liferea decimal), so every form is read; what is
written is the long form in contents and decimal in id lists. A bad id is ``None`` for its
caller to skip, never an error for the whole batch.

Stream ids name a collection: the reading list, a state (read, starred, kept-unread), a label
(a folder) or a feed (``feed/<id>`` or ``feed/<url>``), with any user segment (``user/-/``,
``user/42/``) accepted and ``user/-/`` written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

ITEM_PREFIX = "tag:google.com,2005:reader/item/"
STATE = "user/-/state/com.google/"
LABEL = "user/-/label/"
READING_LIST = STATE + "reading-list"
READ = STATE + "read"
STARRED = STATE + "starred"
KEPT_UNREAD = STATE + "kept-unread"

U64 = 1 << 64
ITEM_ID_MAX = (1 << 63) - 1  # what the store's integers hold; larger ids name nothing

_HEX = re.compile(r"[0-9a-fA-F]+")
_DECIMAL = re.compile(r"-?[0-9]+")
_USER = re.compile(r"user/[^/]*/(state|label)/(.*)", re.DOTALL)
_STATE = re.compile(r"com\.google/(.+)", re.DOTALL)
STATES = ("reading-list", "read", "starred", "kept-unread")


def long_item_id(item_id: int) -> str:
    """``tag:google.com,2005:reader/item/`` and the id as 16 zero-padded hex digits."""
    return f"{ITEM_PREFIX}{item_id % U64:016x}"


def short_item_id(item_id: int) -> str:
    """The id as signed decimal (ids of 2^63 and over become negative, as Google's did)."""
    value = item_id % U64
    return str(value - U64 if value >= 1 << 63 else value)


def parse_item_id(text: str) -> int | None:
    """The unsigned 64-bit id of any spelling, or None when it is none of them.

    With the long prefix the rest is hex of any length; bare 16 characters of hex that start
    with ``0`` or hold a letter are hex (tidings' ids are below 2^60, so their padded hex
    starts with ``0``); other bare hex with a letter is hex too (unambiguous); digits, with an
    optional ``-``, are signed decimal."""
    value = text.strip()
    if value.lower().startswith(ITEM_PREFIX):
        digits = value[len(ITEM_PREFIX) :]
        return _hex(digits)
    if _HEX.fullmatch(value) and (
        (len(value) == 16 and value.startswith("0")) or not value.isdigit()
    ):
        return _hex(value)
    if _DECIMAL.fullmatch(value) and len(value) <= 21:
        number = int(value)
        if -(1 << 63) <= number < U64:
            return number % U64
    return None


def _hex(digits: str) -> int | None:
    if not digits or len(digits) > 16 or not _HEX.fullmatch(digits):
        return None
    return int(digits, 16)


def item_ids(values: list[str]) -> list[int]:
    """The ids the store may hold among ``values``, in order, each once; the rest skipped."""
    seen: dict[int, None] = {}
    for value in values:
        found = parse_item_id(value)
        if found is not None and 1 <= found <= ITEM_ID_MAX:
            seen.setdefault(found, None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class Stream:
    """A parsed stream id: ``kind`` is "state" (``name`` one of reading-list, read, starred,
    kept-unread, or another state such as broadcast or tracking-*, which tidings ignores),
    "label" (``name`` the label), "feed" (``feed_id``, or ``name`` the feed's URL)."""

    kind: str
    name: str = ""
    feed_id: int | None = None

    @property
    def known_state(self) -> bool:
        return self.kind == "state" and self.name in STATES


def parse_stream(text: str) -> Stream | None:
    """The stream a client names, in any of its spellings, or None when it names none.

    A stream id still percent-encoded (``user%2F-%2Fstate…``, ``feed%2F42``) is decoded once."""
    value = text.strip()
    if "/" not in value and "%2f" in value.lower():
        value = unquote(value)
    if value in STATES:  # the bare shorthand ("reading-list") some servers take
        return Stream("state", value)
    if value.startswith("feed/"):
        rest = value[5:]
        if rest.isascii() and rest.isdigit() and len(rest) <= 18:
            return Stream("feed", feed_id=int(rest))
        return Stream("feed", name=rest) if rest else None
    matched = _USER.fullmatch(value)
    if matched is None:
        return None
    kind, rest = matched.groups()
    if kind == "label":
        return Stream("label", rest) if rest else None
    state = _STATE.fullmatch(rest)
    return Stream("state", state.group(1)) if state else None


def stream_id(stream: Stream) -> str:
    """The spelling tidings writes: ``user/-/`` forms and ``feed/<id>``."""
    if stream.kind == "feed":
        return f"feed/{stream.feed_id}" if stream.feed_id is not None else f"feed/{stream.name}"
    if stream.kind == "label":
        return LABEL + stream.name
    return STATE + stream.name


def feed_stream(feed_id: int) -> str:
    return f"feed/{feed_id}"


def label_stream(name: str) -> str:
    return LABEL + name
