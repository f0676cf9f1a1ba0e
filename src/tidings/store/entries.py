"""A person's entries: their feeds' items with their own state, one keyset page at a time.

An item is read for a person when their ``entry_states`` row says so, else when its id is at or
below their subscription's watermark (``read_until``). Starred items are listed from the state
rows themselves, so that an item stays starred after its feed is unfollowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    Select,
    and_,
    any_,
    bindparam,
    cast,
    false,
    func,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.store.firstcopy import first_copy
from tidings.store.items import MAX_PAGE, WITH_ARTICLE, feed_title, item_of, without_article
from tidings.store.part import StorePart
from tidings.store.rules import labeled_ids, with_labels
from tidings.store.schema import entry_states, feeds, items, subscriptions
from tidings.store.subscriptions import unread_by_feed
from tidings.types import Entry, EntryQuery

STATUSES = ("unread", "read", "all", "starred")
# at most this many unread items: a page of them is picked from their ids (PostgreSQL; SQLite
# always, its planner would sort every item of the person's feeds otherwise)
SPARSE = 5_000
ORDERS = ("published", "received")
DIRECTIONS = ("desc", "asc")


def check_query(query: EntryQuery) -> None:
    """Refuse what no query can mean, naming the field."""
    if query.status not in STATUSES:
        raise TidingsError(
            _("status is one of %(known)s, not %(status)r")
            % {"known": ", ".join(STATUSES), "status": query.status}
        )
    if query.order not in ORDERS:
        raise TidingsError(
            _("order is one of %(known)s, not %(order)r")
            % {"known": ", ".join(ORDERS), "order": query.order}
        )
    if query.direction not in DIRECTIONS:
        raise TidingsError(
            _("direction is desc or asc, not %(direction)r") % {"direction": query.direction}
        )
    if query.after is not None:
        key_type = datetime if query.order == "published" else int
        if len(query.after) != 2 or not isinstance(query.after[0], key_type):
            raise TidingsError(
                _(
                    "after is the (sort key, id) of the previous page's last entry: (its date, "
                    "its id) in the published order, (its id, its id) in the received one"
                )
            )


def ids_in(engine_name: str, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids``: one array parameter on PostgreSQL, a list on SQLite."""
    if engine_name == "postgresql":  # one text parameter, which psycopg sends as it is
        literal = "{" + ",".join(str(int(i)) for i in ids) + "}"
        array = cast(bindparam(None, literal, type_=Text), ARRAY(BigInteger))
        return column == any_(array)  # type: ignore[no-any-return]
    return column.in_(list(ids))  # type: ignore[no-any-return]


def is_read() -> ColumnElement[bool]:
    """Effective read, over ``items`` joined to the person's subscription and outer-joined to
    their state row."""
    return or_(
        entry_states.c.read == true(),
        and_(entry_states.c.read.is_(None), items.c.id <= subscriptions.c.read_until),
    )


def is_unread() -> ColumnElement[bool]:
    return or_(
        entry_states.c.read == false(),
        and_(entry_states.c.read.is_(None), items.c.id > subscriptions.c.read_until),
    )


def entry_columns() -> tuple[Any, ...]:
    return (
        *WITH_ARTICLE,  # for one entry and the apps; a page of the list leaves it (entries)
        feed_title(),
        func.coalesce(subscriptions.c.id, 0).label("sub_id"),
        subscriptions.c.title.label("sub_title"),
        subscriptions.c.folder.label("sub_folder"),
        entry_states.c.read.label("state_read"),
        entry_states.c.starred.label("state_starred"),
        entry_states.c.read_at.label("state_read_at"),
        entry_states.c.starred_at.label("state_starred_at"),
        func.coalesce(subscriptions.c.read_until, 0).label("sub_read_until"),
    )


def not_hidden() -> ColumnElement[bool]:
    """No rule of the person's hid the item (outer-joined: no state row hides nothing)."""
    return or_(entry_states.c.hidden.is_(None), entry_states.c.hidden == false())


