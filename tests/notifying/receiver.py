"""Webhook receivers on loopback for Apprise's json:// target: they keep what they are sent, or
answer 500, or are not listening at all. ``receiving`` runs on the test's event loop (aiohttp);
``Hook`` on a thread of its own, for commands and pages that run their own loop."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiohttp import web


@dataclass
class Receiver:
    port: int = 0
    status: int = 200  # what it answers
    received: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0  # requests answered with an error
    delay: float = 0.0  # seconds before answering
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # a request came in

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"

    async def handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.arrived.set()
        await asyncio.sleep(self.delay)
        if self.status != 200:
            self.refused += 1
            return web.Response(status=self.status, text="broken")
        self.received.append(payload)
        return web.Response(text="ok")


@asynccontextmanager
async def receiving(port: int = 0) -> AsyncIterator[Receiver]:
    """A receiver listening on 127.0.0.1 (a free port, or ``port``) until the block ends."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    receiver.port = int(runner.addresses[0][1])
    try:
        yield receiver
    finally:
        await runner.cleanup()


class Hook:
    """A JSON webhook on 127.0.0.1 that keeps what it is sent, or answers ``status``."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.status == 200:
                    hook.received.append(json.loads(body))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(name="hook")
def hook_fixture() -> Iterator[Hook]:
    """A ``Hook`` while the test runs (import ``hook_fixture`` to use it as ``hook``)."""
    receiver = Hook()
    yield receiver
    receiver.stop()
