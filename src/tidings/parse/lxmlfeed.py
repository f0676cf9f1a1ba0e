"""RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 on lxml: the fast path to ParsedFeed.

feedparser reads about 1 MB/s, mostly in its per-element Python machinery; lxml builds the tree
in C at around 100 MB/s. This path prepares the document exactly as ``xmlfeed`` does (encoding,
control characters, our DTD policy, in that order), builds the tree with a locked-down lxml
parser, reads it into feedparser-shaped records (``fastread``) and maps those with ``xmlfeed``'s
own functions, so both paths give the same ParsedFeed. Whatever it is not sure of (XML that is
not well-formed, a DOCTYPE that still declares entities, an unknown root, odd namespaces or
markup) raises :class:`Decline`, and ``parse_feed`` hands the document to feedparser instead.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, cast

from feedparser.datetimes import _parse_date
from lxml import etree  # type: ignore[import-untyped]

from tidings.parse.dates import from_struct_time, parse_date
from tidings.parse.dtd import apply_doctype_policy
from tidings.parse.charset import charset_from_content_type, decode_document, normalize_xml
from tidings.parse.lxmlnodes import Decline, Node, Record, attributes, name_of
from tidings.parse.lxmlread import Reader
from tidings.parse.items import clean_id, html_field
from tidings.parse.urls import absolute_url, resolve_base
from tidings.parse.feedparserfeed import (
    _DAYS,
    _author,
    _categories,
    _content,
    _content_base,
    _detail_base,
    _enclosures,
    _item_image,
    _typed_text,
    _version,
    assemble,
)
from tidings.types import ParsedFeed, ParsedItem

__all__ = ["Decline", "parse_fast", "read_records"]

_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
_ATOM_VERSIONS = {"0.1": "atom01", "0.2": "atom02", "0.3": "atom03"}
_DOCTYPE = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)


class _Parsers(threading.local):
    """lxml parsers are not safe to share between threads: one per thread."""

    def __init__(self) -> None:
        self.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            recover=False,
            remove_comments=True,
            remove_pis=True,
        )


_PARSERS = _Parsers()


def parse_fast(body: bytes, *, url: str, headers: Mapping[str, str], max_items: int) -> ParsedFeed:
    """Parse an XML feed on lxml; raises Decline when feedparser should read it instead."""
    reader, notes = read_records(body, url=url, headers=headers)
    return _feed(reader, url, max_items, notes)


def read_records(body: bytes, *, url: str, headers: Mapping[str, str]) -> tuple[Reader, list[str]]:
    """The document read into feedparser-shaped records (``reader.feed``, ``reader.entries``),
    and the notes about its preparation. Also what the feedparser test suite's adapter reads."""
    decoded = decode_document(
        body, http_charset=charset_from_content_type(headers.get("content-type")), xml=True
    )
    notes = list(decoded.warnings)
    text, more = normalize_xml(decoded.text)
    notes += more
    text, doctype = apply_doctype_policy(text)
    if doctype.dropped:
        notes.append(
            "ignored the document's DTD declarations ("
            + ", ".join(sorted(set(doctype.dropped))[:5])
            + ")"
        )
    if _DOCTYPE.search(text, 0, 4096):
        raise Decline("the document keeps entity declarations")  # lxml would not expand them
    try:
        tree = etree.fromstring(text.encode("utf-8"), _PARSERS.parser)
    except etree.XMLSyntaxError as exc:
        raise Decline(f"the XML is not well-formed ({exc})") from exc
    if tree.getroottree().docinfo.doctype:  # the search above only looks at the start
        raise Decline("the document keeps entity declarations")
    root = cast(Node, tree)
    name = name_of(root)
    version = _version(_document_version(root, name), doctype)
    reader = Reader(version, headers.get("content-language") or None, bases="base" in text)
    reader.read_root(root, name, url)
    return reader, notes


def _document_version(root: Node, name: str) -> str:
    """feedparser's version: from the first telling namespace declaration, then the root."""
    version = _declared_version(cast(Any, root).nsmap.items())
    attrs = attributes(root)
    if name == "rss":
        if not version.startswith("rss"):
            given = attrs.get("version", "")
            version = _RSS_VERSIONS.get(given) or ("rss20" if given.startswith("2.") else "rss")
        return version
    if name == "feed":
        return version or _ATOM_VERSIONS.get(attrs.get("version", ""), "atom")
    if name == "rdf_rdf":
        # nothing else sets an RDF document's version: the first telling declaration in
        # document order does, wherever it is (often on the channel)
        version = version or _version_below(root)
        if version:
            return version
    raise Decline(f"the root element {name!r} is not one the fast path reads")


def _declared_version(declarations: Iterable[tuple[str | None, str]]) -> str:
    for prefix, uri in declarations:
        lowered = str(uri).lower()
        if prefix is None and lowered == "http://my.netscape.com/rdf/simple/0.9/":
            return "rss090"
        if lowered == "http://purl.org/rss/1.0/":
            return "rss10"
        if lowered == "http://www.w3.org/2005/atom":
            return "atom10"
    return ""


def _version_below(root: Node) -> str:
    """The version from the first element below the root that declares a telling namespace."""
    parents: dict[Any, dict[str | None, str]] = {root: cast(Any, root).nsmap}
    for element in cast(Any, root).iterdescendants():
        inherited = parents[element.getparent()]
        scope: dict[str | None, str] = element.nsmap
        parents[element] = scope
        own = [(prefix, uri) for prefix, uri in scope.items() if inherited.get(prefix) != uri]
        version = _declared_version(own)
        if version:
            return version
    return ""


def _feed(reader: Reader, url: str, max_items: int, notes: list[str]) -> ParsedFeed:
    """The records mapped as ``xmlfeed.parse_xml`` maps feedparser's."""
    feed = reader.feed
    return assemble(
        feed,
        reader.entries,
        version=reader.version,
        url=url,
        max_items=max_items,
        notes=notes,
        item=partial(_item, captions=frozenset(reader.captions)),
        skip_hours=frozenset(
            int(h) % 24
            for h in reader.skip_hours or ()
            if re.fullmatch(r"\d{1,2}", h) and int(h) <= 24
        ),
        skip_days=frozenset(
            day for day in _DAYS for given in reader.skip_days or () if given.lower() == day.lower()
        ),
        update_period=(feed.get("sy_updateperiod"), feed.get("sy_updatefrequency")),
    )


def _item(
    entry: Record, feed_url: str, feed_author: str | None, captions: frozenset[str]
) -> ParsedItem | None:
    """``xmlfeed._item`` over our record; dates read without feedparser's struct_time."""
    base = resolve_base(
        _detail_base(entry, ("title_detail", "summary_detail")) or _content_base(entry), feed_url
    )
    guid = clean_id(entry.get("id"))
    link = absolute_url(entry.get("link"), base)
    if link is None and guid is not None and guid.lower().startswith(("http://", "https://")):
        link = absolute_url(guid, None)
    summary_html = None
    summary = entry.get("summary_detail")
    if summary is not None:
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
        published=_date(entry.get("published")),
        updated=_date(entry.get("updated")),
        summary_html=summary_html,
        content_html=content_html,
        enclosures=enclosures,
        categories=_categories(entry),
        image=_item_image(entry, base, enclosures),
    )


def _date(raw: object) -> datetime | None:
    """``xmlfeed._date``: ours first, then feedparser's date readers, then our last resort."""
    strict = parse_date(raw, loose=False)
    if strict is not None or not isinstance(raw, str) or not raw:
        return strict
    parsed: time.struct_time | None = _parse_date(raw)
    return from_struct_time(parsed) or parse_date(raw)
