"""Users, sessions and site settings: the tables behind sign-in and the admin pages.

Session tokens are random and only their SHA-256 is stored, so a copy of the database does not
sign anyone in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tidings.errors import DuplicateError, NotFoundError
from tidings.store.schema import sessions, site_settings, users

SESSION_LIFETIME = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_user(self, name: str, password_hash: str, now: datetime) -> User:
        try:
            with self.engine.begin() as conn:
                uid = conn.execute(
                    insert(users).values(name=name, password_hash=password_hash, created_at=now)
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError as exc:
            raise DuplicateError(f"a user named {name!r} already exists") from exc
        return User(int(uid), name)

    def set_password(self, name: str, password_hash: str) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                update(users).where(users.c.name == name).values(password_hash=password_hash)
            ).rowcount
            if not done:
                raise NotFoundError(f"no user named {name!r}")
            uid = conn.execute(select(users.c.id).where(users.c.name == name)).scalar()
            conn.execute(delete(sessions).where(sessions.c.user_id == uid))

    def password_hash(self, name: str) -> tuple[User, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        return (User(row.id, row.name), row.password_hash) if row else None

    def count_users(self) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(users.c.id).limit(1)).all())

    def start_session(self, user: User, now: datetime, replaces: str | None = None) -> str:
        """A new session token (the old one, if any, ends: sessions rotate at sign-in)."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            if replaces:
                conn.execute(delete(sessions).where(sessions.c.token_hash == _hash(replaces)))
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            conn.execute(
                insert(sessions).values(
                    token_hash=_hash(token),
                    user_id=user.id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    expires_at=now + SESSION_LIFETIME,
                )
            )
        return token

    def session(self, token: str, now: datetime) -> Session | None:
        query = (
            select(sessions.c.csrf_token, sessions.c.expires_at, users.c.id, users.c.name)
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.token_hash == _hash(token))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or row.expires_at <= now:
            return None
        return Session(User(row.id, row.name), row.csrf_token, row.expires_at)

    def end_session(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == _hash(token)))

    def settings(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return {k: v for k, v in conn.execute(select(site_settings))}

    def save_settings(self, values: dict[str, str]) -> None:
        with self.engine.begin() as conn:
            for key, value in values.items():
                conn.execute(delete(site_settings).where(site_settings.c.key == key))
                conn.execute(insert(site_settings).values(key=key, value=value))
