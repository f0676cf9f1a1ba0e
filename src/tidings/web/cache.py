"""A short-lived cache of the public pages and feeds, for visitors who are not signed in.

A front page is read far more often than its feeds change: rendering it from a database of a
million items takes milliseconds, answering from memory takes microseconds. Entries live for
``TIDINGS_PAGE_CACHE_SECONDS`` (default 5 s), so a visitor sees an update at most that late; any
unsafe request handled by this process, and any update or subscription of this process that
stores items (``changes``), empties the cache at once. Signed-in users, requests
with conditional headers, and every response that sets a cookie or is not a 200 pass through.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings.web.api_common import API_PREFIXES, SERVER_PREFIXES
from tidings.web.context import SESSION_COOKIE

MAX_ENTRIES = 1024
MAX_BODY = 1024 * 1024  # larger answers are not kept
# /read: a person's own pages, and their private feeds (whose address carries their token)
PASS_PREFIXES = (
    "/admin",
    "/read",
    "/signin",
    "/signout",
    "/signup",
    "/static/",
    "/metrics",
    "/healthz",
    "/ages.json",
    *API_PREFIXES,  # the apps' APIs: each answer is one person's
    *SERVER_PREFIXES,  # the WebSub callback: each answer is one hub's
)
BYPASS_HEADERS = (b"if-none-match", b"if-modified-since", b"authorization")


@dataclass(frozen=True, slots=True)
class Entry:
    expires: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PageCache:
    """Pure ASGI middleware (no per-request task, unlike ``BaseHTTPMiddleware``)."""

    def __init__(
        self,
        app: ASGIApp,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
        changes: Callable[[], int] | None = None,
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.clock = clock
        self.changes = changes  # a number that moves when the store changes under the pages
        self._seen = changes() if changes is not None else 0
        self.entries: OrderedDict[tuple[bytes, ...], Entry] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            self.entries.clear()  # whatever it changes, visitors see it on their next request
            await self.app(scope, receive, send)
            return
        key = _key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        if self.changes is not None and (seen := self.changes()) != self._seen:
            self._seen = seen
            self.entries.clear()
        entry = self.entries.get(key)
        if entry is not None and entry.expires > self.clock():
            self.entries.move_to_end(key)
            await _replay(entry, scope["method"] == "HEAD", send)
            return
        await self._fill(key, scope, receive, send)

    async def _fill(
        self, key: tuple[bytes, ...], scope: Scope, receive: Receive, send: Send
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        keep = scope["method"] == "GET"
        seen = self._seen  # a page rendered while the store changed is not kept

        async def capture(message: Message) -> None:
            nonlocal start, keep
            if message["type"] == "http.response.start":
                start = message
                headers = message.get("headers", [])
                if message["status"] != 200 or any(k == b"set-cookie" for k, _ in headers):
                    keep = False
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > MAX_BODY:
                    keep = False
                    chunks.clear()
                elif (
                    not message.get("more_body", False)
                    and start is not None
                    and (self.changes is None or self.changes() == seen)
                ):
                    self._store(key, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: tuple[bytes, ...], start: Message, body: bytes) -> None:
        self.entries[key] = Entry(
            self.clock() + self.seconds, start["status"], list(start.get("headers", [])), body
        )
        self.entries.move_to_end(key)
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)


def _key(scope: Scope) -> tuple[bytes, ...] | None:
    """What the answer depends on, or None when it must not come from the cache."""
    path: str = scope["path"]
    if path.startswith(PASS_PREFIXES):
        return None
    host = b""
    for name, value in scope["headers"]:
        if name == b"cookie" and SESSION_COOKIE.encode() in value:
            return None
        if name in BYPASS_HEADERS:
            return None
        if name == b"host":
            host = value
    # the host and scheme are part of the key: the feeds write absolute links from them; the
    # language (web/language.py) too: a page is kept once per language it was asked in
    language = str(scope.get("state", {}).get("language", "")).encode()
    return (scope["scheme"].encode(), host, path.encode(), scope["query_string"], language)


async def _replay(entry: Entry, head: bool, send: Send) -> None:
    await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
    await send({"type": "http.response.body", "body": b"" if head else entry.body})
