"""One spelling per feed URL, so that two subscriptions to the same URL are one feed.

Only what is the same resource by definition is changed (RFC 3986, 6.2.2 and 6.2.3): the scheme
and host are lower-cased, a default port is dropped, an empty path becomes ``/`` and the fragment
(never sent to the server) goes. Paths and queries are left exactly as written.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def canonical_url(url: str) -> str:
    """The canonical spelling of an http(s) URL; anything else comes back stripped, unchanged."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.netloc:
        return text
    netloc = parts.netloc
    if "@" not in netloc:  # user information is case-sensitive; leave such URLs be
        netloc = netloc.lower()
        if netloc.endswith(_DEFAULT_PORTS[scheme]):
            netloc = netloc[: -len(_DEFAULT_PORTS[scheme])]
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
