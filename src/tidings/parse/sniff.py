"""What kind of document a body is, from its first bytes and the Content-Type.

The bytes decide: servers label feeds text/html, text/plain or application/octet-stream often
enough that the header is only a tie-breaker. An HTML page (a login wall, a "document moved"
page, a site's home page) is refused with a message saying so; discovery of the feed it links
to is the fetch layer's job.
"""

from __future__ import annotations

import codecs
import re
from enum import Enum

from tidings.errors import NotAFeedError, ParseError


class Kind(Enum):
    JSON = "json"
    XML = "xml"


_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_HEAD_BYTES = 8192
# Prolog items an XML or HTML document may start with before its first element.
_PROLOG_ITEM = re.compile(
    r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s+([^\s>\[]+)[^>\[]*(?:\[.*?\])?\s*>",
    re.DOTALL | re.IGNORECASE,
)
_ELEMENT = re.compile(r"<([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)")
_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel", "entry", "scriptingnews"})
_HTML_ROOTS = frozenset(
    {
        "html", "head", "body", "meta", "title", "link", "script", "style", "div", "p", "table",
        "a", "br", "h1", "h2", "h3", "iframe", "form", "img", "span", "center", "noscript",
    }
)  # fmt: skip
_XML_LATER = re.compile(r"<\?xml\s|<(?:[\w.\-]+:)?(?:rss|feed|RDF)[\s>]")


def _head_text(body: bytes) -> str:
    """The start of the body as text, good enough to look at markup (not for content)."""
    head = body[:_HEAD_BYTES]
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore")
    if len(head) >= 4:
        if head[0] == 0 and head[1] and head[2] == 0:
            return head.decode("utf-16-be", errors="ignore")
        if head[0] and head[1] == 0 and head[2] and head[3] == 0:
            return head.decode("utf-16-le", errors="ignore")
        if head[:3] == b"\x00\x00\x00" or head[1:4] == b"\x00\x00\x00":
            return head.decode("utf-32-be" if head[0] == 0 else "utf-32-le", errors="ignore")
        if head.startswith(b"\x4c\x6f\xa7\x94"):
            return head.decode("cp037", errors="ignore")
    return head.decode("latin-1")


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _root_element(text: str) -> str | None:
    """The local name of the first element after the prolog, lower-cased; '!html' for an HTML
    doctype."""
    pos = 0
    while True:
        match = _PROLOG_ITEM.match(text, pos)
        if match is None or match.end() == pos:
            break
        if match.group(1) and match.group(1).lower() == "html":
            return "!html"
        pos = match.end()
    element = _ELEMENT.match(text, pos)
    if element is None:
        return None
    return element.group(1).rsplit(":", 1)[-1].lower()


def sniff(body: bytes, content_type: str | None = None) -> Kind:
    """JSON or XML; raises ParseError for an empty body, NotAFeedError for anything else."""
    text = _head_text(body).lstrip("\ufeff")
    stripped = text.lstrip()
    media = _media_type(content_type)
    if not stripped:
        core = next((body[len(bom) :] for bom, _ in _BOMS if body.startswith(bom)), body)
        if not core.strip(b" \t\r\n\x00"):
            raise ParseError("the document is empty")
        raise NotAFeedError(_describe(body, media), permanent=True)
    if stripped[0] in "{[":
        return Kind.JSON
    if stripped[0] == "<":
        root = _root_element(stripped)
        if root == "!html" or (root in _HTML_ROOTS and root not in _FEED_ROOTS):
            raise NotAFeedError("the document is an HTML page, not a feed", permanent=True)
        if root is None and "html" in media:
            raise NotAFeedError("the document is an HTML page, not a feed", permanent=True)
        return Kind.XML
    if _XML_LATER.search(text) is not None:
        return Kind.XML  # text before the XML, e.g. a PHP warning; the XML reader drops it
    if "json" in media:
        return Kind.JSON  # let the JSON reader say where it breaks
    raise NotAFeedError(_describe(body, media), permanent=True)


def _describe(body: bytes, media: str) -> str:
    kind = "binary data" if b"\x00" in body[:512] or _looks_binary(body[:512]) else "text"
    start = body[:16].decode("latin-1").encode("unicode_escape").decode("ascii")
    reason = f"the document is not a feed: it is {kind} that is neither XML nor JSON"
    reason += f" (it starts with {start!r}"
    return reason + (f", content type {media})" if media else ")")


def _looks_binary(sample: bytes) -> bool:
    controls = sum(1 for b in sample if b < 0x09 or 0x0E <= b < 0x20)
    return controls > len(sample) // 20
