"""Which WebSub hub pushes a feed, and under which topic (W3C WebSub, 4 "Discovery"): pure.

A publisher names its hubs and the feed's own URL as ``rel="hub"`` and ``rel="self"`` links,
in the document (parsed into ``ParsedFeed.hubs`` and ``self_url``) or in the HTTP ``Link``
header (RFC 8288), which a subscriber must look at first. The topic is the self link, else the
URL the document came from after redirects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

from tidings.types import FetchResult, ParsedFeed

# one link-value of a Link header: <target>; params (a comma inside <> or quotes is not a break)
_LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[^;,="]+(?:=(?:"[^"]*"|[^;,"]*))?)*)')
_REL = re.compile(r';\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))', re.I)


def header_links(headers: Mapping[str, str], base: str) -> dict[str, list[str]]:
    """The ``Link`` header's targets by relation (lower case), absolute, in order."""
    found: dict[str, list[str]] = {}
    for match in _LINK.finditer(headers.get("link", "")):
        rel = _REL.search(match.group(2))
        if rel is None:
            continue
        target = _web(urljoin(base, match.group(1).strip()))
        if target is None:
            continue
        for name in (rel.group(1) or rel.group(2) or "").lower().split():
            found.setdefault(name, []).append(target)
    return found


def _web(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def hub_and_topic(parsed: ParsedFeed, fetched: FetchResult) -> tuple[str | None, str | None]:
    """The hub to subscribe at and the topic to subscribe to; (None, None) without a hub.

    The HTTP header comes first (the Recommendation's order), then the document; the first hub
    named is the one used (one subscription a feed).
    """
    links = header_links(fetched.headers, fetched.final_url)
    hubs = [*links.get("hub", ()), *parsed.hubs]
    if not hubs:
        return None, None
    topic = next(iter(links.get("self", ())), None) or parsed.self_url or fetched.final_url
    return hubs[0], topic
