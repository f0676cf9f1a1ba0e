"""Which feeds are due: the scans a scheduler makes to know what to fetch and when to wake."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from tidings.store.part import StorePart
from tidings.store.schema import feeds, subscriptions


def is_wanted() -> ColumnElement[bool]:
    """A feed worth fetching: the site's, or one someone follows (fetched once for all)."""
    return or_(feeds.c.on_site, exists().where(subscriptions.c.feed_id == feeds.c.id))


def is_due(now: datetime) -> ColumnElement[bool]:
    """An enabled feed, on the site or followed, whose next check is at or before ``now`` (or
    was never set)."""
    return and_(
        feeds.c.disabled_reason.is_(None),
        or_(feeds.c.next_check.is_(None), feeds.c.next_check <= now),
        is_wanted(),
    )


def longest_overdue(now: datetime, limit: int, *columns: ColumnElement[Any]) -> Select[Any]:
    """The due feeds' ``columns``, the longest overdue first."""
    return select(*columns).where(is_due(now)).order_by(feeds.c.next_check, feeds.c.id).limit(limit)


class DuePart(StorePart):
    def due_feed_ids(self, now: datetime, limit: int = 10_000) -> list[int]:
        query = longest_overdue(now, limit, feeds.c.id)
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def due_feeds(self, now: datetime, limit: int = 10_000) -> list[tuple[int, str]]:
        """The enabled feeds due at ``now`` as (id, url), the longest overdue first."""
        query = longest_overdue(now, limit, feeds.c.id, feeds.c.url)
        with self.engine.connect() as conn:
            return [(int(fid), str(url)) for fid, url in conn.execute(query)]

    def next_due(self, exclude: Collection[int] = ()) -> datetime | None:
        """The earliest next check of an enabled feed, leaving out ``exclude`` (those in flight)."""
        query = select(func.min(feeds.c.next_check)).where(
            feeds.c.disabled_reason.is_(None), is_wanted()
        )
        if exclude:
            query = query.where(feeds.c.id.not_in(list(exclude)))
        with self.engine.connect() as conn:
            value: datetime | None = conn.execute(query).scalar()
            return value

    def due_summary(self, now: datetime) -> tuple[int, datetime | None]:
        """How many enabled feeds are due at ``now``, and the oldest next check among them."""
        query = select(func.count(), func.min(feeds.c.next_check)).where(is_due(now))
        with self.engine.connect() as conn:
            count, oldest = conn.execute(query).one()
        return int(count), oldest
