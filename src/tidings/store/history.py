"""What happened to the feeds: the fetch log, the failing and disabled ones, counts by state."""

from __future__ import annotations

from sqlalchemy import Connection, and_, case, delete, func, insert, or_, select

from tidings.store.counters import count_fetch
from tidings.store.items import MAX_PAGE
from tidings.store.part import StorePart
from tidings.store.schema import feeds, fetch_log
from tidings.types import FeedHealth, FetchRecord, UpdatePlan

FETCH_LOG_KEEP = 100  # the last fetches kept per feed: enough for a chart, bounded for a million


def log_fetch(conn: Connection, plan: UpdatePlan) -> None:
    """Add the update's line to the feed's fetch log, and drop what is past the last hundred;
    count it in the installation's fetch counters."""
    count_fetch(conn, plan)
    conn.execute(
        insert(fetch_log).values(
            feed_id=plan.feed_id,
            at=plan.checked_at,
            status=plan.status,
            duration_ms=plan.duration_ms,
            bytes=plan.bytes,
            new_items=len(plan.new),
            changed_items=len(plan.changed),
            error=plan.error,
        )
    )
    _trim_fetch_log(conn, plan.feed_id)


def _trim_fetch_log(conn: Connection, feed_id: int) -> None:
    """Keep the last ``FETCH_LOG_KEEP`` fetches of the feed (one indexed range delete)."""
    cutoff = conn.execute(
        select(fetch_log.c.at, fetch_log.c.id)
        .where(fetch_log.c.feed_id == feed_id)
        .order_by(fetch_log.c.at.desc(), fetch_log.c.id.desc())
        .offset(FETCH_LOG_KEEP - 1)
        .limit(1)
    ).first()
    if cutoff is None:
        return
    conn.execute(
        delete(fetch_log).where(
            and_(
                fetch_log.c.feed_id == feed_id,
                or_(
                    fetch_log.c.at < cutoff.at,
                    and_(fetch_log.c.at == cutoff.at, fetch_log.c.id < cutoff.id),
                ),
            )
        )
    )


def _state_of(disabled_reason: str | None, error_count: int) -> str:
    if disabled_reason:
        return "disabled"
    return "failing" if error_count > 0 else "notice"


class HistoryPart(StorePart):
    def fetch_history(self, feed_id: int, limit: int = FETCH_LOG_KEEP) -> list[FetchRecord]:
        query = (
            select(fetch_log)
            .where(fetch_log.c.feed_id == feed_id)
            .order_by(fetch_log.c.at.desc(), fetch_log.c.id.desc())
            .limit(min(limit, MAX_PAGE))
        )
        with self.engine.connect() as conn:
            return [
                FetchRecord(
                    r.feed_id,
                    r.at,
                    r.status,
                    r.duration_ms,
                    r.bytes,
                    r.new_items,
                    r.changed_items,
                    r.error,
                )
                for r in conn.execute(query)
            ]

    def health(self) -> list[FeedHealth]:
        """Failing and disabled feeds, and those with a notice: disabled first, then the longest
        failing first, then the noticed ones."""
        query = (
            select(feeds)
            .where(
                or_(
                    feeds.c.disabled_reason.is_not(None),
                    feeds.c.error_count > 0,
                    feeds.c.notice.is_not(None),
                )
            )
            .order_by(
                feeds.c.disabled_reason.is_(None),
                feeds.c.error_count == 0,
                feeds.c.error_since.is_(None),
                feeds.c.error_since,
                feeds.c.id,
            )
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            FeedHealth(
                feed_id=r.id,
                url=r.url,
                title=r.user_title or r.title or r.site_url or r.url,
                state=_state_of(r.disabled_reason, r.error_count),
                reason=r.disabled_reason or r.last_error or r.notice or "",
                error_kind=r.error_kind,
                since=r.error_since,
                error_count=r.error_count,
                next_check=None if r.disabled_reason else r.next_check,
                last_checked=r.last_checked,
                last_success=r.last_success,
            )
            for r in rows
        ]

    def feed_states(self) -> dict[str, int]:
        """How many feeds are ok, failing and disabled (for metrics)."""
        state = case(
            (feeds.c.disabled_reason.is_not(None), "disabled"),
            (feeds.c.error_count > 0, "failing"),
            else_="ok",
        ).label("state")
        query = select(state, func.count()).group_by(state)
        with self.engine.connect() as conn:
            found = {str(name): int(n) for name, n in conn.execute(query)}
        return {name: found.get(name, 0) for name in ("ok", "failing", "disabled")}
