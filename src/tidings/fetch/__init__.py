"""The one guarded HTTP client: conditional GET, limits, private-network guard, discovery.

The names below are imported on first use (``__getattr__``): a command that only reads the
database imports ``fetch.canonical`` and need not load aiohttp with the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tidings.lazy import lazy_names

if TYPE_CHECKING:
    from tidings.fetch.client import ACCEPT_ENCODING, FEED_ACCEPT, FetchClient
    from tidings.fetch.discover import feed_links_in_html, guess_feed_urls, looks_like_html
    from tidings.fetch.guard import AddressPolicy, blocked_reason, literal_ip
    from tidings.fetch.resolver import GuardedResolver
    from tidings.fetch.status import parse_retry_after

# where each name lives
_HOMES = {
    "ACCEPT_ENCODING": "client",
    "FEED_ACCEPT": "client",
    "FetchClient": "client",
    "feed_links_in_html": "discover",
    "guess_feed_urls": "discover",
    "looks_like_html": "discover",
    "AddressPolicy": "guard",
    "blocked_reason": "guard",
    "literal_ip": "guard",
    "GuardedResolver": "resolver",
    "parse_retry_after": "status",
}

__all__ = [
    "ACCEPT_ENCODING",
    "FEED_ACCEPT",
    "AddressPolicy",
    "FetchClient",
    "GuardedResolver",
    "blocked_reason",
    "feed_links_in_html",
    "guess_feed_urls",
    "literal_ip",
    "looks_like_html",
    "parse_retry_after",
]


__getattr__ = lazy_names(__name__, {name: f"tidings.fetch.{home}" for name, home in _HOMES.items()})
