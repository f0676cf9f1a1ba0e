"""The apps' credentials: a person's API password (its argon2 hash, and the SHA-256 of its Fever
key for lookup) and their API keys (the SHA-256 of each secret). A copy of the database gives
nobody a working credential."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.store.part import StorePart
from tidings.store.schema import api_keys, users
from tidings.synctypes import ApiKey
from tidings.types import User

USE_GRANULARITY = timedelta(minutes=1)  # last_used_at is written at most this often


def _key_of(r: Row[Any]) -> ApiKey:
    return ApiKey(int(r.id), int(r.user_id), r.description, r.created_at, r.last_used_at)


class CredentialsPart(StorePart):
    def set_api_password(
        self, user_id: int, password_hash: str | None, fever_key_hash: str | None
    ) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(api_password_hash=password_hash, fever_key_hash=fever_key_hash)
            ).rowcount
        if not done:
            raise NotFoundError(_("no user %(user_id)s") % {"user_id": user_id})

    def api_user(
        self, *, name: str | None = None, user_id: int | None = None
    ) -> tuple[User, str | None] | None:
        """A user, by name or id, and their API password hash."""
        query = select(
            users.c.id, users.c.name, users.c.role, users.c.language, users.c.api_password_hash
        )
        query = query.where(users.c.name == name if user_id is None else users.c.id == user_id)
        with self.engine.connect() as conn:
            r = conn.execute(query).first()
        return (
            None
            if r is None
            else (User(int(r.id), r.name, r.role, r.language), r.api_password_hash)
        )

    def user_by_fever_key(self, key_hash: str) -> User | None:
        query = select(users.c.id, users.c.name, users.c.role, users.c.language).where(
            users.c.fever_key_hash == key_hash
        )
        with self.engine.connect() as conn:
            r = conn.execute(query).first()
        return None if r is None else User(int(r.id), r.name, r.role, r.language)

    def add_api_key(self, user_id: int, description: str, token_hash: str, now: datetime) -> ApiKey:
        with self.engine.begin() as conn:
            key_id = conn.execute(
                insert(api_keys).values(
                    user_id=user_id, description=description, token_hash=token_hash, created_at=now
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return ApiKey(int(key_id), user_id, description, now, None)

    def api_keys(self, user_id: int) -> list[ApiKey]:
        query = select(api_keys).where(api_keys.c.user_id == user_id).order_by(api_keys.c.id)
        with self.engine.connect() as conn:
            return [_key_of(r) for r in conn.execute(query)]

    def remove_api_key(self, user_id: int, key_id: int) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                delete(api_keys).where(api_keys.c.id == key_id, api_keys.c.user_id == user_id)
            ).rowcount
        if not done:
            raise NotFoundError(_("you have no API key %(key_id)s") % {"key_id": key_id})

    def user_by_api_key(self, token_hash: str, now: datetime) -> User | None:
        """The key's owner; the key's last use is noted (at most once a minute)."""
        query = (
            select(api_keys.c.id, api_keys.c.last_used_at, users.c.id.label("uid"))
            .add_columns(users.c.name, users.c.role, users.c.language)
            .join(users, users.c.id == api_keys.c.user_id)
            .where(api_keys.c.token_hash == token_hash)
        )
        with self.engine.connect() as conn:
            r = conn.execute(query).first()
        if r is None:
            return None
        if r.last_used_at is None or now - r.last_used_at >= USE_GRANULARITY:
            with self.engine.begin() as conn:
                conn.execute(update(api_keys).where(api_keys.c.id == r.id).values(last_used_at=now))
        return User(int(r.uid), r.name, r.role, r.language)
