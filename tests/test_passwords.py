"""The password hashes tidings makes: argon2id at the library's recommended cost (the tests
elsewhere hash cheaply, see tests/conftest.py), no truncation of long passwords."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY

from tidings import passwords


def test_hashes_are_argon2id_at_the_recommended_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    real = PasswordHasher()
    monkeypatch.setattr(passwords, "_hasher", real)
    stored = passwords.hash_password("correct horse battery")
    made = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (made.time_cost, made.memory_cost, made.parallelism) == (
        RFC_9106_LOW_MEMORY.time_cost,
        RFC_9106_LOW_MEMORY.memory_cost,
        RFC_9106_LOW_MEMORY.parallelism,
    )
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "correct horse batter")
