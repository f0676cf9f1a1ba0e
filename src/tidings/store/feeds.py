"""Feeds: subscribing, reading, editing and removing the subscriptions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tidings.errors import DuplicateError, NotFoundError
from tidings.i18n import gettext as _
from tidings.store.categories import assign_categories
from tidings.store.due import is_wanted
from tidings.store.part import StorePart
from tidings.store.schema import categories, feed_categories, feeds, items, tombstones
from tidings.types import Feed


def _feed_query() -> Select[Any]:
    # A correlated count reads only the selected feeds' index ranges; a grouped count over
    # all items cost ~100 ms per feed looked up at a million items.
    count = (
        select(func.count())
        .select_from(items)
        .where(items.c.feed_id == feeds.c.id)
        .correlate(feeds)
        .scalar_subquery()
    )
    return select(feeds, count.label("item_count"))


def _categories_of(conn: Connection, ids: list[int]) -> dict[int, list[str]]:
    cats: dict[int, list[str]] = {}
    if ids:
        for fid, name in conn.execute(
            select(feed_categories.c.feed_id, categories.c.name)
            .join(categories, categories.c.id == feed_categories.c.category_id)
            .where(feed_categories.c.feed_id.in_(ids))
            .order_by(categories.c.name)
        ):
            cats.setdefault(fid, []).append(name)
    return cats


def _feeds_of(conn: Connection, rows: Sequence[Row[Any]]) -> list[Feed]:
    cats = _categories_of(conn, [r.id for r in rows])
    return [
        Feed(
            id=r.id,
            url=r.url,
            title=r.user_title or r.title,
            site_url=r.site_url,
            description=r.description,
            image_url=r.image_url,
            added_at=r.added_at,
            last_checked=r.last_checked,
            last_success=r.last_success,
            next_check=r.next_check,
            error_count=r.error_count,
            last_error=r.last_error,
            disabled_reason=r.disabled_reason,
            refresh_seconds=r.refresh_seconds,
            retention_days=r.retention_days,
            item_count=r.item_count,
            categories=tuple(cats.get(r.id, ())),
            etag=r.etag,
            last_modified=r.last_modified,
            error_since=r.error_since,
            user_agent=r.user_agent,
            on_site=r.on_site,
            unread_cap=r.unread_cap,
            full_articles=r.full_articles,
        )
        for r in rows
    ]


class FeedsPart(StorePart):
    def add_feed(
        self,
        url: str,
        *,
        now: datetime,
        title: str | None = None,
        categories_: Sequence[str] = (),
        refresh_seconds: int | None = None,
        next_check: datetime | None = None,
        user_agent: str | None = None,
        on_site: bool = True,
    ) -> int:
        try:
            with self.engine.begin() as conn:
                feed_id = conn.execute(
                    insert(feeds).values(
                        url=url,
                        user_title=title,
                        added_at=now,
                        refresh_seconds=refresh_seconds,
                        user_agent=user_agent,
                        next_check=next_check or now,
                        on_site=on_site,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                assign_categories(conn, int(feed_id), categories_)
        except IntegrityError as exc:
            raise DuplicateError(_("already subscribed: %(url)s") % {"url": url}) from exc
        return int(feed_id)

    def list_feeds(
        self, ids: Iterable[int] | None = None, *, site_only: bool = False
    ) -> list[Feed]:
        query = _feed_query().order_by(feeds.c.id)
        if site_only:
            query = query.where(feeds.c.on_site)
        if ids is not None:
            query = query.where(feeds.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            return _feeds_of(conn, conn.execute(query).all())

    def get_feed(self, feed_id: int) -> Feed:
        with self.engine.connect() as conn:
            rows = conn.execute(_feed_query().where(feeds.c.id == feed_id)).all()
            if not rows:
                raise NotFoundError(_("no feed with id %(feed_id)s") % {"feed_id": feed_id})
            return _feeds_of(conn, rows)[0]

    def find_feed(self, url: str) -> Feed | None:
        with self.engine.connect() as conn:
            rows = conn.execute(_feed_query().where(feeds.c.url == url)).all()
            return _feeds_of(conn, rows)[0] if rows else None

    def feed_ids(self, *, enabled_only: bool = False) -> list[int]:
        query = select(feeds.c.id).order_by(feeds.c.id)
        if enabled_only:  # and wanted: on the site or followed (store.due)
            query = query.where(feeds.c.disabled_reason.is_(None), is_wanted())
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def join_site(
        self, feed_id: int, *, title: str | None = None, categories_: Sequence[str] = ()
    ) -> bool:
        """Put a feed that only people follow on the site, with the title and categories an
        admin gave; False when it is the site's already."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(feeds).where(feeds.c.id == feed_id, ~feeds.c.on_site).values(on_site=True)
            ).rowcount
            if done and title:
                _change_row(conn, feed_id, user_title=title)
            if done and categories_:
                assign_categories(conn, feed_id, categories_)
        return bool(done)

    def set_unread_cap(self, feed_id: int, cap: int | None) -> None:
        self._change(feed_id, unread_cap=cap)

    def set_on_site(self, feed_id: int, on_site: bool) -> None:
        """Put a feed in the site's collection, or take it out (people may still follow it)."""
        self._change(feed_id, on_site=on_site)

    def remove_feed(self, feed_id: int) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(delete(feeds).where(feeds.c.id == feed_id)).rowcount:
                raise NotFoundError(_("no feed with id %(feed_id)s") % {"feed_id": feed_id})

    def edit_feed(
        self,
        feed_id: int,
        *,
        url: str,
        title: str | None,
        refresh_seconds: int | None,
        retention_days: int | None,
        user_agent: str | None = None,
    ) -> None:
        try:
            self._change(
                feed_id,
                url=url,
                user_title=title or None,
                refresh_seconds=refresh_seconds,
                retention_days=retention_days,
                user_agent=user_agent or None,
            )
        except IntegrityError as exc:
            raise DuplicateError(
                _("another feed already has the URL %(url)s") % {"url": url}
            ) from exc

    def enable_feed(self, feed_id: int, *, now: datetime) -> None:
        """Enable a disabled feed again with a clean slate, due now: the next fetch decides."""
        self._change(
            feed_id,
            disabled_reason=None,
            error_count=0,
            error_kind=None,
            last_error=None,
            error_since=None,
            next_check=now,
        )

    def remove_items(self, feed_id: int, *, now: datetime) -> int:
        """Delete a feed's items, tombstones and validators, and make it due now."""
        with self.engine.begin() as conn:
            count = conn.execute(delete(items).where(items.c.feed_id == feed_id)).rowcount
            conn.execute(delete(tombstones).where(tombstones.c.feed_id == feed_id))
            _change_row(
                conn, feed_id, etag=None, last_modified=None, body_hash=None, next_check=now
            )
        return int(count)

    def _change(self, feed_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            _change_row(conn, feed_id, **values)


def _change_row(conn: Connection, feed_id: int, **values: Any) -> None:
    """Set ``values`` on the feed's row; NotFoundError (rolling back) when there is none."""
    if not conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values)).rowcount:
        raise NotFoundError(_("no feed with id %(feed_id)s") % {"feed_id": feed_id})
