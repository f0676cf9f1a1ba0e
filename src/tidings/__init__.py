"""tidings: a web-feed aggregator.

The public names are listed in ``__all__``; the README's "Python API" section documents each one
(a test keeps the two in step).
"""

from tidings.config import Settings
from tidings.core import Aggregator, ImportReport, make_aggregator
from tidings.errors import (
    BlockedAddressError,
    ConfigError,
    DiscoveryError,
    DuplicateError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    NotAFeedError,
    NotFoundError,
    OPMLError,
    ParseError,
    StoreError,
    TidingsError,
    TooLargeError,
)
from tidings.schedule import run_scheduler
from tidings.types import (
    Category,
    Enclosure,
    Feed,
    FeedHealth,
    FetchRecord,
    FetchResult,
    Item,
    ParsedFeed,
    ParsedItem,
    SearchHit,
    UpdateResult,
)

__version__ = "0.1.0"

__all__ = [
    "Aggregator",
    "BlockedAddressError",
    "Category",
    "ConfigError",
    "DiscoveryError",
    "DuplicateError",
    "Enclosure",
    "Feed",
    "FeedHealth",
    "FetchError",
    "FetchRecord",
    "FetchResult",
    "FetchTimeoutError",
    "HTTPStatusError",
    "ImportReport",
    "Item",
    "NotAFeedError",
    "NotFoundError",
    "OPMLError",
    "ParseError",
    "ParsedFeed",
    "ParsedItem",
    "SearchHit",
    "Settings",
    "StoreError",
    "TidingsError",
    "TooLargeError",
    "UpdateResult",
    "make_aggregator",
    "run_scheduler",
]
