"""HTML from feeds made safe to show: nh3 (ammonia) against an explicit allowlist.

Every HTML field is cleaned here at ingest. The allowlist keeps text structure, images and media;
no style, class, id or event handler survives, URLs are absolute http(s) (mailto on links) after
resolution against the item's base, and links get ``rel="noopener noreferrer"``. The output is a
fixed point: cleaning it again changes nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

import nh3

from tidings.parse.text import (
    DROP_WITH_CONTENT,
    MAX_DEPTH,
    clean_text,
    html_to_text,
    text_to_html,
    too_deep,
)
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
    """The value an attribute kept by nh3 may have, None to drop it.

    nh3 checks the schemes of ``href`` and ``src`` and lets relative URLs through, so the URL
    checks here are the ones that count: resolve, then allow only absolute http(s) (and mailto on
    links). ``srcset``, ``poster`` and ``cite`` are not URL attributes to nh3 at all.
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


# Built once: nh3.clean() converts the allowlist into a new ammonia Builder on every call, which
# cost about as much as the cleaning itself on the corpus. No attribute_filter: a Python callback
# would take the GIL back for every attribute, where clean() alone releases it for the whole
# document; the attributes are checked afterwards in one pass over the output (``_check``).
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROP_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    strip_comments=True,
    link_rel="noopener noreferrer",
    url_schemes=set(LINK_SCHEMES),
)

# html5ever writes every start tag that has attributes as <name name="value" ...>: lower-case
# names (ours are letters and digits), every value double-quoted with ", & and no-break space
# escaped, and < and > too in the versions that escape them there (asked once, below). Text
# never holds a raw "<", so such a tag is found by one pattern; one that is written otherwise
# is not checked but refused (``_UnexpectedMarkup``).
_CHECKED = frozenset({"href", "srcset", "type", "dir", "scope", "preload"}) | (
    _URL_ATTRS | _INTEGER_ATTRS | _SIZE_ATTRS
)
_ANY = r' [a-z]+="[^"]*"'
# what absolute_url's _PLAIN_WEB_URL accepts, as html5ever writes it (& as &amp;, no &nbsp;)
_URL_START = r'[^/?#\[\]\x00-\x20"&\x80-\U0010ffff]'
_URL_PART = r'[^\[\]\x00-\x20"&\x80-\U0010ffff]'
_PLAIN_URL = (
    rf'(?=[^"]{{1,8192}}")[Hh][Tt][Tt][Pp][Ss]?://(?:{_URL_START}|&amp;){_URL_PART}*'
    rf'(?:&amp;{_URL_PART}*)*"'
)
# attributes _filter_attribute keeps as they are, told apart without calling it: a URL it
# returns unchanged, a plain integer or size, a direction, or an attribute it does not check
_KEPT = (
    rf' (?:(?:href|src|poster|cite)="{_PLAIN_URL}'
    r'|(?:colspan|rowspan|span|start|value)="-?\d{1,6}"'
    r'|(?:width|height)="\d{1,5}(?:\.\d+)?%?"'
    r'|dir="(?:ltr|rtl|auto)"'
    rf'|(?!(?:{"|".join(sorted(_CHECKED))})=")[a-z]+="[^"]*")'
)
_ATTRIBUTE = re.compile(r' ([a-z]+)="([^"]*)"')
# a start tag with anything after its name (most fields have none)
_WITH_ATTRIBUTES = re.compile(r"<[A-Za-z][^\s/>]*[\s/]")
# at such a tag, one scan: either it is written as expected and has an attribute that
# _filter_attribute has to see (name and attributes in groups 1 and 2), or it is not written
# as expected (group 1 empty); tags written as expected whose attributes all stay are skipped
_SCAN = re.compile(
    rf"<(?=[A-Za-z][^\s/>]*[\s/])(?:([a-z][a-z0-9]*)((?:{_KEPT})*+(?!{_KEPT}){_ANY}(?:{_ANY})*)>"
    rf"|(?![a-z][a-z0-9]*(?:{_ANY})+>))"
)
_ESCAPES_ANGLES = "&lt;" in _CLEANER.clean('<img alt="<">')


def _unescape(value: str) -> str:
    """An attribute value as html5ever wrote it, decoded (it writes only these references)."""
    value = value.replace("&quot;", '"').replace("&nbsp;", "\xa0")
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _escape(value: str) -> str:
    """An attribute value written as html5ever writes it."""
    value = value.replace("&", "&amp;").replace("\xa0", "&nbsp;").replace('"', "&quot;")
    return value.replace("<", "&lt;").replace(">", "&gt;") if _ESCAPES_ANGLES else value


class _UnexpectedMarkup(Exception):
    """nh3's output is not shaped as ``_check`` expects, so its attributes cannot be checked."""


