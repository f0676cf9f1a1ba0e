"""Jinja filters: every age, date and URL built from feed data passes through here."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from tidings.core import sample_path
from tidings.timefmt import absolute_date, iso, relative_age, short_age

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def safe_url(url: str | None) -> str:
    """The URL if its scheme is allowed, else ``#``: no href from a feed can run script.

    A bundled sample feed's URL (never fetched over the network) is its page on this site.
    """
    if not url:
        return "#"
    local = sample_path(url)
    if local is not None:
        return local
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return "#"
    return url.strip() if scheme in SAFE_SCHEMES else "#"


def age_html(when: datetime, now: datetime, tz: ZoneInfo, *, short: bool = False) -> Markup:
    """``<time datetime=ISO title=absolute>2 weeks 3 days ago</time>``.

    ``short`` is the one-unit form for tables ("3 min ago", "in 23 hours"), marked with
    ``data-age="short"`` so that the refresh script keeps it short.
    """
    if short:
        return Markup('<time datetime="{}" title="{}" data-age="short">{}</time>').format(
            iso(when), absolute_date(when, tz), short_age(when, now, tz)
        )
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        iso(when), absolute_date(when, tz), relative_age(when, now, tz)
    )


__all__ = ["age_html", "escape", "safe_url"]
