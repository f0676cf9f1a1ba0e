"""HTTP statuses that carry no feed, turned into HTTPStatusError with the server's hints."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Final

from tidings.errors import HTTPStatusError

MAX_RETRY_AFTER: Final = 7 * 24 * 3600.0
_DELTA_SECONDS = re.compile(r"[0-9]+")
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def _http_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC with no zone information
        when = when.replace(tzinfo=UTC)
    return when


def parse_retry_after(
    value: str | None, *, now: datetime | None = None, date: str | None = None
) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date), clamped to [0, 7 d].

    An HTTP-date is measured against the response's own Date header when there is one, so a server
    whose clock is off still gets the delay it meant. None when absent or unreadable.
    """
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        seconds = float(min(int(value), int(MAX_RETRY_AFTER)))
    else:
        when = _http_date(value)
        if when is None:
            return None
        reference = _http_date(date) if date else None
        if reference is None:
            reference = now or datetime.now(UTC)
        seconds = (when - reference).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def status_error(
    status: int, reason: str | None, retry_after: str | None, date: str | None = None
) -> HTTPStatusError:
    """The error for a final status that is neither 2xx nor 304 (410 Gone is permanent)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        # the server's own words, made safe for one log line
        phrase = _PRINTABLE.sub("", reason or "")[:80].strip() or "Unknown Status"
    return HTTPStatusError(
        f"HTTP {status} {phrase}",
        status=status,
        retry_after=parse_retry_after(retry_after, date=date),
    )
