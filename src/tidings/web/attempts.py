"""Failed attempts, counted per key in a sliding window: after too many, the key waits.

Kept in the memory of the process (a restart forgets them); enough to make guessing a password
through a form slow: the sign-in form counts per user name and address, the password form per user.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta

from starlette.requests import Request

from tidings.i18n import ngettext

LIMIT = 5
WINDOW = timedelta(minutes=15)


class Attempts:
    """At most ``limit`` failures per key within ``window``; then the key waits for the oldest
    failure to leave the window."""

    def __init__(self, limit: int = LIMIT, window: timedelta = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def wait(self, key: str, now: datetime) -> timedelta | None:
        """How long ``key`` must wait before it may try again, or None when it may now."""
        failures = self._recent(key, now)
        if len(failures) < self.limit:
            return None
        return failures[0] + self.window - now

    def failed(self, key: str, now: datetime) -> None:
        self._failures.setdefault(key, deque()).append(now)
        self._recent(key, now)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)


def attempts_of(request: Request, form: str) -> Attempts:
    """The app's count of failures of one form ("signin", "password")."""
    state = request.app.state
    if not hasattr(state, "attempts"):
        state.attempts = {}
    found: Attempts = state.attempts.setdefault(form, Attempts())
    return found


def in_minutes(wait: timedelta) -> str:
    """A wait as people read it: "15 minutes", "1 minute" (rounded up)."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
