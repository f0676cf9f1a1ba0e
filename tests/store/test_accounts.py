"""Users and sessions on both backends: the list, a new password, removal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.errors import NotFoundError
from tidings.store.accounts import Accounts
from tidings.store.store import Store

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_accounts_list_users_by_name_with_their_open_sessions(store: Store) -> None:
    accounts = Accounts(store.engine)
    ada = accounts.add_user("ada", "hash", NOW - timedelta(days=3))
    accounts.add_user("bob", "hash", NOW)
    accounts.start_session(ada, NOW - timedelta(days=20))  # expired
    accounts.start_session(ada, NOW)
    accounts.start_session(ada, NOW)
    listed = accounts.accounts(NOW)
    assert [(a.user.name, a.sessions) for a in listed] == [("ada", 2), ("bob", 0)]
    assert listed[0].created_at == NOW - timedelta(days=3)


def test_a_new_password_ends_every_session_but_the_one_kept(store: Store) -> None:
    accounts = Accounts(store.engine)
    ada = accounts.add_user("ada", "old", NOW)
    keep, other = accounts.start_session(ada, NOW), accounts.start_session(ada, NOW)
    accounts.set_password("ada", "new", keep=keep)
    assert accounts.session(keep, NOW) is not None and accounts.session(other, NOW) is None
    assert accounts.password_hash("ada") == (ada, "new")
    accounts.set_password("ada", "newer")
    assert accounts.session(keep, NOW) is None


def test_removing_a_user_ends_their_sessions(store: Store) -> None:
    accounts = Accounts(store.engine)
    ada = accounts.add_user("ada", "hash", NOW)
    token = accounts.start_session(ada, NOW)
    assert accounts.remove_user("ada") == ada
    assert accounts.session(token, NOW) is None and accounts.accounts(NOW) == []
    with pytest.raises(NotFoundError, match="no user named 'ada'"):
        accounts.remove_user("ada")
