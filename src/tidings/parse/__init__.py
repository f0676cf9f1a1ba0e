"""Bytes and response headers in, :class:`~tidings.types.ParsedFeed` out.

Everything that comes out is safe to store: HTML fields sanitized, URLs absolute http(s), text
fields plain text, dates timezone-aware UTC. Anything that is not a feed raises
:class:`~tidings.errors.ParseError` (or its child :class:`~tidings.errors.NotAFeedError`) with a
message a person can read; no other exception is expected (feedparser's own failures are
wrapped as ParseError).

The parser's modules (lxml, nh3, dateutil ...) are imported by the first parse, and the names
below that come from them on first use (``__getattr__``): what only needs the tag allowlist, or
an update whose feeds all answer 304, does not pay for building the parser.
"""

from __future__ import annotations

import logging
import pyexpat
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from tidings.errors import ParseError
from tidings.lazy import lazy_names
from tidings.types import ParsedFeed

if TYPE_CHECKING:
    from tidings.parse.sanitize import ALLOWED_TAGS, restrict_feed, sanitize_html
    from tidings.parse.text import html_to_text

__all__ = [
    "ALLOWED_TAGS",
    "EXPAT_MINIMUM",
    "expat_problem",
    "html_to_text",
    "parse_feed",
    "restrict_feed",
    "sanitize_html",
]

log = logging.getLogger(__name__)

# where each name that comes from a parser module lives
_HOMES = {
    "ALLOWED_TAGS": "tidings.parse.sanitize",
    "restrict_feed": "tidings.parse.sanitize",
    "sanitize_html": "tidings.parse.sanitize",
    "html_to_text": "tidings.parse.text",
}


__getattr__ = lazy_names(__name__, _HOMES)


DEFAULT_MAX_ITEMS = 5000
# The first expat with the fixes for the known entity and allocation amplification attacks
# (security baseline, rule 2).
EXPAT_MINIMUM = (2, 7, 2)


def expat_problem() -> str | None:
    """Why the linked expat is too old to trust with hostile XML, or None if it is recent enough.

    For the process's start-up (security baseline rule 2: refuse to start, or warn loudly);
    parsing itself does not log it, so that one-line command output stays one line.

    The DTD policy (``tidings.parse.dtd``) already keeps entity expansion bounded whatever the
    expat version, but the allocation fixes of newer releases can only come from expat itself.
    """
    found = tuple(int(part) for part in re.findall(r"\d+", pyexpat.EXPAT_VERSION)[:3])
    if found >= EXPAT_MINIMUM:
        return None
    wanted = ".".join(map(str, EXPAT_MINIMUM))
    return f"{pyexpat.EXPAT_VERSION} is older than expat {wanted}; upgrade Python or libexpat"


def parse_feed(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> ParsedFeed:
    """Parse one fetched document.

    ``url`` is the feed's final URL (after redirects), the base for relative URLs. ``headers``
    have lower-cased names; the Content-Type charset is one of the encoding hints. At most
    ``max_items`` items are kept, in document order. RSS, RDF and Atom are read on lxml
    (``lxmlfeed``) and fall back to feedparser (``feedparserfeed``) for what that path declines.
    """
    return _parse(body, url=url, headers=headers, max_items=max_items, path="auto")


XmlPath = Literal["auto", "fast", "feedparser"]


def _parse(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None,
    max_items: int,
    path: XmlPath,
) -> ParsedFeed:
    """``parse_feed`` with the XML path chosen: "fast" raises Decline (or any failure of its own)
    instead of falling back, "feedparser" never tries the fast path (for the differential tests
    and the benchmark)."""
    from tidings.parse.jsonfeed import parse_json
    from tidings.parse.lxmlfeed import Decline, parse_lxml
    from tidings.parse.sniff import Kind, sniff

    headers = headers or {}
    if max_items < 1:
        raise ValueError("max_items must be at least 1")
    try:
        kind = sniff(body, headers.get("content-type"))
        if kind is Kind.JSON:
            return parse_json(body, url=url, headers=headers, max_items=max_items)
        if path == "fast":
            return parse_lxml(body, url=url, headers=headers, max_items=max_items)
        if path == "auto":
            try:
                return parse_lxml(body, url=url, headers=headers, max_items=max_items)
            except Decline:
                pass
            except (ParseError, MemoryError, RecursionError):
                raise
            except Exception:  # a fast-path bug must not cost the feed: feedparser reads it
                log.exception("the fast XML path failed on %s; reading it with feedparser", url)
        # feedparser, loaded only for what the fast path declines (about 5% of real feeds)
        from tidings.parse.feedparserfeed import parse_xml

        return parse_xml(body, url=url, headers=headers, max_items=max_items)
    except ParseError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise ParseError(
            f"the document is too large or too deeply nested to read ({exc!r})"
        ) from exc
