"""HTML from feeds made safe to show: nh3 (ammonia) against an explicit allowlist.

Every HTML field is cleaned here at ingest. The allowlist keeps text structure, images and media;
no style, class, id or event handler survives, URLs are absolute http(s) (mailto on links) after
resolution against the item's base, and links get ``rel="noopener noreferrer"``. The output is a
fixed point: cleaning it again changes nothing.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import replace

import nh3

from tidings.parse.text import DROP_WITH_CONTENT, clean_text, html_to_text, text_to_html, too_deep
from tidings.parse.urls import LINK_SCHEMES, WEB_SCHEMES, absolute_url, safe_srcset
from tidings.types import ParsedFeed

log = logging.getLogger(__name__)

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        # text structure
        "p", "br", "hr", "div", "span", "blockquote", "q", "cite", "pre", "code", "kbd", "samp",
        "var", "h1", "h2", "h3", "h4", "h5", "h6", "address",
        # inline
        "a", "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "abbr", "dfn", "time",
        "del", "ins", "mark", "wbr", "bdi", "bdo", "ruby", "rt", "rp",
        # lists
        "ul", "ol", "li", "dl", "dt", "dd",
        # tables
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
        # media
        "img", "figure", "figcaption", "picture", "source", "audio", "video",
        # disclosure
        "details", "summary",
    }
)  # fmt: skip

_GENERIC = {"title", "lang", "dir"}
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset(_GENERIC),
    "a": frozenset({"href", "hreflang"}),
    "img": frozenset({"src", "srcset", "sizes", "alt", "width", "height"}),
    "source": frozenset({"src", "srcset", "sizes", "type", "media", "width", "height"}),
    "audio": frozenset({"src", "controls", "loop", "muted", "preload"}),
    "video": frozenset(
        {"src", "controls", "loop", "muted", "preload", "poster", "width", "height"}
    ),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "time": frozenset({"datetime"}),
    "td": frozenset({"colspan", "rowspan", "headers"}),
    "th": frozenset({"colspan", "rowspan", "headers", "scope", "abbr"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "details": frozenset({"open"}),
}

_URL_ATTRS = frozenset({"src", "poster", "cite"})
_INTEGER_ATTRS = frozenset({"colspan", "rowspan", "span", "start", "value"})
_SIZE_ATTRS = frozenset({"width", "height"})
_PRE_NEWLINE = re.compile(r'(<pre(?:\s+[^\s=>]+="[^"]*")*>)\n')
_INTEGER = re.compile(r"-?\d{1,6}")
_SIZE = re.compile(r"\d{1,5}(?:\.\d+)?%?")
_MIME = re.compile(r"[A-Za-z0-9][\w.+\-]*/[\w.+\-]+(?:\s*;\s*[\w.\-]+=(?:\"[^\"<>]*\"|[\w.\-,]+))*")
_ENUMS: dict[str, frozenset[str]] = {
    "dir": frozenset({"ltr", "rtl", "auto"}),
    "scope": frozenset({"row", "col", "rowgroup", "colgroup"}),
    "preload": frozenset({"none", "metadata", "auto"}),
    "type": frozenset({"1", "a", "A", "i", "I"}),  # <ol type>; <source type> is checked as MIME
}


def _filter_attribute(base_url: str | None, tag: str, attribute: str, value: str) -> str | None:
    """nh3 calls this for every attribute it kept; None drops it.

    nh3 checks URL schemes *before* this callback and lets relative URLs through, so the URL
    checks here are the ones that count: resolve, then allow only absolute http(s) (and mailto on
    links). ``srcset`` is not a URL attribute to nh3 at all.
    """
    if attribute == "href":
        return absolute_url(value, base_url, schemes=LINK_SCHEMES)
    if attribute in _URL_ATTRS:
        return absolute_url(value, base_url, schemes=WEB_SCHEMES)
    if attribute == "srcset":
        return safe_srcset(value, base_url)
    if attribute in _INTEGER_ATTRS:
        return value.strip() if _INTEGER.fullmatch(value.strip()) else None
    if attribute in _SIZE_ATTRS:
        return value.strip() if _SIZE.fullmatch(value.strip()) else None
    if attribute == "type" and tag == "source":
        return value.strip() if _MIME.fullmatch(value.strip()) else None
    if attribute in _ENUMS:
        return value if value in _ENUMS[attribute] or value.lower() in _ENUMS[attribute] else None
    return value


class _Base(threading.local):
    """The base URL of the field being cleaned, for the one shared Cleaner's attribute filter."""

    url: str | None = None


