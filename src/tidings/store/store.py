"""Queries over the schema, the same for SQLite and PostgreSQL.

Synchronous on purpose: the pipeline runs them on one dedicated thread, which gives SQLite its
single writer and keeps every write transaction free of network I/O.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, and_, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from tidings.errors import DuplicateError, NotFoundError, StoreError
from tidings.store import migrate
from tidings.store.schema import (
    categories,
    feed_categories,
    feeds,
    fetch_log,
    items,
    tombstones,
)
from tidings.store.search import search_text_of
from tidings.types import (
    Category,
    Enclosure,
    Feed,
    FeedHealth,
    FeedState,
    FetchRecord,
    Item,
    ItemWrite,
    StoredItem,
    UpdatePlan,
)

MAX_PAGE = 500
# what an Item is read from: every column but search_text, which only the search index needs
ITEM_COLUMNS = tuple(c for c in items.c if c.key != "search_text")
FETCH_LOG_KEEP = 100  # the last fetches kept per feed: enough for a chart, bounded for a million


def slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "category"


def _enclosures(raw: str | None) -> tuple[Enclosure, ...]:
    if not raw:
        return ()
    return tuple(Enclosure(e["url"], e.get("type"), e.get("length")) for e in json.loads(raw))


class Store:
    """The database of one tidings installation."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        engine = migrate.create(url)
        if upgrade:
            try:
                migrate.upgrade(engine)
            except SQLAlchemyError as exc:
                raise StoreError(f"cannot open the database {engine.url!r}: {exc}") from exc
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- feeds ---------------------------------------------------------------------------------

    def add_feed(
        self,
        url: str,
        *,
        now: datetime,
        title: str | None = None,
        categories_: Sequence[str] = (),
        refresh_seconds: int | None = None,
        next_check: datetime | None = None,
    ) -> int:
        try:
            with self.engine.begin() as conn:
                feed_id = conn.execute(
                    insert(feeds).values(
                        url=url,
                        user_title=title,
                        added_at=now,
                        refresh_seconds=refresh_seconds,
                        next_check=next_check or now,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                self._set_categories(conn, int(feed_id), categories_)
        except IntegrityError as exc:
            raise DuplicateError(f"already subscribed: {url}") from exc
        return int(feed_id)

    def _set_categories(self, conn: Any, feed_id: int, names: Iterable[str]) -> None:
        conn.execute(delete(feed_categories).where(feed_categories.c.feed_id == feed_id))
        for name in dict.fromkeys(n.strip() for n in names if n.strip()):
            cat_id = conn.execute(select(categories.c.id).where(categories.c.name == name)).scalar()
            if cat_id is None:
                slug, n = slugify(name), 1
                base = slug
                while conn.execute(
                    select(categories.c.id).where(categories.c.slug == slug)
                ).first():
                    n += 1
                    slug = f"{base}-{n}"
                cat_id = conn.execute(
                    insert(categories).values(name=name, slug=slug)
                ).inserted_primary_key[0]
            conn.execute(insert(feed_categories).values(feed_id=feed_id, category_id=cat_id))

    def set_categories(self, feed_id: int, names: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            self._set_categories(conn, feed_id, names)

    def _feed_query(self) -> Any:
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

    def _feeds_from_rows(self, conn: Any, rows: Sequence[Row[Any]]) -> list[Feed]:
        ids = [r.id for r in rows]
        cats: dict[int, list[str]] = {}
        if ids:
            for fid, name in conn.execute(
                select(feed_categories.c.feed_id, categories.c.name)
                .join(categories, categories.c.id == feed_categories.c.category_id)
                .where(feed_categories.c.feed_id.in_(ids))
                .order_by(categories.c.name)
            ):
                cats.setdefault(fid, []).append(name)
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
            )
            for r in rows
        ]

    def list_feeds(self, ids: Iterable[int] | None = None) -> list[Feed]:
        query = self._feed_query().order_by(feeds.c.id)
        if ids is not None:
            query = query.where(feeds.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            return self._feeds_from_rows(conn, conn.execute(query).all())

    def get_feed(self, feed_id: int) -> Feed:
        with self.engine.connect() as conn:
            rows = conn.execute(self._feed_query().where(feeds.c.id == feed_id)).all()
            if not rows:
                raise NotFoundError(f"no feed with id {feed_id}")
            return self._feeds_from_rows(conn, rows)[0]

    def find_feed(self, url: str) -> Feed | None:
        with self.engine.connect() as conn:
            rows = conn.execute(self._feed_query().where(feeds.c.url == url)).all()
            return self._feeds_from_rows(conn, rows)[0] if rows else None

    def remove_feed(self, feed_id: int) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(delete(feeds).where(feeds.c.id == feed_id)).rowcount:
                raise NotFoundError(f"no feed with id {feed_id}")

    def edit_feed(
        self,
        feed_id: int,
        *,
        url: str,
        title: str | None,
        refresh_seconds: int | None,
        retention_days: int | None,
    ) -> None:
        try:
            with self.engine.begin() as conn:
                done = conn.execute(
                    update(feeds)
                    .where(feeds.c.id == feed_id)
                    .values(
                        url=url,
                        user_title=title or None,
                        refresh_seconds=refresh_seconds,
                        retention_days=retention_days,
                    )
                ).rowcount
        except IntegrityError as exc:
            raise DuplicateError(f"another feed already has the URL {url}") from exc
        if not done:
            raise NotFoundError(f"no feed with id {feed_id}")

    def remove_items(self, feed_id: int, *, now: datetime) -> int:
        """Delete a feed's items, tombstones and validators, and make it due now."""
        with self.engine.begin() as conn:
            count = conn.execute(delete(items).where(items.c.feed_id == feed_id)).rowcount
            conn.execute(delete(tombstones).where(tombstones.c.feed_id == feed_id))
            done = conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id)
                .values(etag=None, last_modified=None, body_hash=None, next_check=now)
            ).rowcount
        if not done:
            raise NotFoundError(f"no feed with id {feed_id}")
        return int(count)

    def due_feed_ids(self, now: datetime, limit: int = 10_000) -> list[int]:
        query = (
            select(feeds.c.id)
            .where(feeds.c.disabled_reason.is_(None))
            .where(or_(feeds.c.next_check.is_(None), feeds.c.next_check <= now))
            .order_by(feeds.c.next_check, feeds.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def due_feeds(self, now: datetime, limit: int = 10_000) -> list[tuple[int, str]]:
        """The enabled feeds due at ``now`` as (id, url), the longest overdue first."""
        query = (
            select(feeds.c.id, feeds.c.url)
            .where(feeds.c.disabled_reason.is_(None))
            .where(or_(feeds.c.next_check.is_(None), feeds.c.next_check <= now))
            .order_by(feeds.c.next_check, feeds.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(int(fid), str(url)) for fid, url in conn.execute(query)]

    def next_due(self, exclude: Collection[int] = ()) -> datetime | None:
        """The earliest next check of an enabled feed, leaving out ``exclude`` (those in flight)."""
        query = select(func.min(feeds.c.next_check)).where(feeds.c.disabled_reason.is_(None))
        if exclude:
            query = query.where(feeds.c.id.not_in(list(exclude)))
        with self.engine.connect() as conn:
            value: datetime | None = conn.execute(query).scalar()
            return value

    def due_summary(self, now: datetime) -> tuple[int, datetime | None]:
        """How many enabled feeds are due at ``now``, and the oldest next check among them."""
        query = (
            select(func.count(), func.min(feeds.c.next_check))
            .where(feeds.c.disabled_reason.is_(None))
            .where(or_(feeds.c.next_check.is_(None), feeds.c.next_check <= now))
        )
        with self.engine.connect() as conn:
            count, oldest = conn.execute(query).one()
        return int(count), oldest

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

    def enable_feed(self, feed_id: int, *, now: datetime) -> None:
        """Enable a disabled feed again with a clean slate, due now: the next fetch decides."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(feeds)
                .where(feeds.c.id == feed_id)
                .values(
                    disabled_reason=None,
                    error_count=0,
                    error_kind=None,
                    last_error=None,
                    error_since=None,
                    next_check=now,
                )
            ).rowcount
        if not done:
            raise NotFoundError(f"no feed with id {feed_id}")

    def health(self) -> list[FeedHealth]:
        """Failing and disabled feeds: disabled first, then the longest failing first."""
        query = (
            select(feeds)
            .where(or_(feeds.c.disabled_reason.is_not(None), feeds.c.error_count > 0))
            .order_by(
                feeds.c.disabled_reason.is_(None),
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
                state="disabled" if r.disabled_reason else "failing",
                reason=r.disabled_reason or r.last_error or "",
                error_kind=r.error_kind,
                since=r.error_since,
                error_count=r.error_count,
                next_check=None if r.disabled_reason else r.next_check,
                last_checked=r.last_checked,
                last_success=r.last_success,
            )
            for r in rows
        ]

    def feed_ids(self, *, enabled_only: bool = False) -> list[int]:
        query = select(feeds.c.id).order_by(feeds.c.id)
        if enabled_only:
            query = query.where(feeds.c.disabled_reason.is_(None))
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    # -- updates -------------------------------------------------------------------------------

    def feed_state(self, feed_id: int, *, with_items: bool = True) -> FeedState:
        """What an update starts from; without ``with_items``, only the items' dates.

        A 304 needs no item identities: its dates come from the (feed_id, sort_date) index
        alone, while reading the identities touches every item row.
        """
        with self.engine.connect() as conn:
            row = conn.execute(select(feeds).where(feeds.c.id == feed_id)).first()
            if row is None:
                raise NotFoundError(f"no feed with id {feed_id}")
            if not with_items:
                dates = tuple(
                    conn.execute(select(items.c.sort_date).where(items.c.feed_id == feed_id))
                    .scalars()
                    .all()
                )
                return self._state(row, {}, frozenset(), dates)
            stored = {
                r.identity_hash: StoredItem(
                    r.identity_hash, r.content_hash, r.first_seen, r.sort_date
                )
                for r in conn.execute(
                    select(
                        items.c.identity_hash,
                        items.c.content_hash,
                        items.c.first_seen,
                        items.c.sort_date,
                    ).where(items.c.feed_id == feed_id)
                )
            }
            gone = frozenset(
                conn.execute(
                    select(tombstones.c.identity_hash).where(tombstones.c.feed_id == feed_id)
                ).scalars()
            )
        return self._state(row, stored, gone, None)

    @staticmethod
    def _state(
        row: Row[Any],
        stored: dict[str, StoredItem],
        gone: frozenset[str],
        dates: tuple[datetime, ...] | None,
    ) -> FeedState:
        return FeedState(
            feed_id=row.id,
            url=row.url,
            etag=row.etag,
            last_modified=row.last_modified,
            body_hash=row.body_hash,
            error_count=row.error_count,
            error_since=row.error_since,
            refresh_seconds=row.refresh_seconds,
            retention_days=row.retention_days,
            items=stored,
            tombstones=gone,
            item_dates=dates,
            ttl_minutes=row.ttl_minutes,
            skip_hours=frozenset(int(h) for h in (row.skip_hours or "").split(",") if h.isdigit()),
            skip_days=frozenset(d for d in (row.skip_days or "").split(",") if d),
            redirect_url=row.redirect_url,
            redirect_count=row.redirect_count,
        )

    @staticmethod
    def _item_values(write: ItemWrite) -> dict[str, Any]:
        it = write.item
        return {
            "content_hash": write.content_hash,
            "guid": it.guid,
            "title": it.title,
            "link": it.link,
            "author": it.author,
            "published": it.published,
            "updated": it.updated,
            "sort_date": write.sort_date,
            "summary_html": it.summary_html,
            "content_html": it.content_html,
            "enclosures": json.dumps(
                [{"url": e.url, "type": e.type, "length": e.length} for e in it.enclosures]
            )
            if it.enclosures
            else None,
            "categories": json.dumps(list(it.categories)) if it.categories else None,
            "image_url": it.image,
            "search_text": search_text_of(it.summary_html, it.content_html),
        }

    def apply(self, plan: UpdatePlan) -> bool:
        """Write one feed's update in one transaction; False if the feed is gone meanwhile."""
        with self.engine.begin() as conn:
            if not self._writable(conn, plan.feed_id):
                return False
            fid = plan.feed_id
            if plan.new:
                conn.execute(
                    insert(items),
                    [
                        {
                            "feed_id": fid,
                            "identity_hash": w.identity,
                            "first_seen": w.first_seen,
                            **self._item_values(w),
                        }
                        for w in plan.new
                    ],
                )
            for w in plan.changed:
                conn.execute(
                    update(items)
                    .where(and_(items.c.feed_id == fid, items.c.identity_hash == w.identity))
                    .values(**self._item_values(w))
                )
            if plan.expired:
                doomed = list(dict.fromkeys(plan.expired))
                for chunk in range(0, len(doomed), 500):
                    part = doomed[chunk : chunk + 500]
                    conn.execute(
                        delete(items).where(
                            and_(items.c.feed_id == fid, items.c.identity_hash.in_(part))
                        )
                    )
                    known = set(
                        conn.execute(
                            select(tombstones.c.identity_hash).where(
                                and_(
                                    tombstones.c.feed_id == fid,
                                    tombstones.c.identity_hash.in_(part),
                                )
                            )
                        ).scalars()
                    )
                    fresh = [i for i in part if i not in known]
                    if fresh:
                        conn.execute(
                            insert(tombstones),
                            [
                                {"feed_id": fid, "identity_hash": i, "deleted_at": plan.checked_at}
                                for i in fresh
                            ],
                        )
            conn.execute(
                insert(fetch_log).values(
                    feed_id=fid,
                    at=plan.checked_at,
                    status=plan.status,
                    duration_ms=plan.duration_ms,
                    bytes=plan.bytes,
                    new_items=len(plan.new),
                    changed_items=len(plan.changed),
                    error=plan.error,
                )
            )
            self._trim_fetch_log(conn, fid)
            # the feed row last: validators only count once the items are in
            values: dict[str, Any] = {
                "last_checked": plan.checked_at,
                "next_check": plan.next_check,
                "redirect_url": plan.redirect_url,
                "redirect_count": plan.redirect_count,
            }
            if plan.ok:
                values.update(
                    last_success=plan.checked_at,
                    error_count=0,
                    error_kind=None,
                    last_error=None,
                    error_since=None,
                    etag=plan.etag,
                    last_modified=plan.last_modified,
                    body_hash=plan.body_hash,
                    ttl_minutes=plan.ttl_minutes,
                    skip_hours=",".join(str(h) for h in sorted(plan.skip_hours)) or None,
                    skip_days=",".join(sorted(plan.skip_days)) or None,
                )
                if plan.adopt_redirect and plan.redirect_url:
                    values.update(self._adopt(conn, fid, plan.redirect_url))
                if plan.meta is not None:
                    values.update(
                        title=plan.meta.title,
                        site_url=plan.meta.site_url,
                        description=plan.meta.description,
                        image_url=plan.meta.image_url,
                    )
            else:
                values.update(
                    error_count=plan.error_count,
                    error_kind=plan.error_kind,
                    last_error=plan.error,
                    error_since=plan.error_since,
                )
                if plan.disabled_reason:
                    values["disabled_reason"] = plan.disabled_reason
            conn.execute(update(feeds).where(feeds.c.id == fid).values(**values))
        return True

    def _writable(self, conn: Any, feed_id: int) -> bool:
        """Whether ``apply`` may write the feed: it still exists. The first statement of the
        update's transaction, so that a leased store (``store.leases``) can check and release
        its lease here, in the same transaction as the write."""
        return conn.execute(select(feeds.c.id).where(feeds.c.id == feed_id)).first() is not None

    @staticmethod
    def _adopt(conn: Any, feed_id: int, url: str) -> dict[str, Any]:
        """The feed row's changes to adopt ``url``; none when another feed already has it.

        Two subscriptions to one URL would be one feed fetched twice: the redirect stays tracked
        instead, and the feed keeps its URL until the other subscription is removed.
        """
        taken = conn.execute(
            select(feeds.c.id).where(and_(feeds.c.url == url, feeds.c.id != feed_id))
        ).first()
        if taken is not None:
            return {}
        return {"url": url, "redirect_url": None, "redirect_count": 0}

    @staticmethod
    def _trim_fetch_log(conn: Any, feed_id: int) -> None:
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

    # -- items ---------------------------------------------------------------------------------

    def items(
        self,
        *,
        feed_id: int | None = None,
        category: str | None = None,
        limit: int = 30,
        offset: int = 0,
    ) -> list[Item]:
        """Newest first, by the date each item is listed under."""
        title = func.coalesce(feeds.c.user_title, feeds.c.title, feeds.c.url).label("feed_title")
        query = select(*ITEM_COLUMNS, title).join(feeds, feeds.c.id == items.c.feed_id)
        if feed_id is not None:
            query = query.where(items.c.feed_id == feed_id)
        if category is not None:
            query = query.where(
                items.c.feed_id.in_(
                    select(feed_categories.c.feed_id)
                    .join(categories, categories.c.id == feed_categories.c.category_id)
                    .where(or_(categories.c.name == category, categories.c.slug == category))
                )
            )
        query = (
            query.order_by(items.c.sort_date.desc(), items.c.id.desc())
            .limit(max(1, min(limit, MAX_PAGE)))
            .offset(max(0, offset))
        )
        with self.engine.connect() as conn:
            return [self._item(r) for r in conn.execute(query)]

    @staticmethod
    def _item(r: Row[*tuple[Any, ...]]) -> Item:
        return Item(
            id=r.id,
            feed_id=r.feed_id,
            feed_title=r.feed_title,
            guid=r.guid,
            title=r.title,
            link=r.link,
            author=r.author,
            published=r.published,
            updated=r.updated,
            first_seen=r.first_seen,
            sort_date=r.sort_date,
            summary_html=r.summary_html,
            content_html=r.content_html,
            enclosures=_enclosures(r.enclosures),
            categories=tuple(json.loads(r.categories)) if r.categories else (),
            image=r.image_url,
        )

    def count_items(self, *, feed_id: int | None = None) -> int:
        query = select(func.count()).select_from(items)
        if feed_id is not None:
            query = query.where(items.c.feed_id == feed_id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def list_categories(self) -> list[Category]:
        with self.engine.connect() as conn:
            return [
                Category(r.id, r.name, r.slug)
                for r in conn.execute(select(categories).order_by(categories.c.name))
            ]

    def get_category(self, slug: str) -> Category:
        with self.engine.connect() as conn:
            row = conn.execute(select(categories).where(categories.c.slug == slug)).first()
        if row is None:
            raise NotFoundError(f"no category {slug!r}")
        return Category(row.id, row.name, row.slug)

    def category_feed_counts(self) -> dict[int, int]:
        query = select(feed_categories.c.category_id, func.count()).group_by(
            feed_categories.c.category_id
        )
        with self.engine.connect() as conn:
            return {cid: n for cid, n in conn.execute(query)}

    def latest_per_feed(self, per_feed: int) -> dict[int, list[Item]]:
        """The newest items of every feed in one query (a window, not one query per feed)."""
        rank = (
            func.row_number()
            .over(
                partition_by=items.c.feed_id, order_by=(items.c.sort_date.desc(), items.c.id.desc())
            )
            .label("rank")
        )
        ranked = select(items.c.id, rank).subquery()
        title = func.coalesce(feeds.c.user_title, feeds.c.title, feeds.c.url).label("feed_title")
        query = (
            select(*ITEM_COLUMNS, title)
            .join(feeds, feeds.c.id == items.c.feed_id)
            .join(ranked, ranked.c.id == items.c.id)
            .where(ranked.c.rank <= per_feed)
            .order_by(items.c.feed_id, items.c.sort_date.desc(), items.c.id.desc())
        )
        out: dict[int, list[Item]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                out.setdefault(row.feed_id, []).append(self._item(row))
        return out
