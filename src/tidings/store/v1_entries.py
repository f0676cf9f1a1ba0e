"""A person's entries as Miniflux's ``/v1/entries`` lists them: any mix of its filters, one of
its nine orders (the id breaking ties, so that pages never overlap), an offset and a limit, and
the number of entries matching beside the page.

The rows are the reading pages' (``store.entries``): the person's feeds' items with their state
rows, or, asked for starred ones, their starred items whether followed or not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
)

from tidings.entryfilter import DIRECTIONS, IDS_MAX, LIST_MAX, ORDERS, STATUSES, EntryFilter
from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.store.entries import entry_of, followed, ids_in, is_read, is_unread, starred
from tidings.store.part import StorePart
from tidings.store.rules import with_labels
from tidings.store.schema import entry_states, folders, items, subscriptions
from tidings.types import Entry

OFFSET_MAX = 10_000_000


def check_filter(f: EntryFilter) -> None:
    """Refuse what no listing can mean, naming the field."""
    for status in f.statuses:
        if status not in STATUSES:
            raise TidingsError(
                _("status is one of %(known)s, not %(status)r")
                % {"known": ", ".join(STATUSES), "status": status}
            )
    if f.order not in ORDERS:
        raise TidingsError(
            _("order is one of %(known)s, not %(order)r")
            % {"known": ", ".join(ORDERS), "order": f.order}
        )
    if f.direction not in DIRECTIONS:
        raise TidingsError(
            _("direction is asc or desc, not %(direction)r") % {"direction": f.direction}
        )
    if not 0 <= f.offset <= OFFSET_MAX:
        raise TidingsError(
            _("offset is 0 to %(max)s, not %(offset)s")
            % {"max": f"{OFFSET_MAX:,}", "offset": f.offset}
        )


def changed_expr() -> ColumnElement[Any]:
    """When the entry's state last changed: the later of its read and starred times, else when
    it arrived (``entryfilter.changed_at`` in SQL)."""
    r, s = entry_states.c.read_at, entry_states.c.starred_at
    return case(
        (and_(r.is_not(None), or_(s.is_(None), r >= s)), r),
        (s.is_not(None), s),
        else_=items.c.first_seen,
    )


def _status_expr() -> ColumnElement[Any]:
    return case((is_read(), literal("read")), else_=literal("unread"))


def _where(f: EntryFilter, dialect: str) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    wanted = set(f.statuses)
    if wanted and not {"read", "unread"} <= wanted:
        where.append(
            is_read() if "read" in wanted else is_unread() if "unread" in wanted else false()
        )
    if f.starred is True:
        where.append(entry_states.c.starred == true())
    elif f.starred is False:
        where.append(or_(entry_states.c.starred.is_(None), entry_states.c.starred == false()))
    if f.feed_id is not None:
        where.append(items.c.feed_id == f.feed_id)
    if f.folder is not None:
        where.append(func.coalesce(subscriptions.c.folder, "") == f.folder)
    if f.published_after is not None:
        where.append(items.c.sort_date > f.published_after)
    if f.published_before is not None:
        where.append(items.c.sort_date < f.published_before)
    if f.changed_after is not None:
        where.append(changed_expr() > f.changed_after)
    if f.changed_before is not None:
        where.append(changed_expr() < f.changed_before)
    if f.after_id is not None:
        where.append(items.c.id > f.after_id)
    if f.before_id is not None:
        where.append(items.c.id < f.before_id)
    if f.visible_only:
        where.append(func.coalesce(subscriptions.c.hide_from_all, false()) == false())
    if f.ids is not None:
        where.append(ids_in(dialect, items.c.id, f.ids) if f.ids else false())
    if f.search and f.search.strip():
        text = f.search.strip().replace("\x00", "")  # PostgreSQL text holds no NUL
        text = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{text}%"
        where.append(
            or_(
                items.c.title.ilike(pattern, escape="\\"),
                items.c.search_text.ilike(pattern, escape="\\"),
            )
        )
    return where


def _order_key(f: EntryFilter) -> ColumnElement[Any] | None:
    keys: dict[str, Any] = {
        "status": _status_expr(),
        "changed_at": changed_expr(),
        "published_at": items.c.sort_date,
        "created_at": items.c.first_seen,
        "category_title": func.coalesce(subscriptions.c.folder, ""),
        "category_id": func.coalesce(folders.c.id, 0),
        "title": func.coalesce(items.c.title, ""),
        "author": func.coalesce(items.c.author, ""),
    }
    return keys.get(f.order)


def listing(user_id: int, f: EntryFilter, dialect: str) -> Select[Any]:
    """Every entry ``f`` matches (its columns those of ``store.entries``), unordered."""
    base = starred(user_id) if f.starred is True else followed(user_id)
    if f.order == "category_id":
        base = base.outerjoin(
            folders,
            and_(
                folders.c.user_id == user_id,
                folders.c.name == func.coalesce(subscriptions.c.folder, ""),
            ),
        )
    return base.where(*_where(f, dialect))


def _page(query: Select[Any], f: EntryFilter, most: int) -> Select[Any]:
    key = _order_key(f)
    desc = f.direction == "desc"
    order = [k.desc() if desc else k.asc() for k in (key, items.c.id) if k is not None]
    limit = f.limit if 0 < f.limit <= most else most
    return query.order_by(*order).limit(limit).offset(f.offset)


def _count(query: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(query.with_only_columns(items.c.id).subquery())


class EntryListPart(StorePart):
    def entry_list(self, user_id: int, f: EntryFilter) -> tuple[int, list[Entry]]:
        """How many entries ``f`` matches, and its page of them (at most ``LIST_MAX``; a
        limit of 0 or less is the most)."""
        check_filter(f)
        query = listing(user_id, f, self.engine.dialect.name)
        with self.engine.connect() as conn:
            total = conn.execute(_count(query)).scalar()
            rows = conn.execute(_page(query, f, LIST_MAX)).all() if total else []
            return int(total or 0), with_labels(conn, user_id, [entry_of(r) for r in rows])

    def entry_id_list(self, user_id: int, f: EntryFilter) -> tuple[int, list[int]]:
        """How many entries ``f`` matches, and its page of their ids (at most ``IDS_MAX``)."""
        check_filter(f)
        query = listing(user_id, f, self.engine.dialect.name)
        with self.engine.connect() as conn:
            total = conn.execute(_count(query)).scalar()
            page = _page(query, f, IDS_MAX).with_only_columns(items.c.id)
            ids = [int(i) for i in conn.execute(page).scalars()] if total else []
        return int(total or 0), ids
