"""Which full-text backend a database gets, and what every backend offers the facade."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Engine

from tidings.errors import StoreError
from tidings.i18n import gettext as _
from tidings.store.fts5 import Fts5Search
from tidings.store.pgsearch import PgSearch
from tidings.store.searchquery import SearchQuery
from tidings.types import SearchHit


class SearchBackend(Protocol):
    """What a full-text index offers the facade; one per database kind."""

    def search(
        self, query: SearchQuery, *, limit: int, offset: int, newest_first: bool = False
    ) -> list[SearchHit]:
        """Best matches first (or newest first), each with its title and a snippet marked up."""
        ...

    def count(self, query: SearchQuery) -> int:
        """How many items match in all."""
        ...


def backend_for(engine: Engine) -> SearchBackend:
    """The search backend for this database: FTS5 on SQLite, tsvector + GIN on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        return Fts5Search(engine)
    if engine.dialect.name == "postgresql":
        return PgSearch(engine)
    raise StoreError(
        _("full-text search is not available on %(database)s") % {"database": engine.dialect.name},
        kind="search",
    )
