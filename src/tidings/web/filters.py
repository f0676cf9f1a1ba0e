"""Jinja filters: every age, date and URL built from feed data passes through here."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from tidings.timefmt import absolute_date, iso, relative_age

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def safe_url(url: str | None) -> str:
    """The URL if its scheme is allowed, else ``#``: no href from a feed can run script."""
    if not url:
        return "#"
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return "#"
    return url.strip() if scheme in SAFE_SCHEMES else "#"


def age_html(when: datetime, now: datetime, tz: ZoneInfo) -> Markup:
    """``<time datetime=ISO title=absolute>2 weeks 3 days ago</time>``."""
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        iso(when), absolute_date(when, tz), relative_age(when, now, tz)
    )


__all__ = ["age_html", "escape", "safe_url"]
