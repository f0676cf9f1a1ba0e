"""Helpers for in-process web tests: items written straight to the store, a signed-in client, and
a request for calling one handler directly."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from tidings.core import Aggregator
from tidings.types import ItemWrite, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of


def add_items(
    agg: Aggregator,
    now: datetime,
    *items: ParsedItem,
    url: str = "https://e.org/f",
    title: str | None = "NATO News",
    categories: tuple[str, ...] = (),
) -> int:
    fid = agg.store.add_feed(url, now=now, title=title, categories_=categories)
    writes = tuple(
        ItemWrite(identity_of(i), content_hash_of(i), i, now, i.published or now) for i in items
    )
    agg.store.apply(UpdatePlan(fid, now, now, new=writes))
    return fid


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no form token on the page"
    return match.group(1)


def sign_in(client: TestClient, agg: Aggregator, name: str = "ada") -> str:
    if agg.accounts.password_hash(name) is None:
        agg.add_user(name, "correct horse battery", role="admin")
    token = form_token(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={"csrf_token": token, "name": name, "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return form_token(client.get("/admin").text)


def sign_in_reader(client: TestClient, agg: Aggregator, name: str = "bea") -> str:
    """A reader (made if need be) signed in on ``client``, alone (other cookies cleared); the
    form token of their session (from their own password page)."""
    if agg.accounts.password_hash(name) is None:
        agg.add_user(name, "correct horse battery", role="reader")
    client.cookies.clear()
    token = form_token(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={"csrf_token": token, "name": name, "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return form_token(client.get("/read/password").text)


def request_for(
    app: Starlette,
    path: str,
    query: str = "",
    *,
    path_params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Request:
    """A GET of ``path`` as the router hands it to a handler, without a server or middleware
    (so no session: the visitor is signed out)."""
    scope = {
        "type": "http",
        "app": app,
        "method": "GET",
        "scheme": "http",
        "server": ("testserver", 80),
        "root_path": "",
        "path": path,
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "path_params": path_params or {},
    }
    return Request(scope)
