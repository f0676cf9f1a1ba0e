"""Scripted apps for the replays: each issues the requests one open-source app issues (section
5.3 of the research notes), in its order, with its parameter order and spelling, and keeps the
local state that app keeps (its items, its unread and starred sets).

Requests are written out as the apps write them (raw query strings and bodies), not built by
a library, so that what reaches the server is what the app sends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

ITEM_PREFIX = "tag:google.com,2005:reader/item/"
R = "user/-/state/com.google/"
FORM = "application/x-www-form-urlencoded"
PAGES = 200  # no app loop here runs longer than this


def hex_of(item_id: int) -> str:
    return f"{item_id:016x}"


def long_of(item_id: int) -> str:
    return ITEM_PREFIX + hex_of(item_id)


def from_long(text: str) -> int:
    assert text.startswith(ITEM_PREFIX), text
    return int(text[len(ITEM_PREFIX) :], 16)


@dataclass
class App:
    """An app's connection and local copy: ``base`` is the address the person typed."""

    http: httpx.Client
    base: str
    name: str
    password: str
    auth: str = ""
    token: str = ""
    items: dict[int, dict[str, Any]] = field(default_factory=dict)
    unread: set[int] = field(default_factory=set)
    starred: set[int] = field(default_factory=set)
    feeds: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def headers(self, **more: str) -> dict[str, str]:
        found = {"Authorization": f"GoogleLogin auth={self.auth}"} if self.auth else {}
        return {**found, **more}

    def get(self, path: str, *, auth: bool = True, status: int = 200) -> httpx.Response:
        self.calls.append(f"GET {path}")
        response = self.http.get(self.base + path, headers=self.headers() if auth else {})
        assert response.status_code == status, (path, response.status_code, response.text)
        return response

    def post(self, path: str, body: str = "", *, auth: bool = True) -> httpx.Response:
        self.calls.append(f"POST {path} {body[:80]}")
        headers = self.headers(**{"Content-Type": FORM}) if auth else {"Content-Type": FORM}
        response = self.http.post(self.base + path, content=body.encode(), headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response

    def write(self, path: str, body: str) -> None:
        """A write; the apps check the body is exactly OK."""
        assert self.post(path, body).text == "OK"

    def login_lines(self, body: str) -> None:
        text = self.post("/accounts/ClientLogin", body, auth=False).text
        found = re.search(r"Auth=(\S+)", text)
        assert found, text
        self.auth = found.group(1)

    def ids(self, query: str, page: int) -> list[int]:
        """Every id of ``stream/items/ids?<query>``, following continuations as most apps do:
        while there is one (the apps that stop on a short page are written out on their own)."""
        found: list[int] = []
        cont = ""
        for _ in range(PAGES):
            refs = self.get(f"/reader/api/0/stream/items/ids?{query}{cont}").json()
            found += [int(r["id"]) for r in refs["itemRefs"]]
            assert len(refs["itemRefs"]) == page or "continuation" not in refs
            if "continuation" not in refs:
                return found
            assert refs["itemRefs"], "a continuation on an empty page"
            cont = f"&c={refs['continuation']}"
        raise AssertionError("paging did not end")

    def change(self, ids: Iterable[int], tag: str, add: bool) -> None:
        """What a person did in the app, in its local copy (before or while it is pushed)."""
        ids = set(ids)
        if tag == "read":
            (self.unread.difference_update if add else self.unread.update)(ids)
        elif tag == "starred":
            (self.starred.update if add else self.starred.difference_update)(ids)

    def keep(self, items: list[dict[str, Any]]) -> None:
        """Items as the app stores them: it needs origin.streamId and summary.content."""
        for entry in items:
            assert entry["origin"]["streamId"].startswith("feed/")
            assert "content" in entry["summary"] and entry["canonical"][0]["href"] is not None
            self.items[from_long(entry["id"])] = entry


def encode(value: str) -> str:
    return quote(value, safe="")
