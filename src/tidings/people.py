"""The people of the facade: who may sign in, their passwords and their sessions.

``People`` is a part of ``core.Aggregator`` (its base class), kept here so that the facade stays
one readable module; the command line and the web app reach it through the aggregator.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tidings.config import Settings
from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.passwords import hash_password, verify_password
from tidings.store.accounts import Accounts
from tidings.types import Account, Session, User

ROLES = ("admin", "reader")


class WrongPasswordError(TidingsError):
    """The current password given to change it is not the user's."""


def _role(role: str) -> str:
    if role not in ROLES:
        raise TidingsError(_("a role is admin or reader, not %(role)r") % {"role": role})
    return role


def _hashed(password: str) -> str:
    try:
        return hash_password(password)
    except ValueError as exc:
        raise TidingsError(str(exc)) from exc


class People:
    """Users, passwords and sessions, over the store's accounts."""

    accounts: Accounts
    clock: Callable[[], datetime]
    settings: Settings

    def has_users(self) -> bool:
        """Whether anyone can sign in (else the sign-in page says how to add a user)."""
        return self.accounts.count_users() > 0

    def add_user(self, name: str, password: str, role: str = "reader") -> User:
        """A new person: a reader (their own reading) unless ``role`` is "admin" (the site)."""
        name = name.strip()
        if not name or len(name) > 200:
            raise TidingsError(_("a user name needs 1 to 200 characters"))
        return self.accounts.add_user(name, _hashed(password), self.clock(), _role(role))

    def set_role(self, name: str, role: str) -> User:
        """Make ``name`` an admin or a reader (NotFoundError for a name nobody has)."""
        return self.accounts.set_role(name.strip(), _role(role))

    def sign_up(self, name: str, password: str) -> User:
        """A reader's own account, when the site is open to sign-ups (``TIDINGS_OPEN_SIGNUP``)."""
        if not self.settings.open_signup:
            raise TidingsError(_("sign-ups are closed: an admin adds people"))
        return self.add_user(name, password, "reader")

    def users(self) -> list[Account]:
        """Every user, by name, with when they were created and their open sessions."""
        return self.accounts.accounts(self.clock())

    def set_password(self, name: str, password: str) -> None:
        """A new password for ``name`` (from the server's command line); every session ends."""
        self.accounts.set_password(name, _hashed(password))

    def change_password(self, session_token: str, current: str, new: str) -> None:
        """The signed-in user's own change: ``current`` must be right; every other session of
        theirs ends, the one of ``session_token`` stays."""
        session = self.session(session_token)
        if session is None:
            raise TidingsError(_("you are signed out; sign in again"))
        found = self.accounts.password_hash(session.user.name)
        if found is None or not verify_password(found[1], current):
            raise WrongPasswordError(_("the current password is wrong"))
        self.accounts.set_password(session.user.name, _hashed(new), keep=session_token)

    def remove_user(self, name: str) -> User:
        """Delete a user; their sessions end (NotFoundError for a name nobody has)."""
        return self.accounts.remove_user(name)

    def sign_in(self, name: str, password: str, replaces: str | None = None) -> str | None:
        """A new session token for good credentials, else None (in constant-ish time)."""
        found = self.accounts.password_hash(name.strip())
        if not verify_password(found[1] if found else None, password) or found is None:
            return None
        return self.accounts.start_session(found[0], self.clock(), replaces)

    def session(self, token: str) -> Session | None:
        return self.accounts.session(token, self.clock())

    def sign_out(self, token: str) -> None:
        self.accounts.end_session(token)
