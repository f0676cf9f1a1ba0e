"""The data behind the admin pages: the feeds table, feed health, one feed's fetch history.

Each function reads what one page shows; the fetch history feeds both the feed's page and its
``history.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tidings.arrival import PushSubscription
from tidings.core import ALLOWED_TAGS, Aggregator, SiteSettings
from tidings.timefmt import iso
from tidings.types import Feed, FeedHealth, FetchRecord


@dataclass(frozen=True, slots=True)
class HealthCounts:
    failing: int
    disabled: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    feeds: tuple[Feed, ...]
    health: HealthCounts
    now: datetime


@dataclass(frozen=True, slots=True)
class HealthPage:
    feeds: tuple[FeedHealth, ...]
    now: datetime
    pushes: tuple[PushSubscription, ...] = ()  # WebSub subscriptions, by feed


@dataclass(frozen=True, slots=True)
class HistoryPage:
    feed: Feed
    fetches: tuple[FetchRecord, ...]  # newest first
    now: datetime


@dataclass(frozen=True, slots=True)
class SettingsPage:
    site: SiteSettings
    all_tags: tuple[str, ...]  # the sanitizer's allowlist, of which the site keeps a subset


def health_counts(feeds: Sequence[Feed]) -> HealthCounts:
    """How many of ``feeds`` are failing and disabled, by the rule of ``Aggregator.health``:
    counted from the feed list a page already holds, so the count costs no query."""
    disabled = sum(1 for f in feeds if f.disabled_reason)
    failing = sum(1 for f in feeds if f.error_count > 0 and not f.disabled_reason)
    return HealthCounts(failing, disabled)


def dashboard(agg: Aggregator) -> Dashboard:
    """Every feed, with how many are failing and disabled."""
    feeds = tuple(agg.feeds())
    return Dashboard(feeds, health_counts(feeds), agg.clock())


def feed_health(agg: Aggregator) -> HealthPage:
    """The failing and disabled feeds: disabled first, then the longest failing first; and
    the feeds' WebSub subscriptions."""
    return HealthPage(tuple(agg.health()), agg.clock(), tuple(agg.push_subscriptions()))


def fetch_history(agg: Aggregator, feed_id: int) -> HistoryPage:
    """One feed's last fetches (at most 100), newest first. Raises NotFoundError."""
    feed = agg.feed(feed_id)
    return HistoryPage(feed, tuple(agg.fetch_history(feed.id)), agg.clock())


def fetch_history_json(data: HistoryPage) -> dict[str, Any]:
    """The fetch history as plain values, for scripts and monitoring."""
    feed = data.feed
    return {
        "feed": {
            "id": feed.id,
            "title": feed.display_title,
            "url": feed.url,
            "disabled_reason": feed.disabled_reason,
            "error_count": feed.error_count,
        },
        "fetches": [
            {
                "at": iso(r.at),
                "status": r.status,
                "duration_ms": r.duration_ms,
                "bytes": r.bytes,
                "new_items": r.new_items,
                "changed_items": r.changed_items,
                "error": r.error,
            }
            for r in data.fetches
        ],
    }


def site_settings(agg: Aggregator) -> SettingsPage:
    """The site's settings, and the tags they may keep."""
    return SettingsPage(agg.site(), tuple(sorted(ALLOWED_TAGS)))
