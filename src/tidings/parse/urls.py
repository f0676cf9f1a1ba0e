"""URLs taken from a feed: resolved against the right base, and only the schemes we can show.

Every URL that leaves the parse layer goes through :func:`absolute_url`, so a ``javascript:`` link,
a ``data:`` image or a relative path that cannot be resolved never reaches the store.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

WEB_SCHEMES: frozenset[str] = frozenset({"http", "https"})
LINK_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

# What browsers ignore around and inside a URL before they look at its scheme (WHATWG URL).
_EDGE_JUNK = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# http(s)://, a first host character, nothing at or below a space and no brackets anywhere
_PLAIN_WEB_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://[^/?#\[\]\x00-\x20][^\x00-\x20\[\]]*\Z")
# an absolute-path reference that urljoin would append to the base's origin unchanged: ASCII,
# nothing at or below a space, no backslash, brackets or ";" (urljoin drops empty parameters),
# no dot segment ("/." starts them all),
# no empty query or fragment (urljoin drops those), and not a network-path ("//host")
_PLAIN_PATH = re.compile(r"/(?![/.])(?:(?!/\.|\?#|\?\Z|#\Z)[!-:<-Z^-~])*\Z")
_DESCRIPTOR = re.compile(r"\d+(?:\.\d+)?[wxh]", re.IGNORECASE)


def absolute_url(
    value: object, base: str | None, *, schemes: frozenset[str] = WEB_SCHEMES
) -> str | None:
    """``value`` resolved against ``base``; None unless absolute with an allowed scheme.

    The scheme is judged the way a browser would: after dropping surrounding control characters and
    spaces and any tab or newline inside, case-insensitively. Entities are not decoded here: callers
    hand over values that their parser (XML, html5ever, JSON) has already decoded.
    """
    if not isinstance(value, str):
        return None
    if _PLAIN_WEB_URL.match(value) and value.isascii() and len(value) <= 8192:
        return value  # the usual case, which every step below would leave as it is
    if base and value[:1] == "/" and _PLAIN_PATH.match(value) and len(value) <= 4096:
        origin = _origin(base)  # the next most usual: "/a/b" against a web page's URL
        if origin is not None and origin[: origin.index(":")] in schemes:
            return origin + value
    url = _TAB_NEWLINE.sub("", value.strip(_EDGE_JUNK))
    if not url or len(url) > 8192:
        return None
    match = _SCHEME.match(url)
    if match is None:
        if not base:
            return None
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
        match = _SCHEME.match(url)
        if match is None:
            return None
    scheme = match.group(1).lower()
    if scheme not in schemes:
        return None
    has_host = _has_host(url, match.end())
    if has_host is None or (scheme in WEB_SCHEMES and not has_host):
        return None
    if scheme == "mailto" and len(url) <= len("mailto:"):
        return None
    return url


@functools.lru_cache(maxsize=1024)
def _origin(base: str) -> str | None:
    """ "scheme://authority" of a plain web URL, as urljoin writes it; None for any other."""
    if not (_PLAIN_WEB_URL.match(base) and base.isascii() and len(base) <= 4096):
        return None
    start = base.index("//") + 2
    end = len(base)
    for delimiter in "/?#":
        found = base.find(delimiter, start, end)
        if found >= 0:
            end = found
    return base[: start - 3].lower() + base[start - 3 : end]


def _has_host(url: str, after_scheme: int) -> bool | None:
    """Whether ``urlsplit(url)`` finds a host; None when it refuses the URL.

    The common case (ASCII, no IPv6 brackets, where urlsplit never raises) is answered by
    looking for "//" and the host's end directly: urlsplit costs more than the rest of
    absolute_url together, and every URL of every item goes through here.
    """
    if url.isascii() and "[" not in url and "]" not in url:
        if not url.startswith("//", after_scheme):
            return False
        start = after_scheme + 2
        end = len(url)
        for delimiter in "/?#":
            found = url.find(delimiter, start, end)
            if found >= 0:
                end = found
        return end > start
    try:
        return bool(urlsplit(url).netloc)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None


def resolve_base(xml_base: object, feed_url: str | None) -> str | None:
    """The base for an element: its (possibly relative) xml:base resolved against the feed URL."""
    if isinstance(xml_base, str) and xml_base.strip():
        resolved = absolute_url(xml_base, feed_url)
        if resolved is not None:
            return resolved
    return feed_url


def split_srcset(value: str) -> Iterator[tuple[str, str]]:
    """The (URL, descriptor) candidates of a ``srcset``, parsed as the HTML standard does."""
    pos, end = 0, len(value)
    while True:
        while pos < end and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        if pos >= end:
            return
        start = pos
        while pos < end and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            yield url.rstrip(","), ""
            continue
        start, depth = pos, 0
        while pos < end:
            char = value[pos]
            if char == "(":
                depth += 1
            elif char == ")":
                depth = max(0, depth - 1)
            elif char == "," and depth == 0:
                break
            pos += 1
        yield url, value[start:pos].strip()
        pos += 1


def safe_srcset(value: str, base: str | None) -> str | None:
    """A ``srcset`` keeping only candidates whose URL resolves to http(s)."""
    kept: list[str] = []
    for url, descriptor in split_srcset(value):
        resolved = absolute_url(url, base)
        if resolved is None:
            continue
        # a space or a trailing comma would split the URL when the srcset is read again
        resolved = resolved.replace(" ", "%20")
        if resolved.endswith(","):
            resolved = resolved[:-1] + "%2C"
        if descriptor and _DESCRIPTOR.fullmatch(descriptor):
            kept.append(f"{resolved} {descriptor}")
        else:
            kept.append(resolved)
    return ", ".join(kept) or None


def web_link(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host."""
    scheme, _, rest = url.strip().partition("://")
    return scheme.lower() in ("http", "https") and bool(rest.split("/", 1)[0])
