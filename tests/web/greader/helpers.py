"""What the GReader tests share: items written straight to the store, a person's calls to the
API as an app makes them, and a jump of the item ids past 2^31."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest

from tests.conftest import Clock
from tests.pg import fresh_schema
from tests.web.syncdata import arrive as arrive
from tests.web.syncdata import item as item
from tests.web.syncdata import jump_item_ids as jump_item_ids
from tidings.config import Settings
from tidings.core import Aggregator
from tidings.synctypes import SYNC_MAX, IdQuery

PASSWORD = "correct horse battery"  # the sign-in password
API_PASSWORD = "the apps' own password"
NATO = "https://nato.example/feed"
HARBOUR = "https://harbour.example/feed"
SCIENCE = "https://science.example/feed"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"
ITEM_PREFIX = "tag:google.com,2005:reader/item/"
KEPT_UNREAD = "user/-/state/com.google/kept-unread"
API = "/reader/api/0"


def backend_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The site's settings on SQLite, or on the real PostgreSQL (a fresh schema)."""
    if request.param == "sqlite":
        return settings
    url: str = request.getfixturevalue("pg_database")
    fresh_schema(url)
    return replace(settings, database_url=url)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass
class Reader:
    """A person's calls to the API, the ``GoogleLogin`` header on each (``auth`` None: none)."""

    agg: Aggregator
    http: httpx.Client
    clock: Clock
    user_id: int
    auth: str | None
    prefix: str = ""
    feeds: dict[str, int] = field(default_factory=dict)  # name -> feed id

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"GoogleLogin auth={self.auth}"} if self.auth else {}

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(self.prefix + path, params=params, headers=self.headers())

    def post(self, path: str, data: Any = None, **params: Any) -> httpx.Response:
        return self.http.post(self.prefix + path, params=params, data=data, headers=self.headers())

    def json(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def ids(self, **params: Any) -> list[int]:
        """Every id of a stream, paged to the end (bounded)."""
        found: list[int] = []
        cont: str | None = None
        for _ in range(1000):
            extra = {"c": cont} if cont else {}
            page = self.json(f"{API}/stream/items/ids", **params, **extra)
            found += [int(r["id"]) for r in page["itemRefs"]]
            cont = page.get("continuation")
            if not cont:
                return found
        raise AssertionError("paging did not end")

    # the server's own view, through the facade
    def unread(self) -> set[int]:
        return set(self.agg.item_ids(self.user_id, IdQuery(status="unread", limit=SYNC_MAX)))

    def starred(self) -> set[int]:
        return set(self.agg.item_ids(self.user_id, IdQuery(status="starred", limit=SYNC_MAX)))

    def every(self) -> set[int]:
        return set(self.agg.item_ids(self.user_id, IdQuery(status="all", limit=SYNC_MAX)))
