"""Users and sessions: the tables behind sign-in, with the site settings of the admin pages.

Session tokens are random and only their SHA-256 is stored, so a copy of the database does not
sign anyone in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tidings.errors import DuplicateError, NotFoundError
from tidings.i18n import gettext as _
from tidings.store.schema import sessions, users
from tidings.store.settings import SettingsPart
from tidings.types import Account, Session, User

SESSION_LIFETIME = timedelta(days=14)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts(SettingsPart):
    """Who may sign in, who is signed in, and (``SettingsPart``) what they chose for the site."""

    def add_user(self, name: str, password_hash: str, now: datetime, role: str = "reader") -> User:
        try:
            with self.engine.begin() as conn:
                uid = conn.execute(
                    insert(users).values(
                        name=name, password_hash=password_hash, created_at=now, role=role
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError as exc:
            raise DuplicateError(
                _("a user named %(name)r already exists") % {"name": name}
            ) from exc
        return User(int(uid), name, role)

    def set_role(self, name: str, role: str) -> User:
        with self.engine.begin() as conn:
            row = conn.execute(select(users.c.id).where(users.c.name == name)).first()
            if row is None:
                raise NotFoundError(_("no user named %(name)r") % {"name": name})
            conn.execute(update(users).where(users.c.id == row.id).values(role=role))
        return User(row.id, name, role)

    def count_admins(self) -> int:
        with self.engine.connect() as conn:
            query = select(func.count()).select_from(users).where(users.c.role == "admin")
            return int(conn.execute(query).scalar() or 0)

    def user_by_id(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(users.c.id, users.c.name, users.c.role).where(users.c.id == user_id)
            ).first()
        return User(row.id, row.name, row.role) if row else None

    def set_password(self, name: str, password_hash: str, keep: str | None = None) -> None:
        """A new password; every session of the user ends but the one of token ``keep``."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(users).where(users.c.name == name).values(password_hash=password_hash)
            ).rowcount
            if not done:
                raise NotFoundError(_("no user named %(name)r") % {"name": name})
            uid = conn.execute(select(users.c.id).where(users.c.name == name)).scalar()
            ending = delete(sessions).where(sessions.c.user_id == uid)
            if keep is not None:
                ending = ending.where(sessions.c.token_hash != _hash(keep))
            conn.execute(ending)

    def accounts(self, now: datetime) -> list[Account]:
        """Every user, by name, with the number of their sessions still open at ``now``."""
        open_sessions = (
            select(sessions.c.user_id, func.count().label("n"))
            .where(sessions.c.expires_at > now)
            .group_by(sessions.c.user_id)
            .subquery()
        )
        query = (
            select(users.c.id, users.c.name, users.c.role, users.c.created_at, open_sessions.c.n)
            .outerjoin(open_sessions, open_sessions.c.user_id == users.c.id)
            .order_by(users.c.name)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Account(User(r.id, r.name, r.role), r.created_at, r.n or 0) for r in rows]

    def remove_user(self, name: str) -> User:
        """Delete a user and end their sessions."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(users.c.id, users.c.name, users.c.role).where(users.c.name == name)
            ).first()
            if row is None:
                raise NotFoundError(_("no user named %(name)r") % {"name": name})
            conn.execute(delete(sessions).where(sessions.c.user_id == row.id))
            conn.execute(delete(users).where(users.c.id == row.id))
        return User(row.id, row.name, row.role)

    def password_hash(self, name: str) -> tuple[User, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        return (User(row.id, row.name, row.role), row.password_hash) if row else None

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
            select(
                sessions.c.csrf_token,
                sessions.c.expires_at,
                users.c.id,
                users.c.name,
                users.c.role,
                users.c.language,
            )
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.token_hash == _hash(token))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or row.expires_at <= now:
            return None
        user = User(row.id, row.name, row.role, row.language)
        return Session(user, row.csrf_token, row.expires_at)

    def end_session(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == _hash(token)))
