"""RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 through feedparser, mapped to ParsedFeed.

feedparser gets clean UTF-8 bytes without a DOCTYPE (see ``encoding`` and ``dtd``), wrapped in a
stream so that it can never take them for a file name or URL. Its HTML sanitizing and its
rewriting of URLs inside HTML are off (``sanitize`` does both, with the item's base). It is told
the feed's final URL as Content-Location, because it tracks xml:base scopes correctly only from
an absolute root; it then resolves links against the right base. RSS guids are kept as written
(see ``_guids_as_written``). Every URL is still checked here, and enclosure and media URLs,
which feedparser leaves as written, are resolved against the entry's base.
"""

from __future__ import annotations

import html
import io
import re
import xml.sax
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Final

import feedparser

from tidings.errors import NotAFeedError, ParseError
from tidings.parse.dates import from_struct_time, parse_date
from tidings.parse.dtd import Doctype, apply_doctype_policy
from tidings.parse.charset import charset_from_content_type, decode_document, normalize_xml
from tidings.parse.items import (
    cap_items,
    clean_id,
    enclosure,
    html_field,
    markup_or_text,
    unique,
)
from tidings.parse.text import collapse_whitespace, markup_to_text
from tidings.parse.urls import absolute_url, resolve_base
from tidings.types import Enclosure, ParsedFeed, ParsedItem

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SKIP_HOURS = re.compile(r"<(?:\w+:)?skipHours\b[^>]*>(.*?)</(?:\w+:)?skipHours\s*>", re.S | re.I)
_SKIP_DAYS = re.compile(r"<(?:\w+:)?skipDays\b[^>]*>(.*?)</(?:\w+:)?skipDays\s*>", re.S | re.I)
_HOUR = re.compile(r"<(?:\w+:)?hour\b[^>]*>\s*(\d{1,2})\s*</", re.I)
_DAY = re.compile(r"<(?:\w+:)?day\b[^>]*>\s*([A-Za-z]+)\s*</", re.I)
_MIME = re.compile(r"[A-Za-z0-9][\w.+\-]*/[\w.+\-]+")
_MRSS_PREFIX = re.compile(r"""xmlns:([\w.\-]+)\s*=\s*["']https?://search\.yahoo\.com/mrss/?["']""")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_GUID_TAG = re.compile(r"<guid\b([^>]*)>")
_PERMALINK_ATTRIBUTE = re.compile(r"""\s*\bisPermaLink\s*=\s*(?:"[^"]*"|'[^']*')""", re.I)