_BASE = _Base()


def _filter_for_current_base(tag: str, attribute: str, value: str) -> str | None:
    return _filter_attribute(_BASE.url, tag, attribute, value)


# Built once: nh3.clean() converts the allowlist into a new ammonia Builder on every call, which
# cost about as much as the cleaning itself on the corpus. The base URL differs per field, so the
# filter reads it from a thread-local set around each call.
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROP_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_for_current_base,
    strip_comments=True,
    link_rel="noopener noreferrer",
    url_schemes=set(LINK_SCHEMES),
)


def sanitize_html(html: str, base_url: str | None) -> str:
    """Safe HTML for an item's summary or content; relative URLs resolved against ``base_url``."""
    html = clean_text(html)
    if not html.strip():
        return ""
    if "<" not in html and "&" not in html and not html.startswith("\ufeff"):
        # text without markup: what html5ever would write back for it, without the round trip
        # (a third of the fields in real feeds; a test holds it equal to the Cleaner's output)
        return plain_text_as_html(html)
    if too_deep(html):
        log.warning("HTML nested deeper than the sanitizer allows; keeping its text only")
        html = text_to_html(html_to_text(html))
    previous, _BASE.url = _BASE.url, base_url
    try:
        cleaned = _clean_once(html)
        # an element the cleaner unwraps can leave nesting no parser would build (<h1> inside
        # <h1> once a <foo> between them is gone), which the next pass rebuilds differently:
        # clean again until nothing changes, so that the output is a fixed point
        for _ in range(3 if _unwraps(html) else 0):
            again = _clean_once(cleaned)
            if again == cleaned:
                break
            cleaned = again
    finally:
        _BASE.url = previous
    return cleaned


def _clean_once(html: str) -> str:
    # character references decode to what the next pass would change ("&#1;" is removed by
    # clean_text, "&#13;" read as a newline): do it now, so the output is a fixed point
    cleaned = clean_text(_CLEANER.clean(html))
    if "\r" in cleaned:
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    # A parser drops one newline right after <pre>; html5ever's serializer does not write the
    # extra one the HTML standard asks for, so each pass would eat a line. Put it back.
    return _PRE_NEWLINE.sub("\\1\n\n", cleaned) if "<pre" in cleaned else cleaned


_START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*)")


def _unwraps(html: str) -> bool:
    """Whether ``html`` has an element the cleaner removes but keeps the content of."""
    return any(
        name not in ALLOWED_TAGS and name not in DROP_WITH_CONTENT
        for name in {m.lower() for m in _START_TAG.findall(html)}
    )


def plain_text_as_html(text: str) -> str:
    """HTML for text with no "<", "&" or leading BOM, exactly as the sanitizer would write it."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace(">", "&gt;").replace("\xa0", "&nbsp;")


def restrict_tags(html: str, tags: frozenset[str]) -> str:
    """Narrow already sanitized HTML to a subset of the allowlist (a site's own choice).

    Only ever removes: a tag outside ``ALLOWED_TAGS`` is not allowed back in. Removed tags keep
    their text, except those whose content is never shown (scripts, styles ...).
    """
    keep = set(tags & ALLOWED_TAGS)
    return nh3.clean(
        html,
        tags=keep,
        clean_content_tags=set(DROP_WITH_CONTENT) - keep,
        attributes={
            t: set(names) for t, names in ALLOWED_ATTRIBUTES.items() if t in keep or t == "*"
        },
        strip_comments=True,
        link_rel="noopener noreferrer" if "a" in keep else None,
        url_schemes=set(LINK_SCHEMES),
    )


def restrict_feed(parsed: ParsedFeed, tags: frozenset[str]) -> ParsedFeed:
    """The same feed with every item's HTML narrowed to ``tags``."""

    def narrow(html: str | None) -> str | None:
        return (restrict_tags(html, tags).strip() or None) if html else html

    items = tuple(
        replace(i, summary_html=narrow(i.summary_html), content_html=narrow(i.content_html))
        for i in parsed.items
    )
    return replace(parsed, items=items)
