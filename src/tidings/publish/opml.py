"""OPML subscription lists in (import) and out (export).

Import reads what real readers export (Feedly, Inoreader, Miniflux, FreshRSS, NetNewsWire ...),
which is looser than the OPML 2.0 spec: attribute names in any case, feeds listed once per folder,
folders nested several deep. Anything that cannot become a subscription is skipped with a
warning a person can act on, never silently and never by failing the whole import.

OPML comes from users and from URLs, so it is hostile input: a document with a DOCTYPE (where
entities are declared: billion laughs, XXE) is refused outright rather than parsed carefully.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pyexpat import ExpatError, ParserCreate, XMLParserType
from typing import NoReturn
from urllib.parse import urlsplit

from tidings.errors import OPMLError
from tidings.i18n import gettext as _

__all__ = [
    "MAX_BYTES",
    "MAX_FEEDS",
    "MAX_OUTLINES",
    "OPMLDocument",
    "OPMLEntry",
    "parse_opml",
    "write_opml",
]

MAX_OUTLINES = 100_000
"""More outlines than this is not a subscription list but an attack or a mistake."""
MAX_FEEDS = 10_000
"""More feeds than this is refused too: each is a subscription to store and fetch (10,000
import in a few seconds; 100,000 would hold the request for half a minute)."""
MAX_BYTES = 5 * 1024 * 1024
"""The largest document read, whoever hands it over (the admin form, a URL, the command line)."""

_FEED_TYPES = frozenset({"rss", "atom"})
_WEB_SCHEMES = frozenset({"http", "https"})
# Characters XML 1.0 cannot carry at all, not even as references.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class OPMLEntry:
    """One subscription as OPML carries it: the feed, its display name, its site, its folders."""

    url: str
    title: str | None
    site_url: str | None
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OPMLDocument:
    """What an import found: the feeds, and one readable line per outline it had to skip."""

    entries: tuple[OPMLEntry, ...]
    warnings: tuple[str, ...]
    title: str | None


# --- reading ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Frame:
    """An open element while expat streams through the document."""

    name: str
    line: int
    in_body: bool = False
    attrs: dict[str, str] = field(default_factory=dict)
    is_folder: bool = False
    folder: str | None = None
    children: int = 0
    text: list[str] | None = None


def _shorten(text: str, limit: int = 120) -> str:
    """Keep warnings readable when a hostile document has a megabyte-long title."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _url_problem(url: str) -> str | None:
    """Why ``url`` cannot be subscribed to, or None. Only absolute http(s) URLs are fetched."""
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return _("the URL %(url)r contains spaces or control characters") % {"url": _shorten(url)}
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return _("%(url)r is not a valid URL") % {"url": _shorten(url)}
    if parts.scheme.lower() not in _WEB_SCHEMES:
        return _("%(url)r is not an http(s) URL") % {"url": _shorten(url)}
    if not host:
        return _("the URL %(url)r has no host") % {"url": _shorten(url)}
    return None


def _label(attrs: dict[str, str]) -> str | None:
    """The name a person gave the outline: ``text`` is what readers display, ``title`` the fallback.

    (OPML 2.0 says ``title`` is the feed's own title, and readers keep a renamed feed's new name
    in ``text``, so ``text`` wins.)
    """
    for key in ("text", "title"):
        value = attrs.get(key, "").strip()
        if value:
            return value
    return None


def _category_attribute(value: str, folder: str | None) -> list[str]:
    """Categories from ``category="/Tech/Python,News"``: the last segment of each path.

    A path that spells out the enclosing folder's whole name is that folder, so that a folder
    named "A/B" or "A, B" (which write_opml lists first) does not also come back as "B".
    """
    names: list[str] = []
    rest = value.strip()
    if folder is not None:
        prefix = "/" + folder
        if rest == prefix or rest.startswith(prefix + ","):
            names.append(folder)
            rest = rest[len(prefix) + 1 :]
    for path in rest.split(","):
        path = path.strip()
        if not path:
            continue
        if folder is not None and path.strip("/").strip() == folder:
            names.append(folder)
            continue
        segments = [segment.strip() for segment in path.split("/") if segment.strip()]
        if segments:
            names.append(segments[-1])
    return names


