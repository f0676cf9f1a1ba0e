"""People's subscriptions: who follows which feed, under which title and folder, and how many of
its items are unread for them.

A subscription's ``read_until`` is its watermark: the feed's items with an id at or below it are
read unless a row of ``entry_states`` says otherwise. So a person's unread count of a feed is a
range count on ``items (feed_id, id)`` above the watermark, corrected by their explicit rows
(``entry_states (user_id, feed_id, item_id)``): a few index range scans per feed, whatever the
size of the items table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from tidings.errors import DuplicateError, NotFoundError, TidingsError
from tidings.i18n import gettext as _
from tidings.store.feeds import _feeds_of
from tidings.store.part import StorePart
from tidings.store.schema import entry_states, feeds, items, subscriptions
from tidings.types import Subscription, UnreadCounts

FOLDER_MAX = 200


def clean_folder(folder: str | None) -> str | None:
    """One folder, free text, its spaces trimmed; empty is none; over 200 characters is
    refused."""
    if folder is None:
        return None
    folder = " ".join(folder.split())
    if len(folder) > FOLDER_MAX:
        raise TidingsError(
            _("a folder's name is at most %(folder_max)s characters") % {"folder_max": FOLDER_MAX}
        )
    return folder or None


def unread_expr() -> ColumnElement[int]:
    """The unread count of the current ``subscriptions`` row (correlated): the feed's items above
    the watermark, less those read explicitly, plus those under it marked unread explicitly."""
    s, e = subscriptions, entry_states
    above = (
        select(func.count())
        .select_from(items)
        .where(items.c.feed_id == s.c.feed_id, items.c.id > s.c.read_until)
        .scalar_subquery()
    )
    mine = and_(e.c.user_id == s.c.user_id, e.c.feed_id == s.c.feed_id)
    read_above = (
        select(func.count())
        .select_from(e)
        .where(mine, e.c.read, e.c.item_id > s.c.read_until)
        .scalar_subquery()
    )
    unread_below = (
        select(func.count())
        .select_from(e)
        .where(mine, ~e.c.read, e.c.item_id <= s.c.read_until)
        .scalar_subquery()
    )
    return above - read_above + unread_below


def unread_by_feed(
    conn: Connection, user_id: int, where: Iterable[ColumnElement[bool]] = ()
) -> dict[int, int]:
    """The person's unread count of each of their feeds (those of ``where``), in one query."""
    query = select(subscriptions.c.feed_id, unread_expr().label("unread")).where(
        subscriptions.c.user_id == user_id, *where
    )
    return {int(r.feed_id): int(r.unread) for r in conn.execute(query)}


def watermark_at(conn: Connection, feed_id: int, window_start: datetime | None) -> int:
    """The watermark of a new subscription: the largest id of the items first seen before
    ``window_start`` (0 when none, or when ``window_start`` is None: everything unread)."""
    if window_start is None:
        return 0
    query = select(func.max(items.c.id)).where(
        items.c.feed_id == feed_id, items.c.first_seen < window_start
    )
    return int(conn.execute(query).scalar() or 0)


def remove_if_orphaned(conn: Connection, feed_id: int) -> bool:
    """Delete a feed that is not on the site, that nobody follows and whose items nobody starred
    (it would otherwise be kept and never fetched). Whether it went."""
    followed = exists().where(subscriptions.c.feed_id == feed_id)
    starred = exists().where(entry_states.c.feed_id == feed_id, entry_states.c.starred)
    done = conn.execute(
        delete(feeds).where(feeds.c.id == feed_id, ~feeds.c.on_site, ~followed, ~starred)
    ).rowcount
    return bool(done)