def followed(user_id: int) -> Select[Any]:
    """Items of the person's feeds, with their state row where there is one; not those one
    of their rules hid."""
    return (
        select(*entry_columns())
        .select_from(items)
        .join(
            subscriptions,
            and_(subscriptions.c.feed_id == items.c.feed_id, subscriptions.c.user_id == user_id),
        )
        .join(feeds, feeds.c.id == items.c.feed_id)
        .outerjoin(
            entry_states,
            and_(entry_states.c.user_id == user_id, entry_states.c.item_id == items.c.id),
        )
        .where(not_hidden())
    )


def starred(user_id: int) -> Select[Any]:
    """The person's starred items, followed or not any more."""
    return (
        select(*entry_columns())
        .select_from(entry_states)
        .join(items, items.c.id == entry_states.c.item_id)
        .join(feeds, feeds.c.id == items.c.feed_id)
        .outerjoin(
            subscriptions,
            and_(subscriptions.c.feed_id == items.c.feed_id, subscriptions.c.user_id == user_id),
        )
        .where(
            entry_states.c.user_id == user_id,
            entry_states.c.starred == true(),
            entry_states.c.hidden == false(),
        )
    )


def entry_of(r: Row[Any]) -> Entry:
    read = r.state_read if r.state_read is not None else r.id <= r.sub_read_until
    item = item_of(r)
    return Entry(
        item=item,
        subscription_id=int(r.sub_id),
        title=r.sub_title or item.feed_title,
        folder=r.sub_folder,
        read=bool(read),
        starred=bool(r.state_starred),
        read_at=r.state_read_at,
        starred_at=r.state_starred_at,
    )


def _filtered(query: Select[Any], q: EntryQuery, dialect: str) -> Select[Any]:
    if q.status == "unread":
        query = query.where(is_unread())
    elif q.status == "read":
        query = query.where(is_read())
    if q.feed_id is not None:
        query = query.where(items.c.feed_id == q.feed_id)
    if q.folder is not None:
        query = query.where(subscriptions.c.folder == q.folder)
    hidden_too = q.include_hidden or q.feed_id is not None or q.folder is not None
    if not hidden_too and q.status != "starred":
        query = query.where(subscriptions.c.hide_from_all == false())
    if q.ids is not None:
        query = query.where(ids_in(dialect, items.c.id, q.ids) if q.ids else false())
    if q.search and q.search.strip():
        words = q.search.strip()
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                items.c.title.ilike(pattern, escape="\\"),
                items.c.search_text.ilike(pattern, escape="\\"),
            )
        )
    return query


def _ordered(
    query: Select[Any], q: EntryQuery, date: Any = items.c.sort_date, ident: Any = items.c.id
) -> Select[Any]:
    """One keyset page in the query's order, over the columns ``date`` and ``ident``."""
    key = date if q.order == "published" else ident
    desc = q.direction == "desc"
    if q.after is not None:
        after_key, after_id = q.after
        if q.order == "received":
            query = query.where(ident < after_id if desc else ident > after_id)
        elif desc:
            query = query.where(or_(key < after_key, and_(key == after_key, ident < after_id)))
        else:
            query = query.where(or_(key > after_key, and_(key == after_key, ident > after_id)))
    order: tuple[Any, ...]
    if q.order == "received":
        order = (ident.desc(),) if desc else (ident.asc(),)
    else:
        order = (key.desc(), ident.desc()) if desc else (key.asc(), ident.asc())
    return query.order_by(*order).limit(max(1, min(q.limit, MAX_PAGE)))


def _scope(user_id: int, q: EntryQuery) -> list[ColumnElement[bool]]:
    """The person's subscriptions that a query of their unread items looks at."""
    where = [subscriptions.c.user_id == user_id]
    if q.feed_id is not None:
        where.append(subscriptions.c.feed_id == q.feed_id)
    if q.folder is not None:
        where.append(subscriptions.c.folder == q.folder)
    if not (q.include_hidden or q.feed_id is not None or q.folder is not None):
        where.append(subscriptions.c.hide_from_all == false())
    return where


