"""A person's reading settings and the version of their private feeds' token."""

from __future__ import annotations

from sqlalchemy import select, update

from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.store.part import StorePart
from tidings.store.schema import users
from tidings.types import ReadingSettings, User


class ReadersPart(StorePart):
    def reading_settings(self, user_id: int) -> ReadingSettings:
        query = select(
            users.c.keep_unread_days, users.c.mark_read_on_scroll, users.c.language
        ).where(users.c.id == user_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(_("no user with id %(user_id)s") % {"user_id": user_id})
        return ReadingSettings(row.keep_unread_days, bool(row.mark_read_on_scroll), row.language)

    def save_reading_settings(self, user_id: int, chosen: ReadingSettings) -> ReadingSettings:
        with self.engine.begin() as conn:
            done = conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(
                    keep_unread_days=chosen.keep_unread_days,
                    mark_read_on_scroll=chosen.mark_read_on_scroll,
                    language=chosen.language,
                )
            ).rowcount
        if not done:
            raise NotFoundError(_("no user with id %(user_id)s") % {"user_id": user_id})
        return self.reading_settings(user_id)

    def token_version(self, user_id: int) -> int:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(users.c.feed_token_version).where(users.c.id == user_id)
            ).scalar()
        if found is None:
            raise NotFoundError(_("no user with id %(user_id)s") % {"user_id": user_id})
        return int(found)

    def bump_token_version(self, user_id: int) -> int:
        with self.engine.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(feed_token_version=users.c.feed_token_version + 1)
            )
        return self.token_version(user_id)

    def reader(self, user_id: int) -> tuple[User, int] | None:
        """The user and their token version."""
        query = select(users.c.id, users.c.name, users.c.role, users.c.feed_token_version).where(
            users.c.id == user_id
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (User(row.id, row.name, row.role), int(row.feed_token_version)) if row else None
