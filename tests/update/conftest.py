"""The store contract's two-backend fixture, for the update tests that need a real store, and an
entered aggregator on each backend, for the whole updates that arrival steps take part in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tests.conftest import Clock
from tests.pg import fresh_schema
from tests.store.conftest import store
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator

__all__ = ["backend", "store"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def backend(
    request: pytest.FixtureRequest, settings: Settings, clock: Clock
) -> AsyncIterator[Aggregator]:
    if request.param == "postgres":
        url = request.getfixturevalue("pg_database")
        fresh_schema(url)
        settings = replace(settings, database_url=url)
    aggregator = make_aggregator(settings, clock=clock)
    async with aggregator:
        yield aggregator
    aggregator.close()
