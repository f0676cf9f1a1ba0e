"""Fixtures of the /v1 tests: the app over a fresh aggregator, with a reader who has an API
password and an API key (the credentials apps use), served in-process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.pg import fresh_schema
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.types import User
from tidings.web.app import create_app

API_PASSWORD = "apps only password"


@dataclass
class Api:
    agg: Aggregator
    client: TestClient
    user: User
    key: str  # the secret of an API key of ``user``

    @property
    def basic(self) -> tuple[str, str]:
        return (self.user.name, API_PASSWORD)

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Auth-Token": self.key}


def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The test settings on the backend a parametrized fixture names ("sqlite", "postgres")."""
    local = Settings.load(
        {
            "TIDINGS_DATA_DIR": str(tmp_path / "data"),
            "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
            "TIDINGS_READ_TIMEOUT": "2",
            "TIDINGS_TOTAL_TIMEOUT": "5",
        }
    )
    if request.param == "sqlite":
        return local
    url: str = request.getfixturevalue("pg_database")
    fresh_schema(url)
    return replace(local, database_url=url)


def api_user(agg: Aggregator, name: str) -> tuple[User, str]:
    """A reader with an API password and an API key (its secret)."""
    user = agg.add_user(name, "sign-in password 1", role="reader")
    agg.set_api_password(user.id, API_PASSWORD)
    _key, secret = agg.create_api_key(user.id, "tests")
    return user, secret


@pytest.fixture
def api(settings: Settings, clock: Clock) -> Iterator[Api]:
    agg = make_aggregator(settings, clock=clock)
    user, secret = api_user(agg, "ada")
    with TestClient(create_app(agg)) as client:
        yield Api(agg, client, user, secret)
    agg.close()
