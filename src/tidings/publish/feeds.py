"""The aggregator's own feeds out: RSS 2.0, Atom 1.0 and JSON Feed 1.1.

Every item names the feed it came from (RSS ``<source>``, Atom ``<source>``, JSON Feed ``authors``
and a ``_tidings`` extension), so a reader of the combined feed can tell the sources apart.

The output is always well-formed: XML is built with ElementTree (which escapes ``&``, ``<``,
``>`` and quotes, so ``]]>`` or markup in a title stays text), and characters XML 1.0 cannot
carry at all (controls, lone surrogates, U+FFFE/U+FFFF) are removed from every string first, in
the JSON as well so that the three formats say the same thing. HTML fields are the sanitized HTML
stored at ingest. Only http(s) URLs are written as links. Nothing here reads the clock: the same
items give the same bytes, which is what makes a body hash usable as an ETag.
"""

from __future__ import annotations

import html
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from tidings.config import PROJECT_URL, VERSION
from tidings.parse.text import html_to_text
from tidings.types import Item

__all__ = [
    "FORMATS",
    "Channel",
    "FeedFormat",
    "Source",
    "entry_id",
    "newest_date",
    "write_atom",
    "write_json_feed",
    "write_rss",
]

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# the usual prefixes in RSS (ElementTree would write ns0, ns1 ...)
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("content", CONTENT_NS)
ET.register_namespace("dc", DC_NS)

# what XML 1.0 cannot carry (controls, lone surrogates, U+FFFE/U+FFFF), and DEL as parse drops it
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\x7e\x80-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


@dataclass(frozen=True, slots=True)
class Channel:
    """What the outgoing feed says about itself; URLs are absolute."""

    title: str
    home_url: str  # the HTML page that lists the same items
    self_url: str  # this feed's own address
    description: str = ""
    author: str = "tidings"  # the site's name: the feed-level author Atom requires
    language: str | None = None
    updated: datetime | None = None  # for an empty feed; otherwise the newest item's date
    hubs: tuple[str, ...] = ()  # WebSub hubs that push this feed (TIDINGS_WEBSUB_HUB)


@dataclass(frozen=True, slots=True)
class Source:
    """The subscription an item came from."""

    id: int
    title: str
    feed_url: str  # the feed we read
    site_url: str | None  # its web site
    page_url: str  # this site's page for the source


@dataclass(frozen=True, slots=True)
class FeedFormat:
    """A writer and what to call its output."""

    name: str
    media_type: str  # with charset
    write: Callable[[Channel, Sequence[Item], Mapping[int, Source]], bytes]


def _text(value: str | None) -> str:
    return _NOT_XML_CHAR.sub("", value) if value else ""


def _web_url(url: str | None) -> str | None:
    """The URL when it is absolute http(s); feeds only link to the web."""
    if not url:
        return None
    url = _text(url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _source(item: Item, sources: Mapping[int, Source]) -> Source:
    found = sources.get(item.feed_id)
    return found or Source(item.feed_id, item.feed_title, "", None, "")


def entry_id(item: Item, source: Source) -> str:
    """A stable, unique id: the item's own id when it is a URI, else one scoped to its feed.

    A bare guid such as "42" is only unique within its feed, so it becomes a name-based UUID of
    the feed's URL and the guid; without a guid the item's link serves, as it does for identity.
    """
    guid = _text(item.guid).strip()
    if guid and _SCHEME.match(guid):
        return guid
    scope = source.feed_url or f"feed:{item.feed_id}"
    if guid:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}#guid:{guid}").urn
    link = _web_url(item.link)
    if link:
        return link
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}#item:{item.id}").urn


def _updated(item: Item) -> datetime:
    """The item's own update date when later than the date it is listed under."""
    if item.updated is not None and item.updated > item.sort_date:
        return item.updated
    return item.sort_date


def newest_date(items: Sequence[Item]) -> datetime | None:
    """The newest listing date (never in the future): the feed's date and its Last-Modified."""
    return max((i.sort_date for i in items), default=None)


