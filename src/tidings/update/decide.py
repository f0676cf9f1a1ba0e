"""The pure part of an update: given what is stored, what was fetched and the clock, what to write.

Nothing here does I/O or reads the clock; ``pipeline.py`` gathers the inputs and applies the plan.
That keeps every rule (identity, change detection, tombstones, retention, next check, backoff,
redirects) testable from a table. The scheduling rules themselves live in ``schedule.py``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tidings.errors import HTTPStatusError, TidingsError
from tidings.timefmt import count as plural
from tidings.types import (
    FeedMeta,
    FeedState,
    FetchResult,
    ItemWrite,
    ParsedFeed,
    ParsedItem,
    UpdatePlan,
)
from tidings.update.duplicates import Finder
from tidings.update.schedule import (
    RETRY_AFTER_STATUSES,
    Policy,
    backoff_interval,
    next_check_at,
    publisher_minutes,
    success_interval,
    track_redirect,
)
from tidings.update.websub import hub_and_topic


def _h(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(b"\x1f" if part is None else str(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:32]


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def identity_of(item: ParsedItem) -> str:
    """The item's id; else its link; else a hash of title, date and content."""
    if item.guid and item.guid.strip():
        return _h("id", item.guid.strip())
    if item.link:
        return _h("link", item.link)
    date = item.published or item.updated
    return _h(
        "content",
        item.title,
        date.isoformat() if date else None,
        item.content_html or item.summary_html,
    )


def content_hash_of(item: ParsedItem) -> str:
    enclosures = ";".join(f"{e.url}|{e.type}|{e.length}" for e in item.enclosures)
    return _h(
        item.title,
        item.link,
        item.author,
        item.summary_html,
        item.content_html,
        item.published.isoformat() if item.published else None,
        item.updated.isoformat() if item.updated else None,
        enclosures,
    )


def is_unchanged_body(state: FeedState, fetched: FetchResult) -> bool:
    """A 304, or a 200 whose body is byte-for-byte the last one: nothing to parse."""
    return fetched.not_modified or (
        state.body_hash is not None and body_hash(fetched.body) == state.body_hash
    )


def decide_failure(
    state: FeedState,
    error: TidingsError,
    now: datetime,
    policy: Policy,
    *,
    status: int | None = None,
    duration_ms: int = 0,
    size: int = 0,
) -> UpdatePlan:
    """A fetch or parse failed: nothing is deleted; back off and say why.

    Every failure but 410 Gone is retried on backoff (404 and 5xx included: servers come back);
    410 disables the feed with a reason until a person enables it again. A Retry-After counts only
    on 429 and 503, where it asks us to slow down.
    """
    count = state.error_count + 1
    retry_after = None
    if isinstance(error, HTTPStatusError):
        status = error.status
        if status in RETRY_AFTER_STATUSES:
            retry_after = error.retry_after
    interval = backoff_interval(count, policy, retry_after)
    disabled = None
    if error.permanent and status == 410:
        disabled = f"{error.message}: the publisher has removed this feed"
    reason = f"backoff after {plural(count, 'failure', 'failures')}"
    if retry_after:
        reason += " and Retry-After"
    return UpdatePlan(
        feed_id=state.feed_id,
        checked_at=now,
        next_check=next_check_at(
            state.feed_id,
            now,
            interval,
            policy,
            cap=max(policy.backoff_max, policy.max_refresh),
            skip_hours=state.skip_hours,
            skip_days=state.skip_days,
        ),
        status=status,
        duration_ms=duration_ms,
        bytes=size,
        error_kind=error.kind,
        error=error.message,
        permanent=error.permanent,
        error_count=count,
        error_since=state.error_since or now,
        disabled_reason=disabled,
        schedule_reason=reason,
        # a failed fetch is not one that redirected: the count of consecutive ones starts again
        redirect_url=None,
        redirect_count=0,
    )


@dataclass(slots=True)
class _Sorted:
    """The parsed items sorted against the stored ones."""

    new: list[ItemWrite] = field(default_factory=list)
    changed: list[ItemWrite] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class _Schedule:
    """When to look again, why, and the publisher's hints that went into it."""

    at: datetime
    reason: str
    ttl_minutes: int | None
    skip_hours: frozenset[int]
    skip_days: frozenset[str]


