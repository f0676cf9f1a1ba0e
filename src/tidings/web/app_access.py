"""What the "Apps" part of a person's settings shows: whether their API password is set (never
the password), their API keys (never a key's secret, which is shown once when it is made), and
the addresses to type into an app.

The addresses are built from the address visitors use (``request.base_url``: ``web/proxy.py``
makes it the proxy's scheme and host, or ``TIDINGS_BASE_URL``), as every absolute URL of the
site is: an app on a phone must reach the site the way the browser did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.synctypes import ApiKey

GREADER_PATH = "/api/greader.php"
FEVER_PATH = "/api/fever.php"
FEVER_ALIAS = "/fever/"


@dataclass(frozen=True, slots=True)
class AppAddress:
    """One protocol as an app names it, the address to type for it, and which apps take it."""

    protocol: str
    url: str
    apps: str


@dataclass(frozen=True, slots=True)
class AppAccess:
    has_password: bool
    keys: tuple[ApiKey, ...]
    addresses: tuple[AppAddress, ...]
    now: datetime  # the ages of the keys are worded from here


def app_addresses(base: str) -> tuple[AppAddress, ...]:
    """The server addresses for each protocol, at the site's ``base`` URL."""
    root = base.rstrip("/")
    return (
        AppAddress(
            _("Google Reader API (a “FreshRSS” or “Google Reader API” account)"),
            root + GREADER_PATH,
            "NetNewsWire, Reeder, Read You, Fluent Reader, Capy Reader, FeedMe, News+, Unread",
        ),
        AppAddress(
            _("Google Reader API at the root (the same, for apps that add the paths themselves)"),
            root,
            _("Read You (“Google Reader”), RSS Guard (“Miniflux”)"),
        ),
        AppAddress(
            "Fever",
            root + FEVER_PATH,
            _("Reeder Classic, Unread, Read You, Fluent Reader, FeedMe (the same at %(alias)s)")
            % {"alias": root + FEVER_ALIAS},
        ),
        AppAddress("Miniflux", root, "Unread, Capy Reader, Fluent Reader, newsboat"),
    )


def app_access(agg: Aggregator, user_id: int, base: str) -> AppAccess:
    """Everything the Apps part shows of one person."""
    return AppAccess(
        agg.has_api_password(user_id),
        tuple(agg.api_keys(user_id)),
        app_addresses(base),
        agg.clock(),
    )
