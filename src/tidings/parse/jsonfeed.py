"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read with the json module.

Every field is checked for its type and ignored when it has the wrong one, so a feed with
``"title": 123`` or ``"items": [null, 1, "x"]`` still gives what it can. Per the spec, ``title``,
``summary`` and ``content_text`` are plain text; only ``content_html`` is HTML.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tidings.errors import NotAFeedError, ParseError
from tidings.parse.charset import charset_from_content_type, decode_document
from tidings.parse.dates import parse_date
from tidings.parse.items import cap_items, clean_id, enclosure, html_field, unique
from tidings.parse.text import plain, text_to_html
from tidings.parse.urls import absolute_url, web_link
from tidings.timefmt import count
from tidings.types import Enclosure, ParsedFeed, ParsedItem

# the names JSON Feed's hubs give WebSub (and the protocol's former name)
_WEBSUB_TYPES = frozenset({"websub", "pubsubhubbub", "pubsub", "push", ""})
_VERSIONS = {
    "https://jsonfeed.org/version/1": "json10",
    "https://jsonfeed.org/version/1.1": "json11",
}


def parse_json(body: bytes, *, url: str, headers: Mapping[str, str], max_items: int) -> ParsedFeed:
    """Parse a JSON Feed; ParseError for invalid JSON, NotAFeedError for other JSON."""
    document, notes = _load(body, headers)
    raw_items = document.get("items")
    version = _version(document.get("version"), raw_items, notes)
    if not isinstance(raw_items, list):
        if raw_items is not None:
            notes.append(f"'items' is a {_kind(raw_items)}, not a list; no items read")
        raw_items = []
    kept, cap_note = cap_items(raw_items, max_items)
    if cap_note:
        notes.append(cap_note)
    # items without authors have the feed's (JSON Feed 1.1, "authors")
    feed_author = _authors(document)
    items = [_item(raw, url, feed_author) for raw in kept]
    skipped = sum(1 for item in items if item is None)
    if skipped:
        notes.append(
            f"skipped {count(skipped, 'item', 'items')} that are not objects or have no content"
        )

    return ParsedFeed(
        version=version,
        title=plain(document.get("title")),
        link=absolute_url(document.get("home_page_url"), url),
        description=plain(document.get("description")),
        image=absolute_url(document.get("icon"), url) or absolute_url(document.get("favicon"), url),
        language=_language(document.get("language")),
        items=tuple(item for item in items if item is not None),
        warnings=tuple(notes),
        hubs=_hubs(document.get("hubs"), url),
        self_url=_self_url(document.get("feed_url"), url),
    )


def _hubs(raw: object, url: str) -> tuple[str, ...]:
    """The WebSub hubs of ``hubs`` ([{type, url}]); rssCloud and other protocols are left out."""
    found: list[str] = []
    for hub in raw if isinstance(raw, list) else ():
        if not isinstance(hub, dict) or not isinstance(hub.get("url"), str):
            continue
        kind = hub.get("type")
        if isinstance(kind, str) and kind.strip().lower() not in _WEBSUB_TYPES:
            continue
        absolute = absolute_url(hub["url"], url)
        if absolute and web_link(absolute) and absolute not in found:
            found.append(absolute)
    return tuple(found)


def _self_url(raw: object, url: str) -> str | None:
    absolute = absolute_url(raw, url) if isinstance(raw, str) else None
    return absolute if absolute and web_link(absolute) else None


def _load(body: bytes, headers: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The document's top-level object, and the notes about its decoding."""
    decoded = decode_document(
        body, http_charset=charset_from_content_type(headers.get("content-type")), xml=False
    )
    notes = [w for w in decoded.warnings if "HTTP charset" not in w]  # JSON is UTF-8 by spec
    try:
        document = json.loads(decoded.text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"the document is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except (ValueError, RecursionError) as exc:  # e.g. a 5,000-digit number, [[[[...]]]]
        raise ParseError(f"the JSON document cannot be read: {exc}") from exc
    if not isinstance(document, dict):
        raise NotAFeedError(
            f"the document is JSON but not a JSON Feed (its top level is a {_kind(document)})",
            permanent=True,
        )
    return document, notes


def _version(raw_version: object, raw_items: object, notes: list[str]) -> str:
    """The JSON Feed version; an unknown or missing one is read as 1.1 when the document still
    looks like a JSON Feed, and NotAFeedError otherwise."""
    version = (
        _VERSIONS.get(raw_version.strip().rstrip("/")) if isinstance(raw_version, str) else None
    )
    if version is not None:
        return version
    says_jsonfeed = isinstance(raw_version, str) and "jsonfeed.org" in raw_version
    if not says_jsonfeed and not isinstance(raw_items, list):
        raise NotAFeedError(
            "the document is JSON but not a JSON Feed (no version, no items)", permanent=True
        )
    if raw_version is None:
        notes.append("the JSON Feed has no version; read it as 1.1")
    else:
        notes.append(f"unknown JSON Feed version {str(raw_version)[:80]!r}; read it as 1.1")
    return "json11"


def _kind(value: object) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(
        type(value), "number" if isinstance(value, int | float) else "null"
    )


def _language(value: object) -> str | None:
    text = plain(value)
    return text if text and len(text) <= 35 and " " not in text else None


def _item(raw: object, feed_url: str, feed_author: str | None) -> ParsedItem | None:
    if not isinstance(raw, dict):
        return None
    link = absolute_url(raw.get("url"), feed_url) or absolute_url(raw.get("external_url"), feed_url)
    content_html = html_field(raw.get("content_html"), "html", feed_url)
    if content_html is None and isinstance(raw.get("content_text"), str):
        content_html = html_field(raw["content_text"], "text/plain", feed_url)
    summary = raw.get("summary")
    summary_html = (
        html_field(text_to_html(summary), "html", feed_url) if isinstance(summary, str) else None
    )
    guid = clean_id(raw.get("id"))
    title = plain(raw.get("title"))
    enclosures = _attachments(raw.get("attachments"), feed_url)
    if not (guid or link or title or content_html or summary_html or enclosures):
        return None
    return ParsedItem(
        guid=guid,
        title=title,
        link=link,
        author=_authors(raw) or feed_author,
        published=parse_date(raw.get("date_published")),
        updated=parse_date(raw.get("date_modified")),
        summary_html=summary_html,
        content_html=content_html,
        enclosures=enclosures,
        categories=tuple(unique(plain(tag) for tag in _list(raw.get("tags")))),
        image=absolute_url(raw.get("image"), feed_url)
        or absolute_url(raw.get("banner_image"), feed_url),
    )


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _authors(raw: Mapping[str, Any]) -> str | None:
    """1.1 ``authors`` (a list), else 1.0 ``author`` (an object)."""
    people = _list(raw.get("authors"))
    if not people and isinstance(raw.get("author"), dict):
        people = [raw["author"]]
    names = unique(plain(p.get("name")) for p in people if isinstance(p, dict))
    return ", ".join(names) or None


def _attachments(value: object, feed_url: str) -> tuple[Enclosure, ...]:
    found: list[Enclosure] = []
    seen: set[str] = set()
    for attachment in _list(value):
        if not isinstance(attachment, dict):
            continue
        item = enclosure(
            attachment.get("url"),
            attachment.get("mime_type"),
            attachment.get("size_in_bytes"),
            feed_url,
        )
        if item is not None and item.url not in seen:
            seen.add(item.url)
            found.append(item)
    return tuple(found)
