"""The GReader tests' site: ada follows three feeds (NATO in her folder "World", Science in
"Science", Harbour in no folder) and has an API password; bob follows NATO with his own.
Endpoint tests run on a SQLite file, and those marked so on PostgreSQL too."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import cache, partial

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.greader.helpers import (
    API_PASSWORD,
    HARBOUR,
    NATO,
    PASSWORD,
    SCIENCE,
    Reader,
    item,
)
from tests.web.helpers import add_items
from tidings.core import Aggregator
from tidings.passwords import hash_password
from tidings.types import User

BOB_PASSWORD = "bob's password for apps"


@cache
def hashed(password: str) -> str:
    """A password's hash, made once for the whole run (each costs a good part of a second)."""
    return hash_password(password)


def with_api_password(agg: Aggregator, name: str, api_password: str) -> User:
    """A reader with an API password, as ``add_user`` and ``set_api_password`` make them, from
    hashes made once."""
    user = agg.accounts.add_user(name, hashed(PASSWORD), agg.clock(), "reader")
    key = hashlib.md5(f"{name}:{api_password}".encode(), usedforsecurity=False).hexdigest()
    agg.store.set_api_password(
        user.id, hashed(api_password), hashlib.sha256(key.encode()).hexdigest()
    )
    return user


def follow(agg: Aggregator, client: TestClient, user_id: int, url: str, folder: str | None) -> None:
    client.portal.call(partial(agg.subscribe, user_id, url, folder=folder))  # type: ignore[union-attr]


@pytest.fixture
def reader(site: tuple[Aggregator, TestClient], clock: Clock) -> Reader:
    """ada, signed in (her auth token in the header of every call)."""
    agg, client = site
    now = clock.now
    nato = add_items(
        agg, now, *(item(n, "nato", now) for n in range(1, 4)), url=NATO, title="NATO News"
    )
    harbour = add_items(
        agg, now, *(item(n, "harbour", now) for n in range(1, 3)), url=HARBOUR, title="Harbour"
    )
    science = add_items(agg, now, item(1, "science", now), url=SCIENCE, title="Science & <Nature>")
    ada = with_api_password(agg, "ada", API_PASSWORD)
    bob = with_api_password(agg, "bob", BOB_PASSWORD)
    follow(agg, client, ada.id, NATO, "World")
    follow(agg, client, ada.id, SCIENCE, "Science")
    follow(agg, client, ada.id, HARBOUR, None)
    follow(agg, client, bob.id, NATO, None)
    feeds = {"nato": nato, "harbour": harbour, "science": science}
    return Reader(agg, client, clock, ada.id, agg.greader_auth(ada), feeds=feeds)


@pytest.fixture
def bob(reader: Reader) -> Reader:
    """bob's calls, on the same site."""
    found = reader.agg.api_sign_in("bob", BOB_PASSWORD)
    assert found is not None
    return replace(reader, user_id=found.id, auth=reader.agg.greader_auth(found))
