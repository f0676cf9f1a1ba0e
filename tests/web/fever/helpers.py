"""What the Fever tests share: a person's key, items written straight to the store, an HTTP caller
of the API, and a jump of the item ids past 2^31."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import Clock
from tests.web.syncdata import arrive as arrive
from tests.web.syncdata import item as item
from tests.web.syncdata import jump_item_ids as jump_item_ids
from tidings.core import Aggregator
from tidings.synctypes import SYNC_MAX, IdQuery

PASSWORD = "correct horse battery"  # the sign-in password
API_PASSWORD = "the apps' own password"
NATO = "https://nato.example/feed"
HARBOUR = "https://harbour.example/feed"
SCIENCE = "https://science.example/feed"


def fever_key(name: str, password: str = API_PASSWORD) -> str:
    """What a client sends as ``api_key``."""
    return hashlib.md5(f"{name}:{password}".encode(), usedforsecurity=False).hexdigest()


def ids_of(listed: str) -> set[int]:
    """The ids of a Fever id list ("1,2,3", or "" for none)."""
    return {int(i) for i in listed.split(",")} if listed else set()


@dataclass
class Fever:
    """A person's calls to the API, as a client makes them (the key in the body by default)."""

    agg: Aggregator
    http: httpx.Client
    clock: Clock
    user_id: int
    key: str
    path: str = "/fever/"

    def post(self, query: str = "api", key: str | None = None, **body: str) -> dict[str, Any]:
        response = self.http.post(
            f"{self.path}?{query}", data={"api_key": self.key if key is None else key, **body}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        found: dict[str, Any] = response.json()
        return found

    def get(self, query: str) -> dict[str, Any]:
        response = self.http.get(f"{self.path}?{query}&api_key={self.key}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def unread(self) -> set[int]:
        """The server's unread ids of the person, from the facade."""
        return self.ids("unread")

    def saved(self) -> set[int]:
        return self.ids("starred")

    def all_ids(self) -> set[int]:
        return self.ids("all")

    def ids(self, status: str) -> set[int]:
        return set(self.agg.item_ids(self.user_id, IdQuery(status=status, limit=SYNC_MAX)))
