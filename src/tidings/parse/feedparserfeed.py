"""RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 read by feedparser: the path for what lxml declines.

feedparser gets clean UTF-8 bytes without a DOCTYPE (see ``prepare``), wrapped in a stream so
that it can never take them for a file name or URL. Its HTML sanitizing and its rewriting of
URLs inside HTML are off (``sanitize`` does both, with the item's base). It is told the feed's
final URL as Content-Location, because it tracks xml:base scopes correctly only from an
absolute root; it then resolves links against the right base. RSS guids are kept as written
(see ``_guids_as_written``). Its result goes to ``mapping``, as the lxml path's records do; the
mapping checks every URL and resolves enclosure and media URLs, which feedparser leaves as
written, against the entry's base.
"""

from __future__ import annotations

import html
import io
import re
import time
import xml.sax
from collections.abc import Mapping
from typing import Any

import feedparser

from tidings.errors import NotAFeedError, ParseError
from tidings.parse.mapping import Records, map_feed, own_value
from tidings.parse.prepare import prepare_xml
from tidings.parse.text import collapse_whitespace
from tidings.types import ParsedFeed

_SKIP_HOURS = re.compile(r"<(?:\w+:)?skipHours\b[^>]*>(.*?)</(?:\w+:)?skipHours\s*>", re.S | re.I)
_SKIP_DAYS = re.compile(r"<(?:\w+:)?skipDays\b[^>]*>(.*?)</(?:\w+:)?skipDays\s*>", re.S | re.I)
_HOUR = re.compile(r"<(?:\w+:)?hour\b[^>]*>\s*(\d{1,2})\s*</", re.I)
_DAY = re.compile(r"<(?:\w+:)?day\b[^>]*>\s*([A-Za-z]+)\s*</", re.I)
_MRSS_PREFIX = re.compile(r"""xmlns:([\w.\-]+)\s*=\s*["']https?://search\.yahoo\.com/mrss/?["']""")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_GUID_TAG = re.compile(r"<guid\b([^>]*)>")
_PERMALINK_ATTRIBUTE = re.compile(r"""\s*\bisPermaLink\s*=\s*(?:"[^"]*"|'[^']*')""", re.I)


def parse_xml(body: bytes, *, url: str, headers: Mapping[str, str], max_items: int) -> ParsedFeed:
    """Parse an XML feed document; ParseError/NotAFeedError when it is not one."""
    prepared = prepare_xml(body, headers)
    text = _guids_as_written(prepared.text)
    result = _run_feedparser(text, url, headers.get("content-language"))
    bozo_note = _bozo_note(result)
    feed = result.get("feed") or {}
    entries = result.get("entries") or []
    version = prepared.version(result.get("version") or "")
    if not version and not entries and not feed.get("title"):
        reason = "no RSS, RDF or Atom structure found"
        if bozo_note:
            reason += f" ({bozo_note})"
        raise NotAFeedError(f"the document is not a feed: {reason}", permanent=True)
    notes = prepared.notes
    if bozo_note:
        notes.append(f"the XML is not well-formed ({bozo_note}); read it leniently")
    records = Records(
        version=version,
        feed=feed,
        entries=entries,
        captions=_media_captions(text),
        skip_hours=_first_block(text, _SKIP_HOURS, _HOUR),
        skip_days=_first_block(text, _SKIP_DAYS, _DAY),
        feedparser_date=_parsed_date,
    )
    return map_feed(records, url=url, max_items=max_items, notes=notes)


def _run_feedparser(text: str, url: str, language: str | None) -> Mapping[str, Any]:
    """feedparser's result for the prepared text, told the feed's URL and language."""
    response_headers = {"content-type": "application/xml; charset=utf-8", "content-location": url}
    if language:
        response_headers["content-language"] = language
    try:
        result: Mapping[str, Any] = feedparser.parse(
            io.BytesIO(text.encode("utf-8", errors="replace")),
            response_headers=response_headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser is a big lenient parser; never let it crash the run
        raise ParseError(f"the XML could not be read: {exc}") from exc
    return result


def _guids_as_written(text: str) -> str:
    """Mark every RSS ``guid`` isPermaLink="false" so that feedparser keeps it as written.

    feedparser resolves a relative permalink guid against the feed's URL, which would tie an
    item's identity to the URL the feed happens to be fetched from (and change it when the feed
    moves). An absolute http(s) guid still serves as the item's link when it has no other.
    """
    if "<guid" not in text:
        return text
    return _GUID_TAG.sub(
        lambda m: '<guid isPermaLink="false"' + _PERMALINK_ATTRIBUTE.sub("", m.group(1)) + ">",
        text,
    )


def _bozo_note(result: Mapping[str, Any]) -> str | None:
    """feedparser's complaint about the document, in words."""
    if not result.get("bozo"):
        return None
    exc = result.get("bozo_exception")
    if isinstance(exc, xml.sax.SAXParseException):
        return f"{exc.getMessage()} at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    if exc is None:
        return "unknown error"
    name = type(exc).__name__
    return f"{name}: {exc}" if str(exc) else name


def _first_block(text: str, block: re.Pattern[str], value: re.Pattern[str]) -> list[str]:
    """The values in the first skipHours or skipDays block (feedparser keeps only the last)."""
    found = block.search(text)
    return [] if found is None else value.findall(found.group(1))


def _media_captions(text: str) -> frozenset[str]:
    """The texts of Media RSS ``description`` elements (image captions).

    feedparser files a ``media:description`` that follows an item's ``description`` as the item's
    *content*; a photo caption then stands in for the article. Knowing the captions lets
    ``mapping`` skip them when the item has a summary of its own.
    """
    captions: set[str] = set()
    for prefix in set(_MRSS_PREFIX.findall(text)):
        name = re.escape(prefix) + ":description"
        pattern = re.compile(rf"<{name}\b[^>]*>(.*?)</{name}\s*>", re.S)
        for raw in pattern.findall(text):
            value = _CDATA.sub(lambda m: html.escape(m.group(1), quote=False), raw)
            captions.add(collapse_whitespace(html.unescape(value)))
            captions.add(collapse_whitespace(html.unescape(_CDATA.sub(r"\1", raw))))
    return frozenset(captions)


def _parsed_date(entry: Mapping[str, Any], key: str) -> time.struct_time | None:
    """feedparser's own reading of the date, which it files beside the text as ``*_parsed``."""
    parsed = own_value(entry, f"{key}_parsed")
    return parsed if isinstance(parsed, time.struct_time) else None
