"""The pure part of an update: given what is stored, what was fetched and the clock, what to write.

Nothing here does I/O or reads the clock; ``pipeline.py`` gathers the inputs and applies the plan.
That keeps every rule (identity, change detection, tombstones, retention, next check, backoff)
testable from a table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from tidings.errors import HTTPStatusError, TidingsError
from tidings.types import (
    FeedMeta,
    FeedState,
    FetchResult,
    ItemWrite,
    ParsedFeed,
    ParsedItem,
    UpdatePlan,
)


@dataclass(frozen=True, slots=True)
class Policy:
    """The site-wide knobs the decisions depend on (from Settings)."""

    default_refresh: int = 3600
    min_refresh: int = 300
    max_refresh: int = 24 * 3600
    backoff_base: int = 15 * 60
    backoff_max: int = 48 * 3600
    future_tolerance: timedelta = timedelta(minutes=10)
    retention_days: int | None = None  # site default; a feed's own wins


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


def _jitter(feed_id: int, now: datetime) -> float:
    """A deterministic spread in [-1, 1): feeds added together do not come due together."""
    digest = hashlib.sha256(f"{feed_id}:{now.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**31 - 1.0


def success_interval(state: FeedState, policy: Policy, parsed: ParsedFeed | None) -> int:
    interval = state.refresh_seconds or policy.default_refresh
    if parsed is not None and parsed.ttl_minutes:
        interval = max(interval, parsed.ttl_minutes * 60)  # the publisher's hint only slows us
    return min(max(interval, policy.min_refresh), policy.max_refresh)


def backoff_interval(error_count: int, policy: Policy, retry_after: float | None) -> int:
    """Exponential backoff: base, 2 x base ... capped; a Retry-After raises it, within the cap."""
    seconds = min(policy.backoff_base * 2 ** min(error_count - 1, 30), policy.backoff_max)
    if retry_after:
        seconds = max(seconds, min(int(retry_after), policy.backoff_max))
    return int(seconds)


def _next(state: FeedState, now: datetime, interval: int, floor: int) -> datetime:
    spread = interval * 0.1 * _jitter(state.feed_id, now)
    return now + timedelta(seconds=max(floor, interval + spread))


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
    """A fetch or parse failed: nothing is deleted; back off and say why."""
    count = state.error_count + 1
    retry_after = error.retry_after if isinstance(error, HTTPStatusError) else None
    if isinstance(error, HTTPStatusError):
        status = error.status
    interval = backoff_interval(count, policy, retry_after)
    disabled = None
    if error.permanent and status == 410:
        disabled = f"{error.message}: the publisher has removed this feed"
    return UpdatePlan(
        feed_id=state.feed_id,
        checked_at=now,
        next_check=_next(state, now, interval, policy.min_refresh),
        status=status,
        duration_ms=duration_ms,
        bytes=size,
        error_kind=error.kind,
        error=error.message,
        permanent=error.permanent,
        error_count=count,
        error_since=state.error_since or now,
        disabled_reason=disabled,
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
    duration_ms = int(fetched.elapsed * 1000)
    retention = state.retention_days or policy.retention_days
    cutoff = now - timedelta(days=retention) if retention else None
    expired = [
        ident for ident, stored in state.items.items() if cutoff and stored.sort_date < cutoff
    ]
    new: list[ItemWrite] = []
    changed: list[ItemWrite] = []
    unchanged = 0
    meta = None
    if parsed is not None:
        meta = FeedMeta(parsed.title, parsed.link, parsed.description, parsed.image)
        seen: set[str] = set()
        latest = now + policy.future_tolerance
        for item in parsed.items:
            ident = identity_of(item)
            if ident in seen or ident in state.tombstones:
                continue
            seen.add(ident)
            stored = state.items.get(ident)
            first_seen = stored.first_seen if stored else now
            date = item.published or item.updated or first_seen
            sort_date = now if date > latest else date
            if stored is None and cutoff and sort_date < cutoff:
                expired.append(ident)  # already too old to keep: remember, never show
                continue
            chash = content_hash_of(item)
            write = ItemWrite(ident, chash, item, first_seen, sort_date)
            if stored is None:
                new.append(write)
            elif stored.content_hash != chash:
                changed.append(write)
            else:
                unchanged += 1
    etag = fetched.headers.get("etag") or (state.etag if fetched.not_modified else None)
    last_modified = fetched.headers.get("last-modified") or (
        state.last_modified if fetched.not_modified else None
    )
    return UpdatePlan(
        feed_id=state.feed_id,
        checked_at=now,
        next_check=_next(state, now, success_interval(state, policy, parsed), policy.min_refresh),
        status=fetched.status,
        duration_ms=duration_ms,
        bytes=len(fetched.body),
        not_modified=parsed is None,
        new=tuple(new),
        changed=tuple(changed),
        unchanged=unchanged,
        expired=tuple(expired),
        meta=meta,
        etag=etag,
        last_modified=last_modified,
        body_hash=state.body_hash if fetched.not_modified else body_hash(fetched.body),
    )
