"""One story in many feeds of a folder, folded into one for the person who asks for it.

A person chooses per folder (``folders.fold_duplicates``): the items of that folder's feeds
with the same canonical link (``items.link_key``, ``tidings.storykeys``) are one story. The
folder's list shows the first to arrive (the smallest id) and names the other feeds that
carried it; marking one read, whichever way (the page, an app), marks its copies in the folder
read too (``MarksPart.set_read`` and ``mark_read`` call ``copies_of`` here), so the apps, which
list items, see them read as well. docs/arrival.md (Duplicates) says so for people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, func, or_, select, true, update

from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.store.advance import mark_ids_read
from tidings.store.entries import ids_in
from tidings.store.folders import _ensure
from tidings.store.part import StorePart
from tidings.store.schema import entry_states, feeds, folders, items, subscriptions
from tidings.store.subscriptions import clean_folder

CHUNK = 5_000  # marked ids per statement
ARRIVED_CHUNK = 500  # identities per statement: well under the bound-parameter caps


def _copies(user_id: int, marked: Any, picked: ColumnElement[bool]) -> Select[Any]:
    """(marked item id, its feed id, copy id, copy's feed id, the copy's feed title) for the
    copies of the items of the alias ``marked`` that ``picked`` picks, in the person's folders
    that fold."""
    copy = items.alias("copy")
    mine = subscriptions.alias("mine")
    mates = subscriptions.alias("mates")
    shown = func.coalesce(mates.c.title, feeds.c.user_title, feeds.c.title, feeds.c.url)
    return (
        select(marked.c.id, marked.c.feed_id, copy.c.id, copy.c.feed_id, shown)
        .select_from(marked)
        .join(mine, and_(mine.c.feed_id == marked.c.feed_id, mine.c.user_id == user_id))
        .join(
            folders,
            and_(
                folders.c.user_id == user_id,
                folders.c.name == mine.c.folder,
                folders.c.fold_duplicates == true(),
            ),
        )
        .join(copy, and_(copy.c.link_key == marked.c.link_key, copy.c.id != marked.c.id))
        .join(
            mates,
            and_(
                mates.c.feed_id == copy.c.feed_id,
                mates.c.user_id == user_id,
                mates.c.folder == mine.c.folder,
            ),
        )
        .join(feeds, feeds.c.id == copy.c.feed_id)
        .where(picked, marked.c.link_key.is_not(None))
    )


def copies_of(conn: Connection, user_id: int, ids: Sequence[int], dialect: str) -> set[int]:
    """The ids of the copies of ``ids`` in the person's folders that fold (not ``ids``)."""
    found: set[int] = set()
    marked = items.alias("marked")
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        query = _copies(user_id, marked, ids_in(dialect, marked.c.id, chunk))
        found.update(int(row[2]) for row in conn.execute(query))
    return found - set(ids)


def copies_in_range(
    conn: Connection, user_id: int, feed_id: int, after: int, upto: int
) -> set[int]:
    """The copies, in the person's folders that fold, of the feed's items with ids in
    (``after``, ``upto``]: what a moved watermark marked read."""
    marked = items.alias("marked")
    within = and_(marked.c.feed_id == feed_id, marked.c.id > after, marked.c.id <= upto)
    return {int(row[2]) for row in conn.execute(_copies(user_id, marked, within))}


def _read_elsewhere(feed_id: int, identities: list[str]) -> Select[Any]:
    """(person, item id) of the feed's items ``identities`` whose story the person already
    read in another copy, in the same folder, one that folds."""
    new, mine = items.alias("new"), subscriptions.alias("mine")
    other, mates = items.alias("other"), subscriptions.alias("mates")
    state = entry_states
    read = or_(
        state.c.read == true(),
        and_(state.c.read.is_(None), other.c.id <= mates.c.read_until),
    )
    read_copy = (
        select(other.c.id)
        .select_from(other)
        .join(
            mates,
            and_(
                mates.c.feed_id == other.c.feed_id,
                mates.c.user_id == mine.c.user_id,
                mates.c.folder == mine.c.folder,
            ),
        )
        .outerjoin(state, and_(state.c.user_id == mine.c.user_id, state.c.item_id == other.c.id))
        .where(other.c.link_key == new.c.link_key, other.c.id != new.c.id, read)
        .exists()
    )
    return (
        select(mine.c.user_id, new.c.id)
        .select_from(new)
        .join(mine, mine.c.feed_id == new.c.feed_id)
        .join(
            folders,
            and_(
                folders.c.user_id == mine.c.user_id,
                folders.c.name == mine.c.folder,
                folders.c.fold_duplicates == true(),
            ),
        )
        .where(
            new.c.feed_id == feed_id,
            new.c.identity_hash.in_(identities),
            new.c.link_key.is_not(None),
            read_copy,
        )
    )


