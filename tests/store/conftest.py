"""The store contract runs against both backends: a SQLite file and a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import fresh_schema
from tidings.store.store import Store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db' / 'tidings.db'}"
    else:
        url = request.getfixturevalue("pg_database")
        fresh_schema(url)
    s = Store.open(url)
    yield s
    s.close()
