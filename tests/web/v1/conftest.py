"""Fixtures of the /v1 tests: the app over a fresh aggregator, with a reader who has an API
password and an API key (the credentials apps use), served in-process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
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
