"""When to look at a feed again: the pure scheduling rules of DESIGN.md "Scheduling".

Every function here takes the clock as an argument and does no I/O, so each rule is one row of a
table in the tests. ``decide.py`` calls them to fill ``UpdatePlan.next_check``; the rules are:

- the interval is the feed's own (``refresh_seconds``), else one adapted to how many items the feed
  published in the last four weeks, else the site default; never under the floor, never over 24 h;
- the publisher's hints only ever slow us down (each is a floor), and none beyond 24 h:
  Cache-Control ``max-age`` (else ``Expires``), RSS ``ttl``, ``sy:updatePeriod`` and
  ``sy:updateFrequency``, and on a 429 or 503 ``Retry-After``; ``skipHours`` and ``skipDays``
  move the check out of the hours and days the publisher asked us to skip (never past 24 h);
- after a failure: exponential backoff (15 min doubling to 48 h), never abandoned;
- jitter derived from the feed id and the time spreads feeds fetched together, so that they do not
  all come due together again;
- a permanent redirect (301/308) seen on three consecutive fetches, always to the same target, is
  adopted as the feed's URL; a temporary one (302/307) never is, nor one from https to http (it
  would drop https): that one is noted in the feed's health instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Final

from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.i18n import ngettext
from tidings.timefmt import format_duration

WEEK: Final = 7 * 24 * 3600
DAY_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PERMANENT_REDIRECTS: Final = frozenset({301, 308})
# the statuses whose Retry-After is a request to slow down (RFC 9110, 10.2.3; RFC 6585, 4)
RETRY_AFTER_STATUSES: Final = frozenset({429, 503})

CHECKS_PER_GAP: Final = 4  # adaptive: checks per average gap between a feed's items
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)\"?", re.I)


@dataclass(frozen=True, slots=True)
class Policy:
    """The site-wide knobs the decisions depend on (from Settings)."""

    default_refresh: int = 3600
    min_refresh: int = 300  # the floor of every interval, whatever asks for less
    max_refresh: int = 24 * 3600  # the cap of every success interval and of every server hint
    backoff_base: int = 15 * 60
    backoff_max: int = 48 * 3600
    future_tolerance: timedelta = timedelta(minutes=10)
    retention_days: int | None = None  # site default; a feed's own wins
    adaptive: bool = True  # adapt the interval to the feed's activity when it has no own
    activity_window_days: int = 28
    jitter: float = 0.1  # the spread, as a fraction of the interval
    adopt_redirect_after: int = 3  # consecutive permanent redirects before the URL changes
    push_poll: int = 24 * 3600  # the interval of a feed a WebSub hub pushes (TIDINGS_WEBSUB_POLL)


def floor_text(seconds: int) -> str:
    """The floor in words: "5 minutes", "90 seconds"."""
    if seconds % 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = seconds // 60
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def check_refresh(seconds: int | None, policy: Policy, shown: str | None = None) -> None:
    """Refuse a feed's own interval below the floor, naming the floor and its setting.

    ``shown`` names the interval as the person wrote it ("--refresh 1m"); else it is written
    out ("refresh interval 1m").
    """
    if seconds is None or seconds >= policy.min_refresh:
        return
    what = shown or _("refresh interval %(interval)s") % {"interval": format_duration(seconds)}
    raise TidingsError(
        _("%(what)s is below the floor of %(floor)s (TIDINGS_MIN_REFRESH)")
        % {"what": what, "floor": floor_text(policy.min_refresh)},
        kind="bad_refresh",
        permanent=True,
    )


@dataclass(frozen=True, slots=True)
class Interval:
    """An interval in seconds and the rule that chose it (for logs and tests)."""

    seconds: int
    reason: str


def _clamp(seconds: float, low: int, high: int) -> int:
    return int(min(max(seconds, low), high))


def unit_jitter(feed_id: int, now: datetime) -> float:
    """A deterministic number in [0, 1) from the feed and the time: same inputs, same spread."""
    digest = hashlib.sha256(f"{feed_id}:{now.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


# -- the publisher's hints ---------------------------------------------------------------------


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def cache_seconds(headers: Mapping[str, str], now: datetime) -> int | None:
    """How long the response says it stays fresh: ``max-age``, else ``Expires`` minus ``Date``.

    ``max-age`` wins over ``Expires`` (RFC 9111, 5.3); an ``Expires`` that cannot be read, or is
    in the past, says nothing. ``Expires`` is measured against the response's own ``Date`` when it
    has one, so a server whose clock is off still gets the delay it meant.
    """
    control = headers.get("cache-control")
    if control:
        found = _MAX_AGE.search(control)
        if found:
            return int(found.group(1)) or None
    expires = _http_date(headers.get("expires"))
    if expires is None:
        return None
    reference = _http_date(headers.get("date")) or now
    seconds = int((expires - reference).total_seconds())
    return seconds if seconds > 0 else None


def publisher_minutes(ttl_minutes: int | None, period_seconds: int | None) -> int | None:
    """The publisher's own minimum interval, in minutes: the larger of RSS ttl and sy:updatePeriod.

    Both are floors, so only the larger matters; it is kept in the feed's ``ttl_minutes`` column
    so that it also applies after a 304.
    """
    period_minutes = -(-period_seconds // 60) if period_seconds else None  # rounded up
    candidates = [m for m in (ttl_minutes, period_minutes) if m]
    return max(candidates) if candidates else None


# -- intervals -----------------------------------------------------------------------------------


def activity_interval(
    dates: Iterable[datetime], now: datetime, policy: Policy, *, older: int = 0
) -> Interval | None:
    """An interval from how busy the feed is: four checks per average gap between its items.

    ``dates`` are the dates the feed's items are listed under. With the four-week window, ``n``
    items are ``n / 4`` a week, a gap of ``7 d / (n / 4)`` between items, and four checks in that
    gap one every ``7 d / n``: an item an hour gives 15 minutes, one a day 6 hours, one a week or
    fewer the 24 h cap. A new item is thus seen about an eighth of a gap after it appears, while a
    quiet feed is asked once a day. None when the feed has no items at all (nothing to adapt to).
    ``older`` counts items known to be dated before the window, whose dates were not read.
    """
    window = timedelta(days=policy.activity_window_days)
    seen = older
    recent = 0
    for when in dates:
        seen += 1
        if now - window <= when <= now + policy.future_tolerance:
            recent += 1
    if not seen:
        return None
    if not recent:
        return Interval(policy.max_refresh, "adaptive: no items in the window")
    weeks = policy.activity_window_days / 7
    per_week = recent / weeks
    seconds = WEEK / per_week / CHECKS_PER_GAP
    return Interval(
        _clamp(seconds, policy.min_refresh, policy.max_refresh),
        f"adaptive: {per_week:.3g} items a week",
    )


def success_interval(
    *,
    refresh_seconds: int | None,
    policy: Policy,
    item_dates: Iterable[datetime] = (),
    older_items: int = 0,
    now: datetime,
    headers: Mapping[str, str] | None = None,
    ttl_minutes: int | None = None,
    pushed: bool = False,
) -> Interval:
    """The interval after a good answer: the feed's own, adaptive or default, then the hints.

    The feed's own interval (a person chose it) wins over adaptation. Every hint is a floor: it
    can only make the interval longer, and none makes it longer than ``max_refresh`` (24 h).
    A feed its hub ``pushed`` is polled only every ``push_poll``: pushes bring its items.
    """
    if refresh_seconds:
        base = Interval(refresh_seconds, "the feed's own interval")
    else:
        adapted = (
            activity_interval(item_dates, now, policy, older=older_items)
            if policy.adaptive
            else None
        )
        base = adapted or Interval(policy.default_refresh, "the default interval")
    chosen = Interval(_clamp(base.seconds, policy.min_refresh, policy.max_refresh), base.reason)
    hints = [
        (ttl_minutes * 60 if ttl_minutes else None, "the feed's ttl"),
        (cache_seconds(headers or {}, now), "Cache-Control/Expires"),
    ]
    for seconds, reason in hints:
        if seconds is not None and seconds > chosen.seconds:
            chosen = Interval(min(seconds, policy.max_refresh), reason)
    if pushed and policy.push_poll > chosen.seconds:
        chosen = Interval(policy.push_poll, "pushed by its WebSub hub")
    return chosen


def backoff_interval(error_count: int, policy: Policy, retry_after: float | None = None) -> int:
    """Exponential backoff: base, 2 x base ... capped; never infinite, so never abandoned.

    A Retry-After (only passed for 429 and 503) raises it as a floor, itself capped at 24 h.
    """
    seconds = min(policy.backoff_base * 2 ** min(max(error_count, 1) - 1, 30), policy.backoff_max)
    if retry_after:
        seconds = max(seconds, min(int(retry_after), policy.max_refresh))
    return int(seconds)


# -- from an interval to a time ------------------------------------------------------------------


def _usable(hours: frozenset[int], days: frozenset[str]) -> tuple[frozenset[int], frozenset[str]]:
    """Skip sets that would skip everything are the publisher's mistake: ignore them."""
    hours = frozenset(h for h in hours if 0 <= h <= 23)
    days = frozenset(d for d in days if d in DAY_NAMES)
    return (
        hours if len(hours) < 24 else frozenset(),
        days if len(days) < 7 else frozenset(),
    )


