"""Fixtures every web test shares: the app over a fresh aggregator, served in-process.

A test module that needs other settings overrides ``web_settings``; the helpers that write items
and sign in are plain functions in ``tests/web/helpers.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.web.app import create_app


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    """The settings the app runs with."""
    return settings


@pytest.fixture
def site(web_settings: Settings, clock: Clock) -> Iterator[tuple[Aggregator, TestClient]]:
    """An aggregator and a client of the app over it (its lifespan running)."""
    agg = make_aggregator(web_settings, clock=clock)
    with TestClient(create_app(agg)) as client:
        yield agg, client
    agg.close()
