"""The keys that recognise one story under another guid, or in another feed.

Pure and at the bottom of the house: the decider (``update/duplicates.py``) compares them, the
store writes them with every item (``store/planwrite.py``) and migration 0017 fills them in for
the items stored before. docs/arrival.md (Duplicates) gives the rule that uses them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# query parameters that say who sent a reader, never which page: dropped from a link's key
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "twclid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "source",
        "cmpid",
        "ncid",
        "ocid",
        "smid",
        "emc",
        "partner",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "spm",
    }
)
TRACKING_PREFIXES = ("utm_", "wt.", "pk_", "mtm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _digest(*parts: str) -> str:
    joined = "\x1e".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=16).hexdigest()


def is_tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonical_link(link: str | None) -> str | None:
    """The link without tracking parameters or fragment, scheme and host in lower case, the
    remaining parameters sorted; None for no link or one that is not a URL."""
    if not link:
        return None
    link = link.strip()
    return _plain(link) or _canonical(link)


def _plain(link: str) -> str | None:
    """The common case without parsing (a few times faster, and every item is keyed): a link
    with no query, fragment, user, port or character that parsing would change; None for any
    other, which ``_canonical`` reads. A property test holds the two equal."""
    if _PARSED.search(link):
        return None
    sep = link.find("://")
    scheme = link[:sep]
    if sep <= 0 or not scheme.isalpha():
        return None
    end = link.find("/", sep + 3)
    host = link[sep + 3 :] if end < 0 else link[sep + 3 : end]
    if not host or ":" in host:
        return None
    return f"{scheme.lower()}://{host.lower()}{'/' if end < 0 else link[end:]}"


# what only parsing reads right: a query, fragment, user, IPv6 host, backslash, space, control
# or non-ASCII character
_PARSED = re.compile(r"[?#@\[\]\\\s]|[^\x21-\x7e]")


def _canonical(link: str) -> str | None:
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        return None
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    kept = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)
    )
    return urlunsplit((scheme, host, parts.path or "/", urlencode(kept), ""))


def link_key(link: str | None) -> str | None:
    canonical = canonical_link(link)
    return None if canonical is None else _digest("link", canonical)


def same_title(a: str | None, b: str | None) -> bool:
    """Titles are the same when they are, whitespace and case aside (and not empty)."""
    norm_a, norm_b = _title(a), _title(b)
    return bool(norm_a) and norm_a == norm_b


def _title(title: str | None) -> str:
    return " ".join((title or "").split()).casefold()


def title_key(title: str | None, published: datetime | None) -> str | None:
    """The key of a title and its publication date (a naive one is UTC); None without either."""
    norm = _title(title)
    if not norm or published is None:
        return None
    when = published if published.tzinfo is not None else published.replace(tzinfo=UTC)
    return _digest("title", norm, repr(when.timestamp()))


def content_key(summary_html: str | None, content_html: str | None) -> str | None:
    """The key of an item's text (summary and content); None when it has none."""
    if not (summary_html or "").strip() and not (content_html or "").strip():
        return None
    return _digest("content", summary_html or "", content_html or "")


# an item's (link key, title key, content key)
StoryKeys = tuple[str | None, str | None, str | None]


def story_keys(
    link: str | None,
    title: str | None,
    published: datetime | None,
    summary_html: str | None,
    content_html: str | None,
) -> StoryKeys:
    return (
        link_key(link),
        title_key(title, published),
        content_key(summary_html, content_html),
    )
