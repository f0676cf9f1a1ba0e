"""The settings an admin changes on the web (title, page size, time zone, retention, tags),
stored as text beside the environment's defaults.

Pure: the facade reads the stored text and writes what ``stored_values`` gives back; a stored
value that no longer makes sense (a time zone this system lacks) falls back to the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tidings import i18n
from tidings.config import Settings
from tidings.errors import ConfigError
from tidings.i18n import gettext as _
from tidings.parse import ALLOWED_TAGS


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """The settings an admin can change on the web; stored values override the environment."""

    site_title: str
    items_per_page: int
    timezone: ZoneInfo
    retention_days: int | None
    # the HTML tags kept in item summaries and contents: a subset of the sanitizer's allowlist
    allowed_tags: frozenset[str] = ALLOWED_TAGS
    language: str = i18n.DEFAULT  # for visitors whose browser asks for none of tidings' languages

    @property
    def narrower_tags(self) -> frozenset[str] | None:
        """The tags to keep when narrower than the sanitizer's allowlist, else None."""
        return None if self.allowed_tags == ALLOWED_TAGS else self.allowed_tags


def site_from(stored: Mapping[str, str], defaults: Settings) -> SiteSettings:
    try:
        zone = ZoneInfo(stored.get("timezone", str(defaults.timezone)))
    except (ZoneInfoNotFoundError, ValueError):
        zone = defaults.timezone
    retention = stored.get("retention_days")
    tags = stored.get("allowed_tags")
    return SiteSettings(
        site_title=stored.get("site_title", defaults.site_title),
        items_per_page=int(stored.get("items_per_page", defaults.items_per_page)),
        timezone=zone,
        retention_days=(int(retention) or None) if retention else defaults.retention_days,
        allowed_tags=frozenset(tags.split(",")) & ALLOWED_TAGS if tags else ALLOWED_TAGS,
        language=i18n.normalize(stored.get("language")) or i18n.DEFAULT,
    )


def stored_values(site: SiteSettings) -> dict[str, str]:
    """What to store for ``site``; a ConfigError names what an admin must correct."""
    if not site.site_title.strip() or len(site.site_title) > 200:
        raise ConfigError(_("the site title needs 1 to 200 characters"))
    if not 1 <= site.items_per_page <= 200:
        raise ConfigError(_("items per page must be from 1 to 200"))
    if site.retention_days is not None and site.retention_days < 1:
        raise ConfigError(_("retention must be a number of days, or empty for never"))
    return {
        "site_title": site.site_title.strip(),
        "items_per_page": str(site.items_per_page),
        "timezone": str(site.timezone),
        "retention_days": str(site.retention_days or 0),
        "allowed_tags": ",".join(sorted(site.allowed_tags & ALLOWED_TAGS)),
        "language": site.language,
    }