def parse_xml(body: bytes, *, url: str, headers: Mapping[str, str], max_items: int) -> ParsedFeed:
    """Parse an XML feed document; ParseError/NotAFeedError when it is not one."""
    decoded = decode_document(
        body, http_charset=charset_from_content_type(headers.get("content-type")), xml=True
    )
    notes = list(decoded.warnings)
    text, more = normalize_xml(decoded.text)
    notes += more
    text, doctype = apply_doctype_policy(text)
    text = _guids_as_written(text)
    if doctype.dropped:
        notes.append(
            "ignored the document's DTD declarations ("
            + ", ".join(sorted(set(doctype.dropped))[:5])
            + ")"
        )
    response_headers = {"content-type": "application/xml; charset=utf-8", "content-location": url}
    language = headers.get("content-language")
    if language:
        response_headers["content-language"] = language
    try:
        result = feedparser.parse(
            io.BytesIO(text.encode("utf-8", errors="replace")),
            response_headers=response_headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser is a big lenient parser; never let it crash the run
        raise ParseError(f"the XML could not be read: {exc}") from exc

    bozo_note = _bozo_note(result)
    feed = result.get("feed") or {}
    entries = result.get("entries") or []
    version = _version(result.get("version") or "", doctype)
    if not version and not entries and not feed.get("title"):
        reason = "no RSS, RDF or Atom structure found"
        if bozo_note:
            reason += f" ({bozo_note})"
        raise NotAFeedError(f"the document is not a feed: {reason}", permanent=True)
    if bozo_note:
        notes.append(f"the XML is not well-formed ({bozo_note}); read it leniently")

    return assemble(
        feed,
        entries,
        version=version,
        url=url,
        max_items=max_items,
        notes=notes,
        item=partial(_item, captions=_media_captions(text)),
        skip_hours=_skip_hours(text),
        skip_days=_skip_days(text),
        update_period=(_own(feed, "sy_updateperiod"), _own(feed, "sy_updatefrequency")),
    )


ItemReader = Callable[[Any, str, "str | None"], "ParsedItem | None"]


def assemble(
    feed: Mapping[str, Any],
    entries: Sequence[Any],
    *,
    version: str,
    url: str,
    max_items: int,
    notes: list[str],
    item: ItemReader,
    skip_hours: frozenset[int],
    skip_days: frozenset[str],
    update_period: tuple[Any, Any],  # sy:updatePeriod and sy:updateFrequency as read
) -> ParsedFeed:
    """The feed record from its mapped parts: one place for both readers (feedparser's, ours).

    ``item(entry, feed_url, feed_author)`` maps one entry, None for an empty one.
    """
    atom = version.startswith("atom")
    feed_base = resolve_base(_detail_base(feed, ("title_detail", "subtitle_detail")), url)
    kept, cap_note = cap_items(entries, max_items)
    if cap_note:
        notes.append(cap_note)
    # Atom entries without an author inherit the feed's (RFC 4287, 4.2.1); RSS ones do not
    feed_author = _author(feed) if atom else None
    items: list[ParsedItem] = []
    empty = 0
    for entry in kept:
        parsed = item(entry, url, feed_author)
        if parsed is None:
            empty += 1
        else:
            items.append(parsed)
    if empty:
        notes.append(f"skipped {empty} items with no id, link, title or content")
    return ParsedFeed(
        version=version or "unknown",
        title=_typed_text(feed, "title"),
        link=_feed_link(feed, feed_base, atom=atom),
        description=_typed_text(feed, "subtitle"),
        image=_feed_image(feed, feed_base),
        language=_language(feed.get("language")),
        ttl_minutes=_ttl(feed.get("ttl")),
        skip_hours=skip_hours,
        skip_days=skip_days,
        update_period_seconds=_update_period(*update_period),
        items=tuple(items),
        warnings=tuple(notes),
    )


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


def _version(version: str, doctype: Doctype) -> str:
    if version == "rss091u" and doctype.netscape:
        return "rss091n"  # feedparser only knows it from the DOCTYPE, which we removed
    return version


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


def _detail_base(container: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        detail = container.get(key)
        if isinstance(detail, Mapping) and isinstance(detail.get("base"), str):
            return str(detail["base"])
    return None


def _typed_text(container: Mapping[str, Any], key: str) -> str | None:
    """A text construct as text: HTML/XHTML ones lose their tags, text ones stay as they are."""
    detail = container.get(f"{key}_detail")
    kind = detail.get("type") if isinstance(detail, Mapping) else None
    return markup_to_text(container.get(key), is_html=bool(kind and "html" in kind))


def _feed_link(feed: Mapping[str, Any], base: str | None, atom: bool) -> str | None:
    """The site's home page: the alternate link (for Atom never the id feedparser copies in)."""
    for candidate in feed.get("links") or ():
        if isinstance(candidate, Mapping) and candidate.get("rel") in (None, "alternate"):
            link = absolute_url(candidate.get("href"), base)
            if link is not None:
                return link
    return None if atom else absolute_url(feed.get("link"), base)


def _feed_image(feed: Mapping[str, Any], base: str | None) -> str | None:
    image = feed.get("image")
    candidates = [image.get("href") if isinstance(image, Mapping) else None]
    candidates += [feed.get("logo"), feed.get("icon")]
    for candidate in candidates:
        url = absolute_url(candidate, base)
        if url is not None:
            return url
    return None


def _language(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    language = value.strip()
    if not language or len(language) > 35 or not re.fullmatch(r"[A-Za-z0-9_\-]+", language):
        return None
    return language


def _ttl(value: object) -> int | None:
    if not isinstance(value, str) or not value.strip().isdigit():
        return None
    minutes = int(value.strip())
    return minutes if 0 < minutes <= 525_600 else None  # at most a year


_PERIODS: Final = {
    "hourly": 3600,
    "daily": 24 * 3600,
    "weekly": 7 * 24 * 3600,
    "monthly": 30 * 24 * 3600,
    "yearly": 365 * 24 * 3600,
}


def _update_period(period: str | None, frequency: str | int | None) -> int | None:
    """``sy:updatePeriod`` / ``sy:updateFrequency`` as seconds between updates (RSS 1.0 module).

    The period defaults to daily and the frequency to 1 when only the other is given; values that
    cannot be read give None, never a guess.
    """
    if period is None and frequency is None:
        return None
    length = _PERIODS.get((period or "daily").strip().lower())
    if length is None:
        return None
    try:
        times = int(str(frequency).strip()) if frequency is not None else 1
    except ValueError:
        return None
    if times <= 0:
        return None
    return max(length // times, 1)


def _skip_hours(text: str) -> frozenset[int]:
    """RSS ``skipHours`` (feedparser keeps only the last hour, so we read them ourselves)."""
    block = _SKIP_HOURS.search(text)
    if block is None:
        return frozenset()
    hours = {int(h) % 24 for h in _HOUR.findall(block.group(1)) if int(h) <= 24}
    return frozenset(hours)


def _skip_days(text: str) -> frozenset[str]:
    block = _SKIP_DAYS.search(text)
    if block is None:
        return frozenset()
    names = {day.lower(): day for day in _DAYS}
    return frozenset(names[d.lower()] for d in _DAY.findall(block.group(1)) if d.lower() in names)


def _item(
    entry: Mapping[str, Any], feed_url: str, feed_author: str | None, captions: frozenset[str]
) -> ParsedItem | None:
    keys = ("title_detail", "summary_detail")
    base = resolve_base(_detail_base(entry, keys) or _content_base(entry), feed_url)
    guid = clean_id(entry.get("id"))
    link = absolute_url(entry.get("link"), base)
    if link is None and guid is not None and guid.lower().startswith(("http://", "https://")):
        link = absolute_url(guid, None)
    summary_html = None
    summary = entry.get("summary_detail")
    if isinstance(summary, Mapping):  # absent when feedparser copied the content into summary
        summary_html = html_field(
            summary.get("value"), summary.get("type"), resolve_base(summary.get("base"), base)
        )
    content_html = _content(entry, base, captions if summary_html else frozenset())
    enclosures = _enclosures(entry, base)
    title = _typed_text(entry, "title")
    if not (guid or link or title or summary_html or content_html or enclosures):
        return None
    return ParsedItem(
        guid=guid,
        title=title,
        link=link,
        author=_author(entry) or feed_author,
        published=_date(entry, "published"),
        updated=_date(entry, "updated"),
        summary_html=summary_html,
        content_html=content_html,
        enclosures=enclosures,
        categories=_categories(entry),
        image=_item_image(entry, base, enclosures),
    )


def _content_base(entry: Mapping[str, Any]) -> str | None:
    for content in entry.get("content") or ():
        if isinstance(content, Mapping) and isinstance(content.get("base"), str):
            return str(content["base"])
    return None


def _content(entry: Mapping[str, Any], base: str | None, captions: frozenset[str]) -> str | None:
    contents = [c for c in entry.get("content") or () if isinstance(c, Mapping)]
    html_first = sorted(contents, key=lambda c: "html" not in str(c.get("type") or ""))
    for content in html_first:
        if captions and collapse_whitespace(str(content.get("value") or "")) in captions:
            continue
        value = html_field(
            content.get("value"), content.get("type"), resolve_base(content.get("base"), base)
        )
        if value:
            return value
    return None


def _media_captions(text: str) -> frozenset[str]:
    """The texts of Media RSS ``description`` elements (image captions).

    feedparser files a ``media:description`` that follows an item's ``description`` as the item's
    *content*; a photo caption then stands in for the article. Knowing the captions lets
    ``_content`` skip them when the item has a summary of its own.
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


def _date(entry: Mapping[str, Any], key: str) -> datetime | None:
    # ours first for RFC 822 / ISO (feedparser reads unknown zones such as CEST as UTC), then
    # feedparser's many locale formats, then our last resort
    raw = _own(entry, key)
    return (
        parse_date(raw, loose=False)
        or from_struct_time(_own(entry, f"{key}_parsed"))
        or parse_date(raw)
    )


def _own(entry: Mapping[str, Any], key: str) -> Any:
    """The entry's own value: FeedParserDict answers "updated" with the published date."""
    if isinstance(entry, dict):
        return dict.get(entry, key)
    return entry.get(key)


_EMAIL = r"[^\s()<>@]+@[^\s()<>@]+"
_EMAIL_THEN_NAME = re.compile(rf"\s*{_EMAIL}\s*\((.+)\)\s*")
_NAME_THEN_EMAIL = re.compile(rf"\s*(.+?)\s*[(<]\s*(?:mailto:)?{_EMAIL}\s*[)>]\s*")


def _person(raw: str) -> str:
    """The name in an RSS ``author`` ("email (Name)", "Name (email)", "Name <email>")."""
    for pattern in (_EMAIL_THEN_NAME, _NAME_THEN_EMAIL):
        match = pattern.fullmatch(raw)
        if match is not None:
            return match.group(1)
    return raw


def _author(container: Mapping[str, Any]) -> str | None:
    """Several authors joined by commas, else the one author's name (an email if nothing else).

    The raw RSS string is read here: feedparser's email pattern misses long TLDs and then mangles
    "jonas@insanity.industries (Jonas)" into a wrong name.
    """
    people = [p for p in container.get("authors") or () if isinstance(p, Mapping)]
    raw = container.get("author")
    names: list[object]
    if len(people) > 1:
        names = [p.get("name") or p.get("email") for p in people]
    elif isinstance(raw, str) and raw.strip():
        names = [_person(raw)]
    else:
        names = [p.get("name") or p.get("email") for p in people]
    texts = unique(markup_or_text(name) for name in names)
    return ", ".join(texts) or None


def _categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    terms = []
    for tag in entry.get("tags") or ():
        if isinstance(tag, Mapping):
            terms.append(markup_or_text(tag.get("label") or tag.get("term")))
    return tuple(unique(terms))


def _enclosures(entry: Mapping[str, Any], base: str | None) -> tuple[Enclosure, ...]:
    found: list[Enclosure | None] = []
    for link in entry.get("links") or ():
        if isinstance(link, Mapping) and link.get("rel") == "enclosure":
            found.append(enclosure(link.get("href"), link.get("type"), link.get("length"), base))
    for media in entry.get("media_content") or ():
        if not isinstance(media, Mapping):
            continue
        kind = str(media.get("type") or media.get("medium") or "")
        if kind.startswith(("audio", "video")):
            mime = kind if _MIME.fullmatch(kind) else None
            found.append(enclosure(media.get("url"), mime, media.get("filesize"), base))
    seen: set[str] = set()
    result = []
    for item in found:
        if item is not None and item.url not in seen:
            seen.add(item.url)
            result.append(item)
    return tuple(result)


def _item_image(
    entry: Mapping[str, Any], base: str | None, enclosures: tuple[Enclosure, ...]
) -> str | None:
    candidates: list[object] = []
    for thumbnail in entry.get("media_thumbnail") or ():
        if isinstance(thumbnail, Mapping):
            candidates.append(thumbnail.get("url"))
    for media in entry.get("media_content") or ():
        if isinstance(media, Mapping):
            kind = str(media.get("medium") or media.get("type") or "")
            if kind.startswith("image"):
                candidates.append(media.get("url"))
    image = entry.get("image")
    if isinstance(image, Mapping):
        candidates.append(image.get("href"))
    candidates += [e.url for e in enclosures if (e.type or "").startswith("image/")]
    for candidate in candidates:
        url = absolute_url(candidate, base)
        if url is not None:
            return url
    return None