class _Reader:
    """Streams the document once, keeping only the open elements and the entries found."""

    def __init__(self) -> None:
        self.stack: list[_Frame] = []
        self.entries: list[OPMLEntry] = []
        self.first_seen: dict[str, tuple[int, int]] = {}  # url -> (index in entries, line)
        self.warnings: list[str] = []
        self.outlines = 0
        self.saw_body = False
        self.title: str | None = None
        self.parser: XMLParserType = ParserCreate()
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._refuse_doctype
        self.parser.EntityDeclHandler = self._refuse_entity
        self.parser.ExternalEntityRefHandler = self._refuse_external
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._data

    def _refuse_doctype(self, *_args: object) -> NoReturn:
        raise OPMLError(
            _(
                "the document has a DOCTYPE, which OPML never needs; refused because it can "
                "declare entities (entity expansion, external entities)"
            )
        )

    def _refuse_entity(self, *_args: object) -> NoReturn:
        raise OPMLError(_("the document declares an entity; refused"))

    def _refuse_external(self, *_args: object) -> NoReturn:
        raise OPMLError(_("the document refers to an external entity; refused"))

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.lower()
        line = self.parser.CurrentLineNumber
        parent = self.stack[-1] if self.stack else None
        frame = _Frame(tag, line)
        if parent is None:
            if tag != "opml":
                raise OPMLError(
                    _("not an OPML document: the root element is <%(name)s>")
                    % {"name": _shorten(name)}
                )
        elif tag == "body" and len(self.stack) == 1:
            self.saw_body = True
            frame.in_body = True
        elif tag == "title" and [f.name for f in self.stack] == ["opml", "head"]:
            frame.text = []
        elif tag == "outline":
            self.outlines += 1
            if self.outlines > MAX_OUTLINES:
                raise OPMLError(_("more than %(n)s outlines; refused") % {"n": f"{MAX_OUTLINES:,}"})
            if parent.in_body:
                parent.children += 1
                frame.in_body = True
                self._outline(frame, attrs)
        self.stack.append(frame)

    def _end(self, _name: str) -> None:
        frame = self.stack.pop()
        if frame.text is not None:
            self.title = "".join(frame.text).strip() or None
        elif frame.in_body and frame.is_folder and frame.children == 0:
            self._warn(frame, self._not_a_feed_reason(frame.attrs))

    def _data(self, text: str) -> None:
        if self.stack and self.stack[-1].text is not None:
            self.stack[-1].text.append(text)

    def _warn(self, frame: _Frame, reason: str) -> None:
        attrs = frame.attrs
        name = _label(attrs) or attrs.get("xmlurl", "").strip() or attrs.get("url", "").strip()
        shown = f'"{_shorten(name)}"' if name else _("without a name")
        self.warnings.append(
            _("line %(line)s: outline %(outline)s skipped: %(reason)s")
            % {"line": frame.line, "outline": shown, "reason": reason}
        )

    @staticmethod
    def _not_a_feed_reason(attrs: dict[str, str]) -> str:
        if "xmlurl" in attrs:
            return _("its xmlUrl is empty")
        kind = attrs.get("type", "").strip().lower()
        if kind in _FEED_TYPES:
            return _('type "%(kind)s" but no xmlUrl') % {"kind": kind}
        if attrs.get("url", "").strip():
            return _("it is a link, not a feed (no xmlUrl)")
        return _("no xmlUrl (an empty folder, or not a feed)")

    def _outline(self, frame: _Frame, raw: dict[str, str]) -> None:
        attrs: dict[str, str] = {}
        for key, value in raw.items():
            attrs.setdefault(key.lower(), value)
        frame.attrs = attrs
        url = attrs.get("xmlurl", "").strip()
        if not url and attrs.get("type", "").strip().lower() in _FEED_TYPES:
            url = attrs.get("url", "").strip()
        if not url:
            # A folder, unless it turns out to have no outlines inside (warned at its end).
            frame.is_folder = True
            frame.folder = _label(attrs)
            return
        problem = _url_problem(url)
        if problem is not None:
            self._warn(frame, problem)
            return
        site_url = attrs.get("htmlurl", "").strip() or None
        if site_url is not None and (site_problem := _url_problem(site_url)) is not None:
            self.warnings.append(
                _("line %(line)s: htmlUrl of %(url)s ignored: %(problem)s")
                % {"line": frame.line, "url": _shorten(url), "problem": site_problem}
            )
            site_url = None
        folder = next((f.folder for f in reversed(self.stack) if f.folder is not None), None)
        names = [folder] if folder is not None else []
        names += _category_attribute(attrs.get("category", ""), folder)
        categories = tuple(dict.fromkeys(names))
        if url in self.first_seen:
            self._merge_duplicate(frame, url, categories)
            return
        if len(self.entries) >= MAX_FEEDS:
            raise OPMLError(
                _("more than %(n)s feeds; refused (import them in parts)") % {"n": f"{MAX_FEEDS:,}"}
            )
        self.first_seen[url] = (len(self.entries), frame.line)
        self.entries.append(OPMLEntry(url, _label(attrs), site_url, categories))

    def _merge_duplicate(self, frame: _Frame, url: str, categories: tuple[str, ...]) -> None:
        """Readers export a feed once per folder it is in: keep the first, add the folders."""
        index, first_line = self.first_seen[url]
        kept = self.entries[index]
        added = tuple(c for c in categories if c not in kept.categories)
        said = {"url": _shorten(url), "line": first_line, "categories": ", ".join(added)}
        if added:
            self.entries[index] = replace(kept, categories=kept.categories + added)
            why = _(
                "duplicate of %(url)s (first at line %(line)s); its categories %(categories)s "
                "were added to the first"
            )
        else:
            why = _("duplicate of %(url)s (first at line %(line)s)")
        self._warn(frame, why % said)

    def read(self, data: bytes) -> OPMLDocument:
        if len(data) > MAX_BYTES:
            raise OPMLError(
                _("the document is %(size)s bytes, over the %(limit)s MB limit; refused")
                % {"size": f"{len(data):,}", "limit": MAX_BYTES >> 20}
            )
        if not data.strip():
            raise OPMLError(_("the document is empty"))
        try:
            self.parser.Parse(data, True)
        except ExpatError as exc:
            raise OPMLError(_("not well-formed XML: %(exc)s") % {"exc": exc}) from exc
        if not self.saw_body:
            raise OPMLError(_("no <body> element: not an OPML subscription list"))
        return OPMLDocument(tuple(self.entries), tuple(self.warnings), self.title)


