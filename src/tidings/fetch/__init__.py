"""The one guarded HTTP client: conditional GET, limits, private-network guard, discovery."""

from tidings.fetch.client import ACCEPT_ENCODING, FEED_ACCEPT, FetchClient
from tidings.fetch.discover import feed_links_in_html, guess_feed_urls, looks_like_html
from tidings.fetch.guard import AddressPolicy, blocked_reason, literal_ip
from tidings.fetch.resolver import GuardedResolver
from tidings.fetch.status import parse_retry_after

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
