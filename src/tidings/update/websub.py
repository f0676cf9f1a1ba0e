"""Which WebSub hub pushes a feed, and under which topic (W3C WebSub, 4 "Discovery"): pure.

A publisher names its hubs and the feed's own URL as ``rel="hub"`` and ``rel="self"`` links,
in the document (parsed into ``ParsedFeed.hubs`` and ``self_url``) or in the HTTP ``Link``
header (RFC 8288), which a subscriber must look at first. The topic is the self link, else the
URL the document came from after redirects.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
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


# -- the subscriber's clock and the signature of a push -----------------------------------------

RETRY_BASE = 5 * 60  # seconds before a failed request is sent again, doubling ...
RETRY_MAX = 24 * 3600  # ... to a day
VERIFY_WAIT = 3600  # seconds a hub has to verify a request before it is sent again
UNSUBSCRIBE_TRIES = 3  # an unsubscribe that fails this often is given up: the row goes
# the largest lease taken as the hub says (a year); a longer one is renewed as if it were this
LEASE_MAX = 365 * 24 * 3600
SIGNATURES = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}


def retry_delay(failures: int) -> timedelta:
    """How long after its ``failures``-th failure a request is sent again."""
    return timedelta(seconds=min(RETRY_BASE * 2 ** min(max(failures, 1) - 1, 20), RETRY_MAX))


def renew_at(verified: datetime, lease_seconds: int) -> datetime:
    """When to renew a lease: at 80 % of it, but never more than a day before it ends."""
    lease = min(lease_seconds, LEASE_MAX)
    return verified + timedelta(seconds=max(lease * 0.8, lease - 24 * 3600))


def lease_of(raw: str | None, asked: int) -> int | None:
    """The lease a verification grants (``hub.lease_seconds``), else the one asked for; None
    for a value that is not a positive whole number. One over a year is taken as a year."""
    if raw is None or raw == "":
        return min(asked, LEASE_MAX)
    if not raw.isascii() or not raw.isdigit() or int(raw[:12]) <= 0:
        return None
    return LEASE_MAX if len(raw) > 12 else min(int(raw), LEASE_MAX)


def signature_problem(secret: str, header: str | None, body: bytes) -> str | None:
    """Why a push's ``X-Hub-Signature: method=hex`` is not the HMAC of ``body`` under
    ``secret`` (None: it is). Compared in constant time."""
    if not header:
        return "no X-Hub-Signature"
    method, _, signature = header.strip().partition("=")
    digest = SIGNATURES.get(method.strip().lower())
    if digest is None:
        return f"X-Hub-Signature method {method[:20]!r} is not one of {', '.join(SIGNATURES)}"
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    if not hmac.compare_digest(
        expected.encode(), signature.strip().lower().encode("utf-8", "replace")
    ):
        return "X-Hub-Signature does not match the body"
    return None
