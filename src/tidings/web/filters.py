"""Jinja filters: every age, date and URL built from feed data passes through here."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from tidings import agelocale, i18n
from tidings.core import sample_path
from tidings.timefmt import iso

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
    ``data-age="short"`` so that the refresh script keeps it short. Both are worded in the
    language being spoken (``tidings.i18n``).
    """
    language = i18n.current()
    title = agelocale.date(language, when, tz)
    text = agelocale.age(language, when, now, tz, short=short)
    if short:
        return Markup('<time datetime="{}" title="{}" data-age="short">{}</time>').format(
            iso(when), title, text
        )
    return Markup('<time datetime="{}" title="{}">{}</time>').format(iso(when), title, text)


def number(n: float) -> str:
    """A count as the page's language writes it ("12,345", "12.345", "12 345")."""
    return agelocale.number(i18n.current(), n)


__all__ = ["age_html", "escape", "safe_url"]
