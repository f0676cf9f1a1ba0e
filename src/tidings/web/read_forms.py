"""The reader's settings forms read into values the facade takes; a bad field is a
``TidingsError`` whose message the page shows back."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData

from tidings import i18n
from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.types import ReadingSettings

MAX_TITLE = 500
MAX_FOLDER = 200
MAX_KEEP_DAYS = 36500


@dataclass(frozen=True, slots=True)
class SubscribeFields:
    url: str
    title: str | None
    folder: str | None


@dataclass(frozen=True, slots=True)
class SubscriptionFields:
    """A subscription's row: the person's title (None: the feed's), folder (None: none) and
    whether it is left out of "All"."""

    title: str | None
    folder: str | None
    hide_from_all: bool


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def title(form: FormData) -> str | None:
    found = " ".join(_text(form, "title").split())
    if len(found) > MAX_TITLE:
        raise TidingsError(_("a title has at most %(n)d characters") % {"n": MAX_TITLE})
    return found or None


def folder(form: FormData) -> str | None:
    """The folder typed or chosen (one field, with the person's folders as suggestions)."""
    found = " ".join(_text(form, "folder").split())
    if len(found) > MAX_FOLDER:
        raise TidingsError(_("a folder's name has at most %(n)d characters") % {"n": MAX_FOLDER})
    return found or None


def subscribe_fields(form: FormData) -> SubscribeFields:
    url = _text(form, "url")
    if not url:
        raise TidingsError(_("give the address of a feed or of a site"))
    return SubscribeFields(url, title(form), folder(form))


def subscription_fields(form: FormData) -> SubscriptionFields:
    return SubscriptionFields(title(form), folder(form), form.get("hide_from_all") is not None)


def keep_days(raw: str) -> int | None:
    """Days to keep unread items; empty (or "forever") keeps them for as long as the feed does."""
    raw = raw.strip().lower()
    if raw in ("", "forever"):
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_KEEP_DAYS:
        message = _("keep unread items: a number of days from 1 to %(n)d, or empty for ever")
        raise TidingsError(message % {"n": MAX_KEEP_DAYS})
    return int(raw)


def reading_settings(form: FormData) -> ReadingSettings:
    """Keep unread items "forever" or for a number of "days" (the radio ``keep``), and whether
    items are marked read as they scroll past."""
    choice, raw = form.get("keep"), _text(form, "keep_unread_days")
    if choice == "days" and not raw:
        raise TidingsError(_("keep unread items: say for how many days"))
    keep = None if choice == "forever" else keep_days(raw)
    return ReadingSettings(
        keep_unread_days=keep,
        mark_read_on_scroll=form.get("mark_read_on_scroll") is not None,
        language=language(form),
    )


def language(form: FormData) -> str | None:
    """One of tidings' languages, or None (empty) to follow the browser and the site."""
    raw = _text(form, "language")
    if not raw:
        return None
    chosen = i18n.normalize(raw)
    if chosen is None:
        raise TidingsError(_("not a language tidings speaks: %(language)r") % {"language": raw})
    return chosen


def new_api_password(form: FormData) -> str:
    """The API password typed twice (its length is the facade's to check, as a sign-in
    password's)."""
    new, again = form.get("new", ""), form.get("again", "")
    if not isinstance(new, str) or not isinstance(again, str) or new != again:
        raise TidingsError(_("the API password and its repetition differ"))
    return new


def key_description(form: FormData) -> str:
    """What an API key is for ("Reeder on my phone"); the facade checks its length."""
    return _text(form, "description")
