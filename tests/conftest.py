"""Shared fixtures: a loopback feed server, the shared corpus, and an aggregator on a real file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.feedserver import FeedServer
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TIDINGS_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "feeds"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared feed corpus is missing (looked in {CORPUS})")
    return CORPUS


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
