"""RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 read on lxml: the first path to ParsedFeed.

feedparser reads about 1 MB/s, mostly in its per-element Python machinery; lxml builds the tree
in C at around 100 MB/s. This path prepares the document exactly as the feedparser path does
(``prepare``), builds the tree with a locked-down lxml parser, reads it into feedparser-shaped
records (``lxmlread``) and maps those with the feedparser path's mapping (``mapping``), so both
paths give the same ParsedFeed. Whatever it is not sure of (XML that is not well-formed, a
DOCTYPE that still declares entities, an unknown root, odd namespaces or markup) raises
:class:`Decline`, and ``parse_feed`` hands the document to feedparser instead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any, cast

from lxml import etree  # type: ignore[import-untyped]

from tidings.parse.lxmldates import FeedparserDates
from tidings.parse.lxmlnodes import Decline, Node, attributes, name_of
from tidings.parse.lxmlread import Reader
from tidings.parse.mapping import Records, map_feed
from tidings.parse.prepare import prepare_xml
from tidings.types import ParsedFeed

__all__ = [
    "Decline",
    "build_tree",
    "document_version",
    "has_bases",
    "parse_lxml",
    "read_records",
    "records_of",
]

_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
_ATOM_VERSIONS = {"0.1": "atom01", "0.2": "atom02", "0.3": "atom03"}
_DOCTYPE = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
# an attribute that child_base reads (xml:base, base): most documents have none, and their walk
# skips looking for one on every element
_BASE_ATTRIBUTE = re.compile(r"base\s*=")


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


def parse_lxml(body: bytes, *, url: str, headers: Mapping[str, str], max_items: int) -> ParsedFeed:
    """Parse an XML feed on lxml; raises Decline when feedparser should read it instead."""
    reader, notes = read_records(body, url=url, headers=headers)
    return map_feed(records_of(reader), url=url, max_items=max_items, notes=notes)


def read_records(body: bytes, *, url: str, headers: Mapping[str, str]) -> tuple[Reader, list[str]]:
    """The document read into feedparser-shaped records (``reader.feed``, ``reader.entries``),
    and the notes about its preparation. Also what the feedparser test suite's adapter reads."""
    prepared = prepare_xml(body, headers)
    root = build_tree(prepared.text)
    name = name_of(root)
    version = prepared.version(document_version(root, name))
    reader = Reader(
        version, headers.get("content-language") or None, bases=has_bases(prepared.text)
    )
    reader.read_root(root, name, url)
    return reader, prepared.notes


def has_bases(text: str) -> bool:
    """Whether any element of the document may set its base URI (xml:base or base)."""
    for match in _BASE_ATTRIBUTE.finditer(text):  # a literal first: a fast scan
        before = text[match.start() - 1 : match.start()]
        if before == ":" or before.isspace():
            return True
    return False


def build_tree(text: str) -> Node:
    """The prepared text as an lxml tree; Decline where lxml cannot read it as feedparser would."""
    if _DOCTYPE.search(text, 0, 4096):
        raise Decline("the document keeps entity declarations")  # lxml would not expand them
    try:
        tree = etree.fromstring(text.encode("utf-8"), _PARSERS.parser)
    except etree.XMLSyntaxError as exc:
        raise Decline(f"the XML is not well-formed ({exc})") from exc
    if tree.getroottree().docinfo.doctype:  # the search above only looks at the start
        raise Decline("the document keeps entity declarations")
    return cast(Node, tree)


def records_of(reader: Reader) -> Records:
    """The reader's walk as records for the mapping."""
    return Records(
        version=reader.version,
        feed=reader.feed,
        entries=reader.entries,
        captions=frozenset(reader.captions),
        skip_hours=reader.skip_hours or (),
        skip_days=reader.skip_days or (),
        feedparser_date=FeedparserDates(reader.entries),
    )


def document_version(root: Node, name: str) -> str:
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
