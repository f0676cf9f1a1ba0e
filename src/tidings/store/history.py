"""What happened to the feeds: the fetch log, the failing and disabled ones, counts by state."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select

from tidings.store.items import MAX_PAGE
from tidings.store.part import StorePart
from tidings.store.planwrite import FETCH_LOG_KEEP
from tidings.store.schema import feeds, fetch_log
from tidings.types import FeedHealth, FetchRecord

__all__ = ["FETCH_LOG_KEEP", "HistoryPart"]


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
