"""The bundled sample feeds, read from the package instead of the network.

A sample feed's URL is on ``samples.tidings.invalid``, a name that never resolves (``.invalid``
is reserved, RFC 6761). ``WithSamples`` wraps the guarded client and answers such a URL from the
files in ``tidings.samples`` before anything is dialled: any process (``serve`` on any port,
``tidings update``, a worker) updates the samples through the same parse, decide and store as
every other feed. Only the URL asked for is answered this way; a redirect to a sample URL is a
hop of the guarded client like any other, and goes to the network, where the name does not
resolve. Nothing here reaches past the three bundled files.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Final
from urllib.parse import urlsplit

from tidings.errors import FetchError
from tidings.ports import Fetcher
from tidings.types import FetchResult

SAMPLE_HOST: Final = "samples.tidings.invalid"
SAMPLE_BASE: Final = f"http://{SAMPLE_HOST}"
SAMPLES: Final = {
    "tidings-news.xml": "application/rss+xml; charset=utf-8",
    "feed-formats.atom": "application/atom+xml; charset=utf-8",
    "polite-fetching.json": "application/feed+json; charset=utf-8",
}


def sample_url(name: str) -> str:
    """The URL a sample feed is subscribed at."""
    return f"{SAMPLE_BASE}/samples/{name}"


def sample_body(name: str) -> bytes | None:
    """The bundled document of a sample feed, or None for a name that is not one."""
    if name not in SAMPLES:
        return None
    return resources.files("tidings.samples").joinpath(name).read_bytes()


def _path_on_sample_host(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() != "http" or parts.netloc.lower() != SAMPLE_HOST:
        return None
    return parts.path or "/"


def sample_path(url: str) -> str | None:
    """Where the site shows ``url`` if it is a sample feed (``/samples/{name}``) or the samples'
    home page (``/``), else None."""
    path = _path_on_sample_host(url)
    if path == "/" or (path is not None and path.removeprefix("/samples/") in SAMPLES):
        return path
    return None


def public_url(url: str, site_url: str) -> str:
    """``url``, or for a sample feed its address on the site at ``site_url`` (for what the site
    publishes: other readers cannot read ``samples.tidings.invalid``)."""
    path = sample_path(url)
    return site_url.rstrip("/") + path if path is not None and site_url else url


def fetch_sample(url: str, etag: str | None = None) -> FetchResult | None:
    """The answer for a URL on the samples' host (a 304 when ``etag`` is current), else None
    (any other URL is the network's)."""
    path = _path_on_sample_host(url)
    if path is None:
        return None
    name = path.removeprefix("/samples/")
    body = sample_body(name) if path.startswith("/samples/") else None
    if body is None:
        raise FetchError(f"no bundled sample feed at {url[:200]!r}", kind="bad_url", permanent=True)
    tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"content-type": SAMPLES[name], "etag": tag}
    if etag == tag:
        return FetchResult(url, url, 304, headers, b"", 0.0)
    return FetchResult(url, url, 200, headers, body, 0.0)


class WithSamples:
    """A fetcher that answers the sample feeds' URLs itself and hands every other to ``inner``."""

    def __init__(self, inner: Fetcher) -> None:
        self.inner = inner

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        user_agent: str | None = None,
    ) -> FetchResult:
        bundled = fetch_sample(url, etag)
        if bundled is not None:
            return bundled
        return await self.inner.fetch(
            url, etag=etag, last_modified=last_modified, user_agent=user_agent
        )