def _sort_items(
    state: FeedState,
    parsed: ParsedFeed | None,
    now: datetime,
    policy: Policy,
    cutoff: datetime | None,
) -> _Sorted:
    """New, changed, unchanged and expired: retention takes the stored items older than the
    cutoff, and remembers (never shows) new ones that are already too old to keep."""
    out = _Sorted(
        expired=[
            ident for ident, stored in state.items.items() if cutoff and stored.sort_date < cutoff
        ]
    )
    if parsed is None:
        return out
    seen: set[str] = set()
    latest = now + policy.future_tolerance
    idents = [identity_of(item) for item in parsed.items]
    finder = Finder(state.items, idents, out.expired)
    for ident, item in zip(idents, parsed.items, strict=True):
        if ident in seen or ident in state.tombstones:
            continue
        seen.add(ident)
        stored = state.items.get(ident)
        # a new identity may be a stored story under another guid (update/duplicates.py)
        same = None if stored is not None else finder.claim(item)
        stored = stored or same
        first_seen = stored.first_seen if stored else now
        date = item.published or item.updated or first_seen
        sort_date = now if date > latest else date
        if stored is None and cutoff and sort_date < cutoff:
            out.expired.append(ident)
            continue
        chash = content_hash_of(item)
        previous = same.identity if same is not None else None
        write = ItemWrite(ident, chash, item, first_seen, sort_date, previous)
        if stored is None:
            out.new.append(write)
        elif previous is not None or stored.content_hash != chash:
            out.changed.append(write)
        else:
            out.unchanged += 1
    return out


def _next_check(
    state: FeedState,
    fetched: FetchResult,
    parsed: ParsedFeed | None,
    now: datetime,
    policy: Policy,
    recent: list[datetime],
    older: int,
) -> _Schedule:
    """The document's hints replace the stored ones; a 304 keeps them."""
    if parsed is not None:
        ttl = publisher_minutes(parsed.ttl_minutes, parsed.update_period_seconds)
        skip_hours, skip_days = parsed.skip_hours, parsed.skip_days
    else:
        ttl, skip_hours, skip_days = state.ttl_minutes, state.skip_hours, state.skip_days
    interval = success_interval(
        refresh_seconds=state.refresh_seconds,
        policy=policy,
        item_dates=recent,
        older_items=older,
        now=now,
        headers=fetched.headers,
        ttl_minutes=ttl,
        pushed=state.pushed,
    )
    at = next_check_at(
        state.feed_id,
        now,
        interval.seconds,
        policy,
        cap=max(policy.max_refresh, policy.push_poll) if state.pushed else policy.max_refresh,
        skip_hours=skip_hours,
        skip_days=skip_days,
    )
    return _Schedule(at, interval.reason, ttl, skip_hours, skip_days)


def _meta(parsed: ParsedFeed, fetched: FetchResult) -> FeedMeta:
    """What the document says about the feed, its WebSub hub and topic included."""
    return FeedMeta(
        parsed.title,
        parsed.link,
        parsed.description,
        parsed.image,
        *hub_and_topic(parsed, fetched),
    )


def decide_success(
    state: FeedState,
    fetched: FetchResult,
    parsed: ParsedFeed | None,
    now: datetime,
    policy: Policy,
) -> UpdatePlan:
    """A good answer: which items are new, changed or expired, and when to look again.

    ``parsed`` is None when the body was not modified (``is_unchanged_body``).
    """
    retention = state.retention_days or policy.retention_days
    cutoff = now - timedelta(days=retention) if retention else None
    items = _sort_items(state, parsed, now, policy, cutoff)
    stored_dates = (
        state.item_dates
        if state.item_dates is not None
        else [s.sort_date for s in state.items.values()]
    )
    recent = [d for d in stored_dates if not (cutoff and d < cutoff)]  # the expired go
    recent += [w.sort_date for w in items.new]
    # items past the window whose dates were not read: none of them expire without a cutoff
    older = state.older_items if cutoff is None else 0
    schedule = _next_check(state, fetched, parsed, now, policy, recent, older)
    redirect = track_redirect(
        state.url, state.redirect_url, state.redirect_count, fetched.redirects, policy
    )
    kept = fetched.not_modified  # a 304 sends no validators: the stored ones stay
    return UpdatePlan(
        feed_id=state.feed_id,
        checked_at=now,
        next_check=schedule.at,
        status=fetched.status,
        duration_ms=int(fetched.elapsed * 1000),
        bytes=len(fetched.body),
        not_modified=parsed is None,
        new=tuple(items.new),
        changed=tuple(items.changed),
        unchanged=items.unchanged,
        expired=tuple(items.expired),
        meta=None if parsed is None else _meta(parsed, fetched),
        etag=fetched.headers.get("etag") or (state.etag if kept else None),
        last_modified=fetched.headers.get("last-modified")
        or (state.last_modified if kept else None),
        body_hash=state.body_hash if kept else body_hash(fetched.body),
        schedule_reason=schedule.reason,
        ttl_minutes=schedule.ttl_minutes,
        skip_hours=schedule.skip_hours,
        skip_days=schedule.skip_days,
        redirect_url=redirect.url,
        redirect_count=redirect.count,
        adopt_redirect=redirect.adopt,
        notice=redirect.notice,
    )
