"""Stable ids for a person's folders, which the sync APIs name by number (Fever groups, Miniflux
categories). A subscription keeps its folder's name; the ``folders`` table gives each name an id
that outlives renames, made when an app first asks. The name "" is the group of the feeds
without a folder: every feed is in exactly one group, as those protocols need.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tidings.errors import DuplicateError, NotFoundError, TidingsError
from tidings.i18n import gettext as _
from tidings.store.part import StorePart
from tidings.store.schema import folders, subscriptions
from tidings.store.subscriptions import clean_folder, unread_by_feed
from tidings.synctypes import Folder


def _name_of(folder: str | None) -> str:
    return folder or ""


def _ensure(conn: Connection, user_id: int) -> None:
    """A row for each folder name the person's subscriptions use, and for ""."""
    used = {
        _name_of(f)
        for f in conn.execute(
            select(subscriptions.c.folder).where(subscriptions.c.user_id == user_id).distinct()
        ).scalars()
    } | {""}
    known = set(conn.execute(select(folders.c.name).where(folders.c.user_id == user_id)).scalars())
    missing = sorted(used - known)
    if missing:
        conn.execute(insert(folders), [{"user_id": user_id, "name": n} for n in missing])


class FoldersPart(StorePart):
    def sync_folders(self, user_id: int) -> list[Folder]:
        """Every folder of the person, "" first, then by name, with unread and feed counts."""
        for attempt in (1, 2):  # two apps asking at once may both add the same name
            try:
                with self.engine.begin() as conn:
                    _ensure(conn, user_id)
                    rows = conn.execute(
                        select(folders.c.id, folders.c.name).where(folders.c.user_id == user_id)
                    ).all()
                    subs = conn.execute(
                        select(subscriptions.c.feed_id, subscriptions.c.folder).where(
                            subscriptions.c.user_id == user_id
                        )
                    ).all()
                    unread = unread_by_feed(conn, user_id)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        counts: dict[str, list[int]] = {}
        for s in subs:
            n = counts.setdefault(_name_of(s.folder), [0, 0])
            n[0] += unread.get(int(s.feed_id), 0)
            n[1] += 1
        found = [Folder(int(r.id), r.name, *counts.get(r.name, [0, 0])) for r in rows]
        return sorted(found, key=lambda f: (f.name != "", f.name.casefold(), f.id))

    def folder_by_id(self, user_id: int, folder_id: int) -> Folder:
        for folder in self.sync_folders(user_id):
            if folder.id == folder_id:
                return folder
        raise NotFoundError(_("you have no folder %(folder_id)s") % {"folder_id": folder_id})

    def create_folder(self, user_id: int, name: str) -> Folder:
        clean = clean_folder(name)
        if clean is None:
            raise TidingsError(_("a folder needs a name"))
        try:
            with self.engine.begin() as conn:
                _ensure(conn, user_id)
                folder_id = conn.execute(
                    insert(folders).values(user_id=user_id, name=clean)
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError as exc:
            raise DuplicateError(
                _("you already have a folder named %(clean)r") % {"clean": clean}
            ) from exc
        return Folder(int(folder_id), clean, 0, 0)

    def rename_folder(self, user_id: int, folder_id: int, new_name: str) -> Folder:
        """A new name for a folder and its feeds; the id stays."""
        old = self.folder_by_id(user_id, folder_id)
        clean = clean_folder(new_name)
        if old.name == "" or clean is None:
            raise TidingsError(_("a folder needs a name (the feeds without one cannot be renamed)"))
        if clean == old.name:
            return old
        try:
            with self.engine.begin() as conn:
                conn.execute(update(folders).where(folders.c.id == folder_id).values(name=clean))
                conn.execute(
                    update(subscriptions)
                    .where(subscriptions.c.user_id == user_id, subscriptions.c.folder == old.name)
                    .values(folder=clean)
                )
        except IntegrityError as exc:
            raise DuplicateError(
                _("you already have a folder named %(clean)r") % {"clean": clean}
            ) from exc
        return self.folder_by_id(user_id, folder_id)

    def delete_folder(self, user_id: int, folder_id: int) -> None:
        """The folder goes; its feeds stay, without a folder."""
        old = self.folder_by_id(user_id, folder_id)
        if old.name == "":
            raise TidingsError(_("the group of feeds without a folder cannot be deleted"))
        with self.engine.begin() as conn:
            conn.execute(
                update(subscriptions)
                .where(subscriptions.c.user_id == user_id, subscriptions.c.folder == old.name)
                .values(folder=None)
            )
            conn.execute(delete(folders).where(folders.c.id == folder_id))