def parse_opml(data: bytes) -> OPMLDocument:
    """Read an OPML 1.0/2.0 subscription list; see the module docstring for what is tolerated.

    Raises OPMLError when the bytes are not an OPML document at all, have a DOCTYPE, are over
    MAX_BYTES, or have more than MAX_OUTLINES outlines or MAX_FEEDS feeds. Feeds inside nested
    folders get the innermost folder as their category, plus the last segment of each path in
    their ``category`` attribute.
    """
    return _Reader().read(data)


# --- writing ---------------------------------------------------------------------------------


def _xml_text(text: str) -> str:
    """Drop the few characters XML cannot carry (NUL, most C0 controls), so output always parses."""
    return _NOT_XML_CHAR.sub("", text)


def _entry_attrs(entry: OPMLEntry, categories: list[str]) -> dict[str, str]:
    title = _xml_text(entry.title or "").strip()
    attrs = {"type": "rss", "text": title}
    if title:
        attrs["title"] = title
    attrs["xmlUrl"] = _xml_text(entry.url)
    if entry.site_url:
        attrs["htmlUrl"] = _xml_text(entry.site_url)
    if len(categories) > 1:
        attrs["category"] = ",".join("/" + name for name in categories)
    return attrs


def write_opml(entries: Iterable[OPMLEntry], *, title: str, now: datetime) -> bytes:
    """An OPML 2.0 export (UTF-8) that other readers import: one folder per first category.

    Feeds are grouped under their first category, folders in order of first appearance, feeds
    without a category at the top level; every category is also listed in ``category`` when
    there are several. ``parse_opml`` reads the result back to the same entries, grouped.
    A feed without a title gets ``text=""`` (the attribute is required) so that it reads back
    as untitled. Names are trimmed, empty categories dropped.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_text(title)
    when = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    ET.SubElement(head, "dateCreated").text = format_datetime(when, usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for entry in entries:
        categories = list(
            dict.fromkeys(name for c in entry.categories if (name := _xml_text(c).strip()))
        )
        parent = body
        if categories:
            first = categories[0]
            if first not in folders:
                folders[first] = ET.SubElement(body, "outline", text=first, title=first)
            parent = folders[first]
        ET.SubElement(parent, "outline", _entry_attrs(entry, categories))
    ET.indent(root, space="  ")
    out = io.BytesIO()
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=False)
    out.write(b"\n")
    return out.getvalue()
