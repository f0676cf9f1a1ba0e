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


def batch(messages: Sequence[OutboxMessage]) -> tuple[str, str]:
    """The title and body of one delivery of ``messages`` (oldest first)."""
    if len(messages) == 1:
        only = messages[0]
        lines = [only.body] if only.body else []
        if only.link and only.link not in only.body:
            lines.append(only.link)
        return only.title, "\n".join(lines) or only.title
    items = sum(1 for m in messages if m.kind == "item")
    title = f"{items} new items" if items == len(messages) else f"{len(messages)} notifications"
    lines = []
    for message in messages[:LISTED]:
        lines.append(f"• {message.title}")
        if message.link:
            lines.append(f"  {message.link}")
    if len(messages) > LISTED:
        lines.append(f"… and {len(messages) - LISTED} more")
    return title, "\n".join(lines)


def failing_notice(feed: Feed) -> tuple[str, str]:
    title = f"Feed failing for a day: {feed.display_title}"
    body = f"{feed.url}\nfailing since {_when(feed)}: {feed.last_error or 'no answer'}"
    if feed.disabled_reason:
        body += f"\ndisabled: {feed.disabled_reason}"
    return title, body


def recovered_notice(feed: Feed) -> tuple[str, str]:
    return f"Feed works again: {feed.display_title}", feed.url


def _when(feed: Feed) -> str:
    since = feed.error_since
    return since.strftime("%Y-%m-%d %H:%M UTC") if since else "a while"


def digest(entries: Sequence[DigestEntry], site_title: str) -> tuple[str, str] | None:
    """A day's new items by feed (``DIGEST_PER_FEED`` each, then a count), or None for none."""
    if not entries:
        return None
    more = "+" if len(entries) >= DIGEST_ITEMS else ""
    title = f"{site_title}: {len(entries)}{more} new items today"
    lines: list[str] = []
    for feed_title, group in groupby(entries, key=lambda entry: entry.feed_title):
        listed = list(group)
        lines.append(f"{feed_title} ({len(listed)})")
        for entry in listed[:DIGEST_PER_FEED]:
            lines.append(f"  • {entry.title}" + (f"\n    {entry.link}" if entry.link else ""))
        if len(listed) > DIGEST_PER_FEED:
            lines.append(f"  … and {len(listed) - DIGEST_PER_FEED} more")
        lines.append("")
    return title, "\n".join(lines).rstrip()


def short_error(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