def _check(cleaned: str, base_url: str | None) -> str:
    """nh3's output with every attribute as ``_filter_attribute`` wants it.

    Exactly what nh3 gives with ``_filter_attribute`` as its attribute_filter: ammonia calls the
    filter after it adds ``rel`` to links, keeps a changed value, and removes the dropped
    attributes with swap_remove, last first (so the last attribute takes a dropped one's place).
    """
    if _WITH_ATTRIBUTES.search(cleaned) is None:
        return cleaned
    return _SCAN.sub(lambda match: _check_tag(match, base_url), cleaned)


def _check_tag(match: re.Match[str], base_url: str | None) -> str:
    name = match.group(1)
    if name is None:
        raise _UnexpectedMarkup("a start tag that is not written as expected")
    attributes = _ATTRIBUTE.findall(match.group(2))
    dropped, changed = [], False
    for index, (attribute, raw) in enumerate(attributes):
        if attribute not in _CHECKED:
            continue
        value = _unescape(raw) if "&" in raw else raw
        kept = _filter_attribute(base_url, name, attribute, value)
        if kept is None:
            dropped.append(index)
        elif kept != value:
            attributes[index] = (attribute, _escape(kept))
            changed = True
    if not dropped and not changed:
        return match.group(0)
    for index in reversed(dropped):
        last = attributes.pop()
        if index < len(attributes):
            attributes[index] = last
    return f"<{name}" + "".join(f' {a}="{v}"' for a, v in attributes) + ">"


def sanitize_html(html: str, base_url: str | None) -> str:
    """Safe HTML for an item's summary or content; relative URLs resolved against ``base_url``."""
    html = clean_text(html)
    if not html.strip():
        return ""
    if "<" not in html and "&" not in html and not html.startswith("\ufeff"):
        # text without markup: what html5ever would write back for it, without the round trip
        # (a third of the fields in real feeds; a test holds it equal to the Cleaner's output)
        return plain_text_as_html(html)
    names = _START_TAG.findall(html)
    if len(names) > MAX_DEPTH and too_deep(html):  # no deeper than its count of start tags
        log.warning("HTML nested deeper than the sanitizer allows; keeping its text only")
        html, names = text_to_html(html_to_text(html)), []
    try:
        cleaned = _clean_once(html, base_url)
        # an element the cleaner unwraps can leave nesting no parser would build (<h1> inside
        # <h1> once a <foo> between them is gone), which the next pass rebuilds differently:
        # clean again until nothing changes, so that the output is a fixed point
        for _ in range(3 if _unwraps(names) else 0):
            again = _clean_once(cleaned, base_url)
            if again == cleaned:
                break
            cleaned = again
    except _UnexpectedMarkup:
        log.warning("the sanitizer's output could not be checked; keeping its text only")
        return _clean_once(text_to_html(html_to_text(html)), base_url)
    return cleaned


def _clean_once(html: str, base_url: str | None) -> str:
    cleaned = _check(_CLEANER.clean(html), base_url)
    if "&#" in html:
        # character references decode to what the next pass would change ("&#1;" is removed
        # by clean_text, "&#13;" read as a newline): do it now, so the output is a fixed point
        # (without them, html5ever writes no character that the input, cleaned, did not have)
        cleaned = clean_text(cleaned)
        if "\r" in cleaned:
            cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    # A parser drops one newline right after <pre>; html5ever's serializer does not write the
    # extra one the HTML standard asks for, so each pass would eat a line. Put it back.
    return _PRE_NEWLINE.sub("\\1\n\n", cleaned) if "<pre" in cleaned else cleaned


_START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*)")
_KEPT_OR_DROPPED = ALLOWED_TAGS | DROP_WITH_CONTENT


def _unwraps(start_tags: list[str]) -> bool:
    """Whether the names of an HTML fragment's start tags (``_START_TAG``) name an element the
    cleaner removes but keeps the content of."""
    names = set(start_tags)
    return not names <= _KEPT_OR_DROPPED and any(
        name.lower() not in _KEPT_OR_DROPPED for name in names
    )


def plain_text_as_html(text: str) -> str:
    """HTML for text with no "<", "&" or leading BOM, exactly as the sanitizer would write it."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace(">", "&gt;").replace("\xa0", "&nbsp;")


def text_as_html(text: str) -> str:
    """Plain text as safe HTML: ``sanitize_html(text_to_html(text))``, without the round trip.

    text_to_html writes paragraphs and line breaks around text with "&", "<" and ">" escaped,
    which html5ever writes back as it was, but for the no-break space (a test holds the two
    equal).
    """
    return text_to_html(text).replace("\xa0", "&nbsp;")


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
