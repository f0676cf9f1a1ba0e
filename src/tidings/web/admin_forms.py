"""The admin's forms read into values the aggregator takes; a bad field is a ``TidingsError``
whose message the form shows back."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import FormData

from tidings import i18n
from tidings.core import ALLOWED_TAGS, SiteSettings
from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.timefmt import parse_duration


@dataclass(frozen=True, slots=True)
class FeedFields:
    """The fields of the add and edit forms (add ignores ``retention_days``, ``user_agent`` and
    ``unread_cap``, edit ignores ``anyway``)."""

    url: str
    title: str | None
    categories: list[str]
    refresh_seconds: int | None
    retention_days: int | None
    user_agent: str | None = None
    anyway: bool = False  # add the feed even if it fails now
    unread_cap: int | None = None  # the most unread items retention keeps for people


def feed_fields(form: FormData, *, retention: bool) -> FeedFields:
    """The feed form's fields, retention only when the form has it (else not read at all)."""
    return FeedFields(
        url=str(form.get("url", "")),
        title=str(form.get("title", "")).strip() or None,
        categories=categories(form),
        refresh_seconds=refresh(form),
        retention_days=days(str(form.get("retention", "")), _("retention")) if retention else None,
        user_agent=str(form.get("user_agent", "")).strip() or None,
        anyway=form.get("anyway") is not None,
        unread_cap=unread_cap(str(form.get("unread_cap", ""))) if retention else None,
    )


def categories(form: FormData) -> list[str]:
    return [c.strip() for c in str(form.get("categories", "")).split(",") if c.strip()]


def refresh(form: FormData) -> int | None:
    raw = str(form.get("refresh", "")).strip()
    if not raw:
        return None
    try:
        return parse_duration(raw)
    except ValueError as exc:
        raise TidingsError(_("refresh interval: %(error)s") % {"error": exc}) from exc


def days(raw: str, what: str) -> int | None:
    raw = raw.strip()
    if not raw or raw == "0":
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 36500:
        message = _("%(what)s must be a number of days, or empty for never")
        raise TidingsError(message % {"what": what})
    return int(raw)


def unread_cap(raw: str) -> int | None:
    """Empty is no cap; 0 keeps nothing for being unread."""
    raw = raw.strip().replace(",", "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > 1_000_000:
        raise TidingsError(_("unread items kept: a number of items up to 1,000,000, or empty"))
    return int(raw)


def tags(raw: str) -> frozenset[str]:
    """A subset of the sanitizer's allowlist; empty means all of it, unknown tags are an error."""
    chosen = frozenset(t.strip().lower().strip("<>") for t in raw.replace(" ", ",").split(","))
    chosen -= {""}
    if not chosen:
        return ALLOWED_TAGS
    unknown = sorted(chosen - ALLOWED_TAGS)
    if unknown:
        message = _(
            "not allowed in item HTML: %(tags)s (tidings only lets you narrow its own safe list)"
        )
        raise TidingsError(message % {"tags": ", ".join(unknown)})
    return chosen


def site_settings(form: FormData) -> SiteSettings:
    """The settings form, checked field by field in the order the form shows them."""
    per_page = str(form.get("items_per_page", ""))
    if not per_page.isdigit():
        raise TidingsError(_("items per page must be a whole number"))
    try:
        zone = ZoneInfo(str(form.get("timezone", "")).strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TidingsError(_("unknown time zone (e.g. UTC, Europe/Ljubljana)")) from exc
    return SiteSettings(
        site_title=str(form.get("site_title", "")),
        items_per_page=int(per_page),
        timezone=zone,
        retention_days=days(str(form.get("retention", "")), _("retention")),
        allowed_tags=tags(str(form.get("allowed_tags", ""))),
        language=site_language(str(form.get("language", ""))),
    )


def site_language(raw: str) -> str:
    """The site's default language: one of tidings' own (English when the form names none)."""
    chosen = i18n.normalize(raw) if raw.strip() else i18n.DEFAULT
    if chosen is None:
        raise TidingsError(_("not a language tidings speaks: %(language)r") % {"language": raw})
    return chosen
