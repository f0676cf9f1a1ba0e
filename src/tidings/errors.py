"""One exception tree for tidings.

Library errors (aiohttp, feedparser, SQLAlchemy ...) are wrapped at the boundary of the layer that
calls them, with the original chained as ``__cause__``, so callers only ever catch ``TidingsError``.
Every error carries ``kind`` (a short stable word for logs, metrics and the fetch log) and
``permanent``: a permanent error will not go away by retrying (410 Gone, "not a feed").
"""

from __future__ import annotations


class TidingsError(Exception):
    """The root of every error tidings raises on purpose."""

    kind: str = "error"
    permanent: bool = False

    def __init__(self, message: str, *, kind: str | None = None, permanent: bool | None = None):
        super().__init__(message)
        self.message = message
        if kind is not None:
            self.kind = kind
        if permanent is not None:
            self.permanent = permanent

    def __str__(self) -> str:
        return self.message


class ConfigError(TidingsError):
    """A setting has a bad value; the message names the variable."""

    kind = "config"
    permanent = True


class FetchError(TidingsError):
    """A request could not be made or its answer was unusable."""

    kind = "fetch"


class BlockedAddressError(FetchError):
    """The URL resolves to an address outside the allowed networks (the SSRF guard)."""

    kind = "blocked"
    permanent = True


class HTTPStatusError(FetchError):
    """The server answered with a status that carries no feed."""

    kind = "http"

    def __init__(
        self,
        message: str,
        *,
        status: int,
        retry_after: float | None = None,
        permanent: bool | None = None,
    ):
        super().__init__(message, permanent=status == 410 if permanent is None else permanent)
        self.status = status
        self.retry_after = retry_after


class TooLargeError(FetchError):
    """The body (after decompression) is over the size cap."""

    kind = "too_large"


class FetchTimeoutError(FetchError):
    """A connect, read or total deadline passed."""

    kind = "timeout"


class ParseError(TidingsError):
    """The bytes are not a feed we can read."""

    kind = "parse"


class NotAFeedError(ParseError):
    """The document is something else, e.g. an HTML page."""

    kind = "not_a_feed"


class DiscoveryError(TidingsError):
    """A page was fetched but no feed could be found from it."""

    kind = "no_feed"


class StoreError(TidingsError):
    """The database refused an operation."""

    kind = "store"


class NotFoundError(StoreError):
    """No feed, item or category with that id or URL."""

    kind = "not_found"


class DuplicateError(StoreError):
    """The thing is already there (e.g. a feed URL already subscribed)."""

    kind = "duplicate"


class FeedKnownError(DuplicateError):
    """The feed is already stored (the site's or someone's): ``feed_id`` is the one."""

    def __init__(self, message: str, feed_id: int) -> None:
        super().__init__(message)
        self.feed_id = feed_id


class OPMLError(TidingsError):
    """An OPML document could not be read."""

    kind = "opml"
