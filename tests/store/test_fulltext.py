"""The backend each database gets."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tidings.errors import StoreError
from tidings.store.fts5 import Fts5Search
from tidings.store.fulltext import backend_for
from tidings.store.pgsearch import PgSearch


def test_backend_for_each_database() -> None:
    def engine(name: str) -> Any:
        return SimpleNamespace(dialect=SimpleNamespace(name=name))

    assert isinstance(backend_for(engine("sqlite")), Fts5Search)
    assert isinstance(backend_for(engine("postgresql")), PgSearch)
    with pytest.raises(StoreError, match="not available on mysql"):
        backend_for(engine("mysql"))