def _candidates(user_id: int, scope: list[ColumnElement[bool]]) -> Any:
    """The ids of the person's unread items in ``scope``, from index ranges: their feeds' items
    above the watermarks, and their rows marked unread."""
    above = (
        select(items.c.id.label("cid"))
        .join(subscriptions, subscriptions.c.feed_id == items.c.feed_id)
        .where(*scope, items.c.id > subscriptions.c.read_until)
    )
    marked = (
        select(entry_states.c.item_id.label("cid"))
        .join(subscriptions, subscriptions.c.feed_id == entry_states.c.feed_id)
        .where(*scope, entry_states.c.user_id == user_id, entry_states.c.read == false())
    )
    return union(above, marked).subquery()


def _page_ids(
    user_id: int,
    scope: list[ColumnElement[bool]],
    q: EntryQuery,
    fold: list[ColumnElement[bool]],
) -> Select[Any]:
    """The ids of one page of the person's unread items, ordered and limited before any table
    row is read: their feeds' items above the watermarks without a row saying read (the
    ``items (feed_id, id, sort_date)`` index holds all it needs), and their rows marked unread
    under the watermarks."""
    said_read = (
        select(entry_states.c.item_id)
        .where(
            entry_states.c.user_id == user_id,
            entry_states.c.item_id == items.c.id,
            entry_states.c.read == true(),
        )
        .exists()
    )
    above = (
        select(items.c.id.label("cid"), items.c.sort_date.label("cdate"))
        .join(subscriptions, subscriptions.c.feed_id == items.c.feed_id)
        .where(*scope, items.c.id > subscriptions.c.read_until, ~said_read, *fold)
    )
    under = (
        select(items.c.id.label("cid"), items.c.sort_date.label("cdate"))
        .select_from(entry_states)
        .join(items, items.c.id == entry_states.c.item_id)
        .join(subscriptions, subscriptions.c.feed_id == entry_states.c.feed_id)
        .where(
            *scope,
            entry_states.c.user_id == user_id,
            entry_states.c.read == false(),
            entry_states.c.item_id <= subscriptions.c.read_until,
            *fold,
        )
    )
    found = union_all(above, under).subquery()
    return _ordered(select(found.c.cid), q, found.c.cdate, found.c.cid)


class EntriesPart(StorePart):
    def entries(self, user_id: int, q: EntryQuery) -> list[Entry]:
        """One page of the person's entries. Unread ones are few or many: few (or none), the
        page is picked from their ids (found by index ranges above the watermarks) instead of
        walking every item newest first until enough are unread."""
        check_query(q)
        dialect = self.engine.dialect.name
        base = without_article(starred(user_id) if q.status == "starred" else followed(user_id))
        # a folder that folds its stories lists each once (store/firstcopy.py); a label's list
        # only the items bearing it (both narrow the unread ids before a page is picked)
        fold = [first_copy(user_id, q.folder)] if q.fold and q.folder is not None else []
        if q.label is not None:
            fold.append(items.c.id.in_(labeled_ids(q.label, user_id)))
        base = base.where(*fold)
        with self.engine.connect() as conn:
            if q.status == "unread":
                scope = _scope(user_id, q)
                unread = sum(unread_by_feed(conn, user_id, scope[1:]).values())
                if unread == 0:
                    return []
                found = _candidates(user_id, scope)
                if (dialect == "sqlite" or unread <= SPARSE) and not q.search and q.ids is None:
                    page = list(conn.execute(_page_ids(user_id, scope, q, fold)).scalars())
                    base = base.where(ids_in(dialect, items.c.id, page))
                elif dialect == "sqlite":
                    base = base.where(items.c.id.in_(select(found.c.cid)))
                elif unread <= SPARSE:  # the ids first: the planner misjudges the join
                    ids = list(conn.execute(select(found.c.cid)).scalars())
                    base = base.where(ids_in(dialect, items.c.id, ids))
            query = _ordered(_filtered(base, q, dialect), q)
            return with_labels(conn, user_id, [entry_of(r) for r in conn.execute(query)])

    def entry(self, user_id: int, item_id: int) -> Entry | None:
        """The person's entry of an item of their feeds, or a starred one; else None."""
        for query in (followed(user_id), starred(user_id)):
            with self.engine.connect() as conn:
                row = conn.execute(query.where(items.c.id == item_id)).first()
                if row is not None:
                    return with_labels(conn, user_id, [entry_of(row)])[0]
        return None