def _rfc822(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _serialize(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


def _body_html(item: Item) -> tuple[str | None, str | None]:
    """(summary, content): the summary is the short one; content only when both exist."""
    summary, content = item.summary_html or None, item.content_html or None
    if summary and content and summary != content:
        return summary, content
    return summary or content, None


# -- RSS 2.0 -----------------------------------------------------------------------------------


def write_rss(channel: Channel, items: Sequence[Item], sources: Mapping[int, Source]) -> bytes:
    """RSS 2.0 with atom:link rel=self, content:encoded for full content, dc:creator for authors."""
    rss = ET.Element("rss", {"version": "2.0"})
    ch = _sub(rss, "channel")
    _sub(ch, "title", channel.title)
    _sub(ch, "link", channel.home_url)
    # RSS readers take <description> as HTML; the channel's is plain text, so it is escaped
    # once here (a feed's description "<img src=x onerror=...>" must stay text downstream)
    _sub(ch, "description", html.escape(channel.description or channel.title, quote=False))
    _sub(
        ch,
        f"{{{ATOM_NS}}}link",
        rel="self",
        href=channel.self_url,
        type="application/rss+xml",
    )
    for hub in channel.hubs:
        _sub(ch, f"{{{ATOM_NS}}}link", rel="hub", href=hub)
    if channel.language:
        _sub(ch, "language", channel.language)
    updated = newest_date(items) or channel.updated
    if updated is not None:
        _sub(ch, "lastBuildDate", _rfc822(updated))
    _sub(ch, "generator", f"tidings {VERSION} ({PROJECT_URL})")
    for item in items:
        source = _source(item, sources)
        entry = _sub(ch, "item")
        _sub(entry, "title", item.title or "")  # RSS wants a title or a description: always one
        link = _web_url(item.link)
        if link:
            _sub(entry, "link", link)
        ident = entry_id(item, source)
        _sub(entry, "guid", ident, isPermaLink="true" if ident == link else "false")
        _sub(entry, "pubDate", _rfc822(item.sort_date))
        if item.author:
            _sub(entry, f"{{{DC_NS}}}creator", item.author)
        summary, content = _body_html(item)
        if summary:
            _sub(entry, "description", summary)
        if content:
            _sub(entry, f"{{{CONTENT_NS}}}encoded", content)
        for category in item.categories:
            _sub(entry, "category", category)
        for enclosure in item.enclosures[:1]:  # RSS 2.0 allows one
            url = _web_url(enclosure.url)
            if url:
                _sub(
                    entry,
                    "enclosure",
                    url=url,
                    length=str(enclosure.length or 0),
                    type=enclosure.type or "application/octet-stream",
                )
        feed_url = _web_url(source.feed_url)
        if feed_url:
            _sub(entry, "source", source.title, url=feed_url)
    return _serialize(rss)


# -- Atom 1.0 ----------------------------------------------------------------------------------


def write_atom(channel: Channel, items: Sequence[Item], sources: Mapping[int, Source]) -> bytes:
    """Atom 1.0 (RFC 4287); each entry carries an atom:source naming the feed it came from."""
    # unqualified elements under a literal xmlns: ElementTree's default_namespace option cannot
    # serialize the unqualified attributes (rel, href) that Atom uses
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _sub(feed, "id", channel.self_url)
    _sub(feed, "title", channel.title)
    if channel.description:
        _sub(feed, "subtitle", channel.description)
    _sub(feed, "updated", _rfc3339(newest_date(items) or channel.updated or EPOCH))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=channel.self_url)
    for hub in channel.hubs:
        _sub(feed, "link", rel="hub", href=hub)
    _sub(feed, "link", rel="alternate", type="text/html", href=channel.home_url)
    author = _sub(feed, "author")
    _sub(author, "name", channel.author)
    _sub(feed, "generator", "tidings", uri=PROJECT_URL, version=VERSION)
    for item in items:
        source = _source(item, sources)
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(item, source))
        _sub(entry, "title", item.title or "", type="text")
        link = _web_url(item.link)
        if link:
            _sub(entry, "link", rel="alternate", type="text/html", href=link)
        _sub(entry, "published", _rfc3339(item.sort_date))
        _sub(entry, "updated", _rfc3339(_updated(item)))
        if item.author:
            person = _sub(entry, "author")
            _sub(person, "name", item.author)
        summary, content = _body_html(item)
        if summary:
            _sub(entry, "summary", summary, type="html")
        if content:
            _sub(entry, "content", content, type="html")
        for category in item.categories:
            _sub(entry, "category", term=category)
        for enclosure in item.enclosures:
            url = _web_url(enclosure.url)
            if url:
                attrs = {"rel": "enclosure", "href": url}
                if enclosure.type:
                    attrs["type"] = enclosure.type
                if enclosure.length:
                    attrs["length"] = str(enclosure.length)
                _sub(entry, "link", **attrs)
        origin = _sub(entry, "source")
        _sub(origin, "id", source.feed_url or source.page_url or f"feed:{source.id}")
        _sub(origin, "title", source.title)
        feed_url, site_url = _web_url(source.feed_url), _web_url(source.site_url)
        if feed_url:
            _sub(origin, "link", rel="self", href=feed_url)
        if site_url:
            _sub(origin, "link", rel="alternate", type="text/html", href=site_url)
    return _serialize(feed)