def avoid_skips(
    when: datetime,
    skip_hours: frozenset[int],
    skip_days: frozenset[str],
    *,
    latest: datetime,
    offset: timedelta = timedelta(0),
) -> datetime:
    """Move ``when`` to the first hour (GMT, as RSS says) that is neither skipped nor on a skipped
    day, plus ``offset`` into that hour; never past ``latest``.
    """
    hours, days = _usable(skip_hours, skip_days)
    if not hours and not days:
        return when
    moved = False
    current = when.astimezone(UTC)
    for _hour in range(24 * 8):  # a week of hours and one more day: enough to leave any window
        if DAY_NAMES[current.weekday()] in days:
            current = (current + timedelta(days=1)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            moved = True
        elif current.hour in hours:
            current = (current + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
            moved = True
        else:
            break
    if moved:
        current += offset
    return min(current, latest)


def next_check_at(
    feed_id: int,
    now: datetime,
    seconds: int,
    policy: Policy,
    *,
    cap: int,
    skip_hours: frozenset[int] = frozenset(),
    skip_days: frozenset[str] = frozenset(),
) -> datetime:
    """``now`` plus the interval, spread by jitter, out of the skipped hours, within ``cap``.

    The spread is upward (a hint is a floor, so never earlier than asked), except at the cap,
    where it goes below the cap: feeds that all hit the cap still do not come due together.
    """
    unit = unit_jitter(feed_id, now)
    spread = seconds * (1 + policy.jitter * unit)
    if spread > cap:
        spread = cap * (1 - policy.jitter * unit)
    spread = max(spread, policy.min_refresh)
    when = now + timedelta(seconds=spread)
    return avoid_skips(
        when,
        skip_hours,
        skip_days,
        latest=now + timedelta(seconds=cap),
        offset=timedelta(minutes=15 * unit),
    )


# -- redirects -----------------------------------------------------------------------------------


def permanent_target(redirects: Iterable[tuple[int, str]]) -> str | None:
    """Where the permanent part of a redirect chain leads: its hops up to the first temporary one.

    ``301 -> A, 302 -> B`` leads permanently to A (which itself redirects for now); a chain that
    starts with a 302 or 307 leads nowhere permanently.
    """
    target = None
    for status, url in redirects:
        if status not in PERMANENT_REDIRECTS:
            break
        target = url
    return target


@dataclass(frozen=True, slots=True)
class RedirectTrack:
    """The permanent redirect seen on consecutive fetches, and whether to adopt it now; a notice
    for the feed's health when it is one that is never adopted."""

    url: str | None = None
    count: int = 0
    adopt: bool = False
    notice: str | None = None


def drops_https(current_url: str, target: str) -> bool:
    """Whether following ``target`` instead of ``current_url`` would go from https to http."""
    current = current_url.partition(":")[0].lower()
    return current == "https" and target.partition(":")[0].lower() == "http"


def track_redirect(
    current_url: str,
    seen_url: str | None,
    seen_count: int,
    redirects: Iterable[tuple[int, str]],
    policy: Policy,
) -> RedirectTrack:
    """Count consecutive fetches that redirect permanently to the same target.

    A fetch with no permanent redirect, or one to another target, starts the count again; at
    ``policy.adopt_redirect_after`` the target becomes the feed's URL, unless it would drop
    https: then it is never adopted, and the track carries a notice saying so.
    """
    target = permanent_target(redirects)
    if target is None or target == current_url:
        return RedirectTrack()
    count = seen_count + 1 if target == seen_url else 1
    due = count >= policy.adopt_redirect_after
    if drops_https(current_url, target):
        notice = f"permanently redirects to {target}; not adopted: it would drop https"
        return RedirectTrack(target, count, notice=notice if due else None)
    return RedirectTrack(target, count, adopt=due)
