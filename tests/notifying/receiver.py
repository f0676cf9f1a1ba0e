"""A webhook receiver on loopback for Apprise's json:// target: it keeps what it is sent, or
answers 500, or is not listening at all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

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
