"""feedparser's reading of the dates the lxml path cannot read itself, through its public API.

Both paths read a date with ours first (``dates``) and, where that fails, with feedparser's many
locale formats. The feedparser path finds feedparser's reading in its result; the lxml path asks
feedparser for it by parsing a small RSS document of just those dates, so that both paths read
them alike without reaching into feedparser's internals. Such dates are rare (a few per thousand
in the corpus), and one document serves all those of a feed.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from tidings.parse.dates import parse_date

_DATE_KEYS = ("published", "updated")


def feedparser_dates(raws: Iterable[str]) -> dict[str, time.struct_time | None]:
    """Each date text as feedparser reads it (UTC), None where it cannot."""
    wanted = list(dict.fromkeys(raws))
    entries = _entries(wanted) if wanted else []
    if len(entries) == len(wanted):
        return {raw: _parsed(entry) for raw, entry in zip(wanted, entries, strict=True)}
    if len(wanted) == 1:
        return {wanted[0]: None}
    return {raw: feedparser_dates([raw])[raw] for raw in wanted}  # not one item per date


def _entries(raws: list[str]) -> list[Mapping[str, Any]]:
    """feedparser's entries for a document of one item per date."""
    items = "".join(f"<item><pubDate>{escape(raw)}</pubDate></item>" for raw in raws)
    document = f'<rss version="2.0"><channel>{items}</channel></rss>'
    import feedparser  # only for the dates our own readings cannot take

    result = feedparser.parse(
        io.BytesIO(document.encode("utf-8")),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    return list(result.get("entries") or [])


def _parsed(entry: Mapping[str, Any]) -> time.struct_time | None:
    parsed = entry.get("published_parsed")
    return parsed if isinstance(parsed, time.struct_time) else None


class FeedparserDates:
    """feedparser's readings of one document's entry dates, made at the first one asked for.

    Called as ``(entry, key)`` for "published" or "updated" (``mapping.DateFallback``); reads, in
    one go, every date of the entries that ours cannot read strictly.
    """

    def __init__(self, entries: Sequence[Mapping[str, Any]]) -> None:
        self._entries = entries
        self._found: dict[str, time.struct_time | None] | None = None

    def __call__(self, entry: Mapping[str, Any], key: str) -> time.struct_time | None:
        raw = entry.get(key)
        if not isinstance(raw, str) or not raw:
            return None
        if self._found is None:
            self._found = feedparser_dates(self._unread())
        if raw not in self._found:
            self._found.update(feedparser_dates([raw]))
        return self._found.get(raw)

    def _unread(self) -> list[str]:
        """The entries' date texts that our strict reading does not understand."""
        return [
            raw
            for entry in self._entries
            for raw in (entry.get(key) for key in _DATE_KEYS)
            if isinstance(raw, str) and raw and parse_date(raw, loose=False) is None
        ]