class SubscriptionsPart(StorePart):
    def add_subscription(
        self,
        user_id: int,
        feed_id: int,
        *,
        now: datetime,
        title: str | None = None,
        folder: str | None = None,
        window_start: datetime | None = None,
    ) -> Subscription:
        """Follow a feed; the items first seen before ``window_start`` count as read."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(subscriptions).values(
                        user_id=user_id,
                        feed_id=feed_id,
                        title=(title or "").strip() or None,
                        folder=clean_folder(folder),
                        created_at=now,
                        read_until=watermark_at(conn, feed_id, window_start),
                    )
                )
        except IntegrityError as exc:
            existing = self._subscription_or_none(user_id, feed_id)
            if existing is None:
                raise NotFoundError(
                    _("no feed with id %(feed_id)s") % {"feed_id": feed_id}
                ) from exc
            raise DuplicateError(
                _("already subscribed: %(url)s (as %(title)r, subscription %(id)s)")
                % {"url": existing.feed.url, "title": existing.title, "id": existing.id}
            ) from exc
        return self.subscription(user_id, feed_id)

    def subscriptions(
        self, user_id: int, feed_id: int | None = None, *, counted: bool = True
    ) -> list[Subscription]:
        """The person's subscriptions with their unread counts (0 unless ``counted``), by
        folder (none first) then title."""
        where = [subscriptions.c.feed_id == feed_id] if feed_id is not None else []
        query = select(subscriptions).where(subscriptions.c.user_id == user_id, *where)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            if not rows:
                return []
            counts = unread_by_feed(conn, user_id, where) if counted else {}
            # the feeds without their item counts (a count of every item of every feed the
            # person follows would cost more than the rest of the sidebar together)
            feed_rows = conn.execute(
                select(feeds, literal(0).label("item_count")).where(
                    feeds.c.id.in_([r.feed_id for r in rows])
                )
            ).all()
            by_id = {f.id: f for f in _feeds_of(conn, feed_rows)}
        out = [
            Subscription(
                id=r.id,
                user_id=r.user_id,
                feed=by_id[r.feed_id],
                title=r.title or by_id[r.feed_id].display_title,
                folder=r.folder,
                hide_from_all=r.hide_from_all,
                reader_view=r.reader_view,
                created_at=r.created_at,
                unread=counts.get(r.feed_id, 0),
            )
            for r in rows
        ]
        return sorted(out, key=lambda s: ((s.folder or "").casefold(), s.title.casefold(), s.id))

    def subscription(self, user_id: int, feed_id: int) -> Subscription:
        found = self._subscription_or_none(user_id, feed_id)
        if found is None:
            raise NotFoundError(_("not subscribed to feed %(feed_id)s") % {"feed_id": feed_id})
        return found

    def _subscription_or_none(self, user_id: int, feed_id: int) -> Subscription | None:
        found = self.subscriptions(user_id, feed_id)
        return found[0] if found else None

    def edit_subscription(self, user_id: int, feed_id: int, **values: Any) -> Subscription:
        """Change ``title``, ``folder``, ``hide_from_all`` or ``reader_view``."""
        if "folder" in values:
            values["folder"] = clean_folder(values["folder"])
        if "title" in values:
            values["title"] = (values["title"] or "").strip() or None
        if values:
            with self.engine.begin() as conn:
                done = conn.execute(
                    update(subscriptions)
                    .where(subscriptions.c.user_id == user_id, subscriptions.c.feed_id == feed_id)
                    .values(**values)
                ).rowcount
            if not done:
                raise NotFoundError(_("not subscribed to feed %(feed_id)s") % {"feed_id": feed_id})
        return self.subscription(user_id, feed_id)

    def remove_subscription(self, user_id: int, feed_id: int) -> Subscription:
        """Unfollow: the subscription and the person's states of the feed go, but for the
        starred ones; a feed nobody follows any more and not on the site goes too."""
        gone = self.subscription(user_id, feed_id)
        with self.engine.begin() as conn:
            conn.execute(
                delete(entry_states).where(
                    entry_states.c.user_id == user_id,
                    entry_states.c.feed_id == feed_id,
                    ~entry_states.c.starred,
                )
            )
            conn.execute(
                delete(subscriptions).where(
                    subscriptions.c.user_id == user_id, subscriptions.c.feed_id == feed_id
                )
            )
            remove_if_orphaned(conn, feed_id)
        return gone

    def folders(self, user_id: int) -> list[str]:
        query = (
            select(subscriptions.c.folder)
            .where(subscriptions.c.user_id == user_id, subscriptions.c.folder.is_not(None))
            .distinct()
        )
        with self.engine.connect() as conn:
            found = [str(f) for f in conn.execute(query).scalars()]
        return sorted(found, key=str.casefold)

    def unread_counts(self, user_id: int) -> UnreadCounts:
        """The sidebar: unread per feed and folder, in "all" (hidden subscriptions left out), and
        the starred items; two queries on the person's index ranges."""
        s = subscriptions
        query = select(s.c.feed_id, s.c.folder, s.c.hide_from_all, unread_expr().label("n"))
        with self.engine.connect() as conn:
            subs = conn.execute(query.where(s.c.user_id == user_id)).all()
            starred = conn.execute(
                select(func.count())
                .select_from(entry_states)
                .where(
                    entry_states.c.user_id == user_id,
                    entry_states.c.starred,
                    ~entry_states.c.hidden,
                )
            ).scalar()
        by_feed = {int(r.feed_id): int(r.n) for r in subs}
        by_folder: dict[str, int] = {}
        total = 0
        for r in subs:
            if r.folder is not None:
                by_folder[r.folder] = by_folder.get(r.folder, 0) + r.n
            if not r.hide_from_all:
                total += r.n
        return UnreadCounts(total, int(starred or 0), by_feed, by_folder)

    def followed_feed_ids(self, feed_ids: Iterable[int]) -> set[int]:
        """Those of ``feed_ids`` that someone follows."""
        query = select(subscriptions.c.feed_id).where(subscriptions.c.feed_id.in_(list(feed_ids)))
        with self.engine.connect() as conn:
            return {int(f) for f in conn.execute(query.distinct()).scalars()}