class FoldingPart(StorePart):
    def set_fold(self, user_id: int, folder: str, fold: bool) -> None:
        """Fold the duplicates of the person's folder, or stop; a folder none of their
        subscriptions is in is not found."""
        name = clean_folder(folder)
        with self.engine.begin() as conn:
            used = conn.execute(
                select(subscriptions.c.id).where(
                    subscriptions.c.user_id == user_id, subscriptions.c.folder == name
                )
            ).first()
            if name is None or used is None:
                raise NotFoundError(_("you have no folder named %(folder)r") % {"folder": folder})
            _ensure(conn, user_id)
            conn.execute(
                update(folders)
                .where(folders.c.user_id == user_id, folders.c.name == name)
                .values(fold_duplicates=fold)
            )

    def folding(self, user_id: int) -> set[str]:
        """The names of the person's folders that fold their duplicates."""
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    select(folders.c.name).where(
                        folders.c.user_id == user_id, folders.c.fold_duplicates == true()
                    )
                ).scalars()
            )

    def folding_anywhere(self) -> bool:
        """Whether anyone's folder folds (else an arrival has no copies to look for)."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(folders.c.id).where(folders.c.fold_duplicates == true()).limit(1)
            ).first()
        return found is not None

    def arrived_copies(self, feed_id: int, identities: Sequence[str]) -> dict[int, list[int]]:
        """The feed's items just stored (by identity) that are copies of a story their
        follower already read in a folder that folds: item ids by person."""
        found: dict[int, list[int]] = defaultdict(list)
        with self.engine.connect() as conn:
            for start in range(0, len(identities), ARRIVED_CHUNK):
                chunk = list(identities[start : start + ARRIVED_CHUNK])
                for user_id, item_id in conn.execute(_read_elsewhere(feed_id, chunk)):
                    found[int(user_id)].append(int(item_id))
        return dict(found)

    def also_in(self, user_id: int, item_ids: Sequence[int]) -> dict[int, list[str]]:
        """For each of the items that has copies in its folder (one that folds), the titles of
        the other feeds that carried it, in the order the copies arrived."""
        if not item_ids:
            return {}
        marked = items.alias("marked")
        picked = ids_in(self.engine.dialect.name, marked.c.id, list(item_ids))
        query = _copies(user_id, marked, picked)
        found: dict[int, list[str]] = defaultdict(list)
        with self.engine.connect() as conn:
            for item_id, feed_id, _old, copy_feed, title in conn.execute(
                query.order_by(query.selected_columns[2])
            ):
                names = found[int(item_id)]
                if copy_feed != feed_id and title not in names:
                    names.append(str(title))
        return {item_id: names for item_id, names in found.items() if names}


def read_copies(
    conn: Connection,
    user_id: int,
    ids: Sequence[int],
    seq: int,
    now: datetime,
    dialect: str,
) -> int:
    """Mark the copies ``ids`` read (in the caller's transaction and change number)."""
    return mark_ids_read(conn, user_id, sorted(ids), seq, now, dialect) if ids else 0


def watermark(conn: Connection, user_id: int, feed_id: int) -> int:
    """The person's watermark of the feed (0 when they do not follow it)."""
    found = conn.execute(
        select(subscriptions.c.read_until).where(
            subscriptions.c.user_id == user_id, subscriptions.c.feed_id == feed_id
        )
    ).scalar()
    return int(found or 0)
