"""Feed discovery helpers: pure functions over a page already fetched.

Which URLs to try when a subscriber gives a web page instead of a feed. Fetching the candidates
(through the guarded client, so a link to an internal address is refused like any other URL) and
parsing them happens in the update layer.
"""

from __future__ import annotations

import codecs
from html.parser import HTMLParser
from typing import Final
from urllib.parse import urljoin, urlsplit

FEED_TYPES: Final = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
    }
)
GUESSED_PATHS: Final = (
    "/feed",
    "/feed/",
    "/rss",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
    "/feed.json",
    "/?feed=rss2",
)
# feed links live in <head>; parsing a few hundred KiB bounds the time a hostile page can cost
# (html.parser has had quadratic cases on malformed input)
MAX_SCAN: Final = 512 * 1024
_HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
_WHITESPACE: Final = " \t\n\r\f"


def _decode(body: bytes) -> str:
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        # the usual legacy page encoding; URLs in <head> are ASCII nearly always anyway
        return body.decode("cp1252", errors="replace")


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")  # the first of duplicated attributes wins
        if tag == "base" and self.base is None and values.get("href", "").strip(_WHITESPACE):
            self.base = values["href"].strip(_WHITESPACE)
        elif tag == "link":
            rel = values.get("rel", "").lower().split()
            mime = values.get("type", "").split(";", 1)[0].strip(_WHITESPACE).lower()
            href = values.get("href", "").strip(_WHITESPACE)
            if "alternate" in rel and mime in FEED_TYPES and href:
                self.links.append(href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _absolute_http(href: str, base: str) -> str | None:
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return parts._replace(fragment="").geturl()


def feed_links_in_html(body: bytes, base_url: str) -> list[str]:
    """Absolute http(s) URLs of the page's feed ``<link rel="alternate">``, in document order."""
    collector = _LinkCollector()
    collector.feed(_decode(body[:MAX_SCAN]))
    collector.close()
    base = base_url
    if collector.base is not None:
        base = _absolute_http(collector.base, base_url) or base_url
    found: dict[str, None] = {}
    for href in collector.links:
        url = _absolute_http(href, base)
        if url is not None:
            found.setdefault(url)
    return list(found)


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    """Whether an answer is a web page (to search for feed links) rather than a feed.

    The body decides when it can: servers label feeds text/html and pages text/xml often enough.
    """
    head = body[:4096].lstrip(b"\xef\xbb\xbf" + _WHITESPACE.encode()).lower()
    if head.startswith((b"{", b"[")):
        return False  # JSON: a JSON Feed or nothing we can discover from
    markers = [head.find(m) for m in (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")]
    first_feed = min((m for m in markers if m >= 0), default=-1)
    pages = [head.find(m) for m in (b"<!doctype html", b"<html", b"<head", b"<body")]
    first_page = min((p for p in pages if p >= 0), default=-1)
    if first_page >= 0 and (first_feed < 0 or first_page < first_feed):
        return True
    if first_feed >= 0:
        return False
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    return mime in _HTML_TYPES


def _directories(path: str) -> list[str]:
    """The page's own directories, deepest first, then the root: ``/blog/`` gives ``/blog/`` and
    ``/``; ``/blog`` (a last segment with no extension may be a directory too) the same."""
    if not path.startswith("/"):
        path = "/" + path
    head, _, last = path.rpartition("/")
    found = []
    if last and "." not in last:
        found.append(f"{path}/")
    found.append(f"{head}/")
    return [*dict.fromkeys(d for d in found if d != "/"), "/"]


def guess_feed_urls(url: str) -> list[str]:
    """The usual feed locations beside the page first (``/blog/feed`` for a page at ``/blog/``),
    then on the page's origin, most common first."""
    try:
        parts = urlsplit(url.strip(_WHITESPACE))
    except ValueError:
        return []
    scheme = parts.scheme.lower()
    host = parts.netloc.rpartition("@")[2]  # never carry credentials to guessed URLs
    if scheme not in ("http", "https") or not host:
        return []
    return [
        f"{scheme}://{host}{directory}{path[1:]}"
        for directory in _directories(parts.path)
        for path in GUESSED_PATHS
    ]
