"""tidings: a web-feed aggregator.

The public names are listed in ``__all__``; the README's "Python API" section documents each one
(a test keeps the two in step). Each is imported on first use (``__getattr__``), so that a
command line that only prints its help does not load the database and network libraries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tidings.lazy import lazy_names

if TYPE_CHECKING:
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

# where each public name lives; the modules not named here are tidings.errors and tidings.types
_HOMES = {
    "Settings": "tidings.config",
    "Aggregator": "tidings.core",
    "ImportReport": "tidings.core",
    "make_aggregator": "tidings.core",
    "run_scheduler": "tidings.schedule",
}


__getattr__ = lazy_names(
    __name__,
    {
        name: _HOMES.get(name) or ("tidings.errors" if name.endswith("Error") else "tidings.types")
        for name in __all__
    },
)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
