"""The people of the facade: a user changes their own password."""

from __future__ import annotations

import pytest

from tidings.core import Aggregator
from tidings.errors import TidingsError


async def test_changing_ones_password_keeps_this_session_and_ends_the_others(
    agg: Aggregator,
) -> None:
    agg.add_user("ada", "correct horse battery")
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
