"""The Fever tests' site: ada follows three feeds (NATO in her folder "World", Science in
"Science", Harbour in no folder) and has an API password; bob follows NATO with his own.
Every test runs on a SQLite file and on the real PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.pg import fresh_schema
from tests.web.fever.helpers import (
    API_PASSWORD,
    HARBOUR,
    NATO,
    PASSWORD,
    SCIENCE,
    Fever,
    fever_key,
    item,
)
from tests.web.helpers import add_items
from tidings.config import Settings
from tidings.core import Aggregator


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def web_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    if request.param == "sqlite":
        return settings
    url: str = request.getfixturevalue("pg_database")
    fresh_schema(url)
    return replace(settings, database_url=url)


def follow(agg: Aggregator, client: TestClient, user_id: int, url: str, folder: str | None) -> None:
    client.portal.call(partial(agg.subscribe, user_id, url, folder=folder))  # type: ignore[union-attr]


@pytest.fixture
def fever(site: tuple[Aggregator, TestClient], clock: Clock) -> Fever:
    agg, client = site
    now = clock.now
    add_items(agg, now, *(item(n, "nato", now) for n in range(1, 4)), url=NATO, title="NATO News")
    add_items(
        agg, now, *(item(n, "harbour", now) for n in range(1, 3)), url=HARBOUR, title="Harbour"
    )
    add_items(agg, now, item(1, "science", now), url=SCIENCE, title="Science & <Nature>")
    ada = agg.add_user("ada", PASSWORD, role="reader").id
    bob = agg.add_user("bob", PASSWORD, role="reader").id
    agg.set_api_password(ada, API_PASSWORD)
    agg.set_api_password(bob, "bob's password for apps")
    follow(agg, client, ada, NATO, "World")
    follow(agg, client, ada, SCIENCE, "Science")
    follow(agg, client, ada, HARBOUR, None)
    follow(agg, client, bob, NATO, None)
    return Fever(agg, client, clock, ada, fever_key("ada"))


@pytest.fixture
def bob(fever: Fever) -> Fever:
    """bob's calls, on the same site."""
    found = fever.agg.accounts.password_hash("bob")
    assert found is not None
    return replace(fever, user_id=found[0].id, key=fever_key("bob", "bob's password for apps"))
