"""The people of the facade: a user changes their own password."""

from __future__ import annotations

import pytest

from tidings.core import Aggregator
from tidings.errors import TidingsError


async def test_changing_ones_password_keeps_this_session_and_ends_the_others(
    agg: Aggregator,
) -> None:
    agg.add_user("ada", "correct horse battery", role="admin")
    this = agg.sign_in("ada", "correct horse battery")
    other = agg.sign_in("ada", "correct horse battery")
    assert this and other
    with pytest.raises(TidingsError, match="current password is wrong"):
        agg.change_password(this, "wrong password", "a new password")
    with pytest.raises(TidingsError, match="at least 8"):
        agg.change_password(this, "correct horse battery", "short")
    assert agg.session(other) is not None  # nothing changed yet
    agg.change_password(this, "correct horse battery", "a new password")
    assert agg.session(this) is not None and agg.session(other) is None
    assert agg.sign_in("ada", "correct horse battery") is None
    assert agg.sign_in("ada", "a new password") is not None
    with pytest.raises(TidingsError, match="signed out"):
        agg.change_password("no such token", "a new password", "another password")


def test_roles_a_new_person_reads_an_admin_runs_the_site(agg: Aggregator) -> None:
    assert agg.add_user("bea", "correct horse battery").role == "reader"
    ada = agg.add_user("ada", "correct horse battery", role="admin")
    assert ada.is_admin and ada.role == "admin"
    with pytest.raises(TidingsError, match="admin or reader"):
        agg.add_user("cy", "correct horse battery", role="owner")
    assert agg.set_role("bea", "admin").is_admin
    assert {a.user.name: a.user.role for a in agg.users()} == {"ada": "admin", "bea": "admin"}
    agg.set_role("ada", "reader")
    token = agg.sign_in("ada", "correct horse battery")
    assert token is not None
    session = agg.session(token)
    assert session is not None and session.user.role == "reader"
    assert not session.user.is_admin


def test_sign_up_only_when_open(agg: Aggregator) -> None:
    from dataclasses import replace

    with pytest.raises(TidingsError, match="closed"):
        agg.sign_up("dee", "correct horse battery")
    agg.settings = replace(agg.settings, open_signup=True)
    dee = agg.sign_up("dee", "correct horse battery")
    assert dee.role == "reader" and not dee.is_admin