# -- JSON Feed 1.1 -----------------------------------------------------------------------------


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v not in (None, "", [], {})}


def _json_item(item: Item, source: Source) -> dict[str, Any]:
    summary, content = _body_html(item)
    authors = [{"name": _text(item.author)}] if item.author else []
    authors.append(_drop_empty({"name": _text(source.title), "url": _web_url(source.site_url)}))
    out = _drop_empty(
        {
            "id": entry_id(item, source),
            "url": _web_url(item.link),
            "title": _text(item.title),
            "content_html": _text(content or summary) or None,
            # JSON Feed's summary is plain text, so only when there is separate content
            "summary": _text(html_to_text(summary)) if content and summary else None,
            "image": _web_url(item.image),
            "date_published": _rfc3339(item.sort_date),
            "date_modified": _rfc3339(_updated(item)),
            "authors": authors,
            "tags": [_text(c) for c in item.categories],
            "attachments": [
                _drop_empty(
                    {
                        "url": url,
                        "mime_type": e.type or "application/octet-stream",
                        "size_in_bytes": e.length,
                    }
                )
                for e in item.enclosures
                if (url := _web_url(e.url))
            ],
            "_tidings": {"about": PROJECT_URL, "source": _json_source(source)},
        }
    )
    if "content_html" not in out:
        out["content_text"] = ""  # JSON Feed requires one of the two
    return out


def _json_source(source: Source) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": source.id,
            "title": _text(source.title),
            "feed_url": _web_url(source.feed_url),
            "home_page_url": _web_url(source.site_url),
            "url": source.page_url or None,
        }
    )


def write_json_feed(
    channel: Channel, items: Sequence[Item], sources: Mapping[int, Source]
) -> bytes:
    """JSON Feed 1.1; ``_tidings.source`` names the feed each item came from."""
    document = _drop_empty(
        {
            "version": JSON_FEED_VERSION,
            "title": _text(channel.title),
            "home_page_url": channel.home_url,
            "feed_url": channel.self_url,
            "description": _text(channel.description),
            "language": channel.language,
            "authors": [{"name": _text(channel.author)}],
            "hubs": [{"type": "WebSub", "url": hub} for hub in channel.hubs],
        }
    )
    document["items"] = [_json_item(item, _source(item, sources)) for item in items]
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


FORMATS: dict[str, FeedFormat] = {
    "rss.xml": FeedFormat("RSS", "application/rss+xml; charset=utf-8", write_rss),
    "atom.xml": FeedFormat("Atom", "application/atom+xml; charset=utf-8", write_atom),
    "feed.json": FeedFormat("JSON Feed", "application/feed+json; charset=utf-8", write_json_feed),
}
"""The outgoing formats by the file name they are served under."""
