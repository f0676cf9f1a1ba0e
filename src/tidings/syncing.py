"""The apps' part of the facade: the credentials of the sync APIs, and the reads they need.

``Syncing`` is a part of ``core.Aggregator`` (its base class), as ``Reading`` is. The apps people
read in (over the Google Reader, Fever and Miniflux protocols) never see the sign-in password: a
person sets an API password for them, and makes API keys. The Google Reader token is derived
from the API password, so it stays the same until that password changes (apps keep it for good);
the Fever key is md5("name:password") as the protocol fixes it, kept only as its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from tidings.config import Settings
from tidings.errors import NotFoundError, TidingsError
from tidings.i18n import gettext as _
from tidings.passwords import hash_password, verify_password
from tidings.store.store import Store
from tidings.synctypes import SYNC_MAX, ApiKey, FeedStats, Folder, IdQuery
from tidings.types import Entry, User

SIGN_IN_CACHE_SECONDS = 300.0  # an app's Basic auth on every request costs one hash, not argon2
SIGN_IN_CACHE_MAX = 10_000
DESCRIPTION_MAX = 200


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def fever_key(name: str, password: str) -> str:
    """The Fever protocol's api_key of a person."""
    return hashlib.md5(f"{name}:{password}".encode(), usedforsecurity=False).hexdigest()


class Syncing:
    """API passwords and keys, and people's items as the sync protocols read them."""

    store: Store
    clock: Callable[[], datetime]
    settings: Settings
    _sync_key: bytes | None = None

    # -- the API password ----------------------------------------------------------------------

    def set_api_password(self, user_id: int, password: str) -> None:
        """The password a person's apps sign in with (not their sign-in password); a new one
        signs every app out."""
        found = self.store.api_user(user_id=user_id)
        if found is None:
            raise NotFoundError(_("no user %(user_id)s") % {"user_id": user_id})
        try:
            hashed = hash_password(password)
        except ValueError as exc:
            raise TidingsError(str(exc)) from exc
        key_hash = _sha256(fever_key(found[0].name, password))
        self.store.set_api_password(user_id, hashed, key_hash)

    def clear_api_password(self, user_id: int) -> None:
        self.store.set_api_password(user_id, None, None)

    def has_api_password(self, user_id: int) -> bool:
        found = self.store.api_user(user_id=user_id)
        return found is not None and found[1] is not None

    def api_sign_in(self, name: str, password: str) -> User | None:
        """The person whose API password this is, by their name (or "name@anything": apps ask
        for an email), else None."""
        name = name.strip()
        found = self.store.api_user(name=name)
        if found is None and "@" in name:
            found = self.store.api_user(name=name.rpartition("@")[0])
        stored = found[1] if found else None
        key = _sha256(f"{stored}\0{password}")  # a new password is another key
        cache: dict[str, tuple[float, User]] = self.__dict__.setdefault("_signed_in", {})
        hit = cache.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        if not verify_password(stored, password) or found is None:
            return None
        if len(cache) >= SIGN_IN_CACHE_MAX:
            cache.clear()
        cache[key] = (now + SIGN_IN_CACHE_SECONDS, found[0])
        return found[0]

    def greader_auth(self, user: User) -> str:
        """The Google Reader auth token of a person who has an API password."""
        found = self.store.api_user(user_id=user.id)
        if found is None or found[1] is None:
            raise TidingsError(_("%(name)s has no API password") % {"name": user.name})
        return self._greader_token(user.id, found[1])

    def user_for_greader_auth(self, token: str) -> User | None:
        uid, _sep, _mac = token.strip().partition("/")
        if not uid.isdigit() or len(uid) > 18:
            return None
        found = self.store.api_user(user_id=int(uid))
        if found is None or found[1] is None:
            return None
        expected = self._greader_token(found[0].id, found[1])
        return found[0] if hmac.compare_digest(expected.encode(), token.strip().encode()) else None

    def _greader_token(self, user_id: int, password_hash: str) -> str:
        if self._sync_key is None:
            self._sync_key = self.settings.with_secret().secret_key.encode()
        message = f"greader:{user_id}:{password_hash}".encode()
        return f"{user_id}/{hmac.new(self._sync_key, message, hashlib.sha256).hexdigest()}"

    def fever_user(self, api_key: str) -> User | None:
        key = api_key.strip().lower()
        if len(key) != 32:
            return None
        return self.store.user_by_fever_key(_sha256(key))

    # -- API keys ------------------------------------------------------------------------------

    def create_api_key(self, user_id: int, description: str) -> tuple[ApiKey, str]:
        """A new key; its secret is returned now and never again."""
        description = " ".join(description.split())
        if not description or len(description) > DESCRIPTION_MAX:
            raise TidingsError(
                _("describe the key in 1 to %(description_max)s characters")
                % {"description_max": DESCRIPTION_MAX}
            )
        secret = secrets.token_urlsafe(32)
        key = self.store.add_api_key(user_id, description, _sha256(secret), self.clock())
        return key, secret

    def api_keys(self, user_id: int) -> list[ApiKey]:
        return self.store.api_keys(user_id)

    def revoke_api_key(self, user_id: int, key_id: int) -> None:
        self.store.remove_api_key(user_id, key_id)

    def user_for_api_key(self, secret: str) -> User | None:
        secret = secret.strip()
        if not secret or len(secret) > 200:
            return None
        return self.store.user_by_api_key(_sha256(secret), self.clock())

    # -- reading, as the protocols read --------------------------------------------------------

    def item_ids(self, user_id: int, query: IdQuery) -> list[int]:
        """One page of the person's item ids, by id (keyset: ``after_id``/``before_id``)."""
        try:
            return self.store.item_ids(user_id, query)
        except ValueError as exc:
            raise TidingsError(str(exc)) from exc

    def entries_by_ids(self, user_id: int, ids: Sequence[int]) -> list[Entry]:
        """The person's entries of ``ids`` (their feeds' items, or their starred ones), newest
        id first; an id they cannot see is left out."""
        wanted = sorted({int(i) for i in ids}, reverse=True)[:SYNC_MAX]
        return self.store.entries_by_ids(user_id, wanted)

    def set_state(
        self,
        user_id: int,
        item_ids: Sequence[int],
        *,
        read: bool | None = None,
        starred: bool | None = None,
    ) -> None:
        """Read and/or starred (None: left as it is) for a batch, as the apps send them."""
        if read is not None:
            self.store.set_read(user_id, item_ids, read, self.clock())
        if starred is not None:
            self.store.set_starred(user_id, item_ids, starred, self.clock())

    def feed_stats(self, user_id: int) -> dict[int, FeedStats]:
        return self.store.feed_stats(user_id)

    def sync_totals(self, user_id: int) -> tuple[int, datetime | None]:
        """The number of items in the person's feeds, and the last good fetch of any of them
        (cheap: for answers that carry both every time)."""
        return self.store.sync_totals(user_id)

    # -- folders with ids ----------------------------------------------------------------------

    def sync_folders(self, user_id: int) -> list[Folder]:
        """Every folder of the person with its id, the feeds without one ("") first."""
        return self.store.sync_folders(user_id)

    def folder_by_id(self, user_id: int, folder_id: int) -> Folder:
        return self.store.folder_by_id(user_id, folder_id)

    def create_folder(self, user_id: int, name: str) -> Folder:
        return self.store.create_folder(user_id, name)

    def rename_folder(self, user_id: int, folder_id: int, new_name: str) -> Folder:
        return self.store.rename_folder(user_id, folder_id, new_name)

    def delete_folder(self, user_id: int, folder_id: int) -> None:
        self.store.delete_folder(user_id, folder_id)
