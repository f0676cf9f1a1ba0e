"""argon2id password hashes: one place that knows the parameters."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy() -> str:
    """Verified against when the user does not exist, so that both paths cost the same time.

    Made on first use: a hash costs ~0.1 s, which every command (and every update run) would
    otherwise pay at import.
    """
    return _hasher.hash("tidings: no such user")


MIN_LENGTH = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _dummy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
