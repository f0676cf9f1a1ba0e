"""The words of the notifications and the sender's clock: pure functions, table-tested.

A target gets one message a minute at most, so what waited in its outbox goes out together:
one message alone as it was queued, several as a list of their titles and links (the first
``LISTED``, then how many more).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from itertools import groupby

from tidings.arrival import DigestEntry, OutboxMessage
from tidings.i18n import DEFAULT, ngettext, speaking
from tidings.i18n import gettext as _
from tidings.types import Feed

GAP = timedelta(minutes=1)  # between two batches to one target
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
LISTED = 20  # messages listed in one batch; the rest are counted
DIGEST_ITEMS = 200  # items in one digest at most
DIGEST_PER_FEED = 10
MAX_ERROR = 500  # characters of an error kept


def backoff(failures: int) -> timedelta:
    """How long a target rests after ``failures`` failed batches in a row: 30 s, doubling, at
    most an hour (never under the minute between batches)."""
    if failures <= 0:
        return GAP
    wait: timedelta = FIRST_RETRY * 2 ** min(failures - 1, 16)
    return max(GAP, min(wait, LONGEST_WAIT))


def batch(messages: Sequence[OutboxMessage], language: str = DEFAULT) -> tuple[str, str]:
    """The title and body of one delivery of ``messages`` (oldest first), its own words in the
    ``language`` of the target's owner."""
    with speaking(language):
        return _batch(messages)


def _batch(messages: Sequence[OutboxMessage]) -> tuple[str, str]:
    if len(messages) == 1:
        only = messages[0]
        lines = [only.body] if only.body else []
        if only.link and only.link not in only.body:
            lines.append(only.link)
        return only.title, "\n".join(lines) or only.title
    items = sum(1 for m in messages if m.kind == "item")
    title = (
        ngettext("%(n)d new item", "%(n)d new items", items) % {"n": items}
        if items == len(messages)
        else ngettext("%(n)d notification", "%(n)d notifications", len(messages))
        % {"n": len(messages)}
    )
    lines = []
    for message in messages[:LISTED]:
        lines.append(f"• {message.title}")
        if message.link:
            lines.append(f"  {message.link}")
    if len(messages) > LISTED:
        lines.append(_more(len(messages) - LISTED))
    return title, "\n".join(lines)


def _more(n: int) -> str:
    return ngettext("… and %(n)d more", "… and %(n)d more", n) % {"n": n}


def failing_notice(feed: Feed, language: str = DEFAULT) -> tuple[str, str]:
    """The site's notice of a feed failing for a day (the error itself stays as stored)."""
    with speaking(language):
        title = _("Feed failing for a day: %(feed)s") % {"feed": feed.display_title}
        failing = _("failing since %(since)s: %(error)s") % {
            "since": _when(feed),
            "error": feed.last_error or _("no answer"),
        }
        body = f"{feed.url}\n{failing}"
        if feed.disabled_reason:
            body += "\n" + _("disabled: %(reason)s") % {"reason": feed.disabled_reason}
    return title, body


def recovered_notice(feed: Feed, language: str = DEFAULT) -> tuple[str, str]:
    with speaking(language):
        return _("Feed works again: %(feed)s") % {"feed": feed.display_title}, feed.url


def _when(feed: Feed) -> str:
    since = feed.error_since
    return since.strftime("%Y-%m-%d %H:%M UTC") if since else _("a while")


def digest(
    entries: Sequence[DigestEntry], site_title: str, language: str = DEFAULT
) -> tuple[str, str] | None:
    """A day's new items by feed (``DIGEST_PER_FEED`` each, then a count), or None for none,
    in the ``language`` of the one who receives it."""
    if not entries:
        return None
    with speaking(language):
        return _digest(entries, site_title)


def _digest(entries: Sequence[DigestEntry], site_title: str) -> tuple[str, str]:
    more = "+" if len(entries) >= DIGEST_ITEMS else ""
    title = ngettext(
        "%(site)s: %(n)s new item today", "%(site)s: %(n)s new items today", len(entries)
    ) % {"site": site_title, "n": f"{len(entries)}{more}"}
    lines: list[str] = []
    for feed_title, group in groupby(entries, key=lambda entry: entry.feed_title):
        listed = list(group)
        lines.append(f"{feed_title} ({len(listed)})")
        for entry in listed[:DIGEST_PER_FEED]:
            lines.append(f"  • {entry.title}" + (f"\n    {entry.link}" if entry.link else ""))
        if len(listed) > DIGEST_PER_FEED:
            lines.append("  " + _more(len(listed) - DIGEST_PER_FEED))
        lines.append("")
    return title, "\n".join(lines).rstrip()


def short_error(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
