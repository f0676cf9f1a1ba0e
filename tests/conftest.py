"""Shared fixtures: a loopback feed server, the shared corpus, and an aggregator on a real file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from tests.feedserver import FeedServer
from tests.shared import CORPUS, in_ci, missing, require
from tidings import passwords
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under CI=true the shared test data must be there: else the run fails here, saying where
    it looked and which variable to set (outside CI, the tests that need it skip)."""
    if in_ci() and not CORPUS.is_dir():
        raise pytest.UsageError(missing(CORPUS))


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes() -> Iterator[None]:
    """argon2id at the library's recommended cost takes about a quarter of a second a hash on
    this machine, and most tests make a user, an API password and a sign-in: in-process tests
    hash with the cheapest parameters instead (the same algorithm and code; a hash records its
    own parameters, so either kind verifies). Processes the tests start hash as users' do, and
    test_passwords checks the parameters tidings really uses."""
    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = real


@pytest.fixture
def corpus() -> Path:
    return require(CORPUS)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer(CORPUS if CORPUS.is_dir() else None).start()
    yield srv
    srv.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(
        {
            "TIDINGS_DATA_DIR": str(tmp_path / "data"),
            "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
            "TIDINGS_READ_TIMEOUT": "2",
            "TIDINGS_TOTAL_TIMEOUT": "5",
        }
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))


@pytest.fixture
async def agg(settings: Settings, clock: Clock) -> AsyncIterator[Aggregator]:
    aggregator = make_aggregator(settings, clock=clock)
    async with aggregator:
        yield aggregator
    aggregator.close()


from tests.pg import pg_database  # noqa: E402, F401  (the fixture, for every test folder)
