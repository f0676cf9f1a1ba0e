"""A WebSub hub for the tests, written from the W3C Recommendation (2018), on loopback.

It takes subscribe and unsubscribe requests (``POST /hub``, 202 Accepted), then verifies each
one by a GET to its callback with a random ``hub.challenge`` and keeps it only when the
callback echoes the challenge with a 2xx; a topic on its deny list gets ``hub.mode=denied``
instead. ``distribute`` sends content to a topic's subscribers with ``X-Hub-Signature``, and
publishers' pings (``hub.mode=publish``) are recorded. It also serves the publisher's feed
(``/feed.xml``), which names this hub and its own address.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import uvicorn
from aiohttp import web

from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.web.app import create_app


@dataclass
class Subscriber:
    callback: str
    topic: str
    secret: str
    lease_seconds: int


@dataclass
class Verification:
    mode: str
    topic: str
    callback: str
    status: int
    echoed: bool
    challenge: str = ""
    query: dict[str, str] = field(default_factory=dict)


def entry(n: int, title: str | None = None) -> str:
    return (
        f"<entry><id>urn:test:{n}</id><title>{title or f'Item {n}'}</title>"
        f'<link href="https://pub.example/items/{n}"/>'
        f"<updated>2026-11-28T1{n % 10}:00:00Z</updated><summary>Text {n}</summary></entry>"
    )


class Hub:
    """The hub and the publisher's feed, on 127.0.0.1."""

    def __init__(self, lease_seconds: int = 3600, *, verify_first: bool = False) -> None:
        self.lease_seconds = lease_seconds  # what it grants (whatever is asked)
        # verify before answering the request (5.3 allows either order)
        self.verify_first = verify_first
        self.failing = 0  # how many of the next requests to answer 500
        self.denied: dict[str, str] = {}  # topic -> reason
        self.requests: list[dict[str, str]] = []  # every POST to /hub, as sent
        self.verifications: list[Verification] = []
        self.subscribers: dict[tuple[str, str], Subscriber] = {}  # (topic, callback)
        self.pings: list[str] = []
        self.entries = [entry(1), entry(2)]
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hub"

    @property
    def feed_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/feed.xml"

    def document(self) -> bytes:
        return (
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Pushed</title><id>urn:test:feed</id><updated>2026-11-28T12:00:00Z</updated>"
            f'<link rel="hub" href="{self.url}"/><link rel="self" href="{self.feed_url}"/>'
            + "".join(self.entries)
            + "</feed>"
        ).encode()

    async def start(self) -> Hub:
        app = web.Application()
        app.router.add_post("/hub", self._hub)
        app.router.add_get("/feed.xml", self._feed)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        return self

    async def stop(self) -> None:
        await self.settle()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def settle(self) -> None:
        """Wait for the verifications under way."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _feed(self, request: web.Request) -> web.Response:
        return web.Response(body=self.document(), content_type="application/atom+xml")

    async def _hub(self, request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        self.requests.append(form)
        mode = form.get("hub.mode")
        if mode == "publish":
            self.pings.append(form.get("hub.url", ""))
            return web.Response(status=204)
        if mode not in ("subscribe", "unsubscribe") or not form.get("hub.callback"):
            return web.Response(status=400, text="hub.mode and hub.callback are required")
        if not form.get("hub.topic"):
            return web.Response(status=400, text="hub.topic is required")
        if self.failing:
            self.failing -= 1
            return web.Response(status=500, text="the hub is down")
        if self.verify_first:
            await self._verify(form)
            return web.Response(status=202)
        # 5.1: the hub answers 202 and verifies the intent of the subscriber afterwards
        task = asyncio.get_running_loop().create_task(self._verify(form))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.Response(status=202)

    async def _verify(self, form: dict[str, str]) -> None:
        assert self._session is not None
        mode, topic, callback = form["hub.mode"], form["hub.topic"], form["hub.callback"]
        if mode == "subscribe" and topic in self.denied:
            query = {"hub.mode": "denied", "hub.topic": topic, "hub.reason": self.denied[topic]}
            async with self._session.get(callback, params=query) as answer:
                self.verifications.append(
                    Verification("denied", topic, callback, answer.status, False, "", query)
                )
            return
        challenge = secrets.token_urlsafe(16)
        query = {"hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge}
        if mode == "subscribe":
            query["hub.lease_seconds"] = str(self.lease_seconds)
        async with self._session.get(callback, params=query) as answer:
            body = await answer.text()
            echoed = 200 <= answer.status < 300 and body == challenge
        self.verifications.append(
            Verification(mode, topic, callback, answer.status, echoed, challenge, query)
        )
        if not echoed:
            return
        if mode == "subscribe":
            self.subscribers[(topic, callback)] = Subscriber(
                callback, topic, form.get("hub.secret", ""), self.lease_seconds
            )
        else:
            self.subscribers.pop((topic, callback), None)

    async def distribute(
        self,
        topic: str,
        body: bytes,
        *,
        method: str = "sha256",
        secret: str | None = None,
        signature: str | None = None,
    ) -> list[int]:
        """Content distribution (7): POST ``body`` to each subscriber of ``topic``, signed with
        its secret (or ``secret``, or the header ``signature`` as given); their statuses."""
        assert self._session is not None
        statuses = []
        for sub in [s for s in self.subscribers.values() if s.topic == topic]:
            key = (secret if secret is not None else sub.secret).encode()
            digest = hmac.new(key, body, getattr(hashlib, method)).hexdigest()
            headers = {
                "Content-Type": "application/atom+xml",
                "Link": f'<{self.url}>; rel="hub", <{topic}>; rel="self"',
                "X-Hub-Signature": signature if signature is not None else f"{method}={digest}",
            }
            async with self._session.post(sub.callback, data=body, headers=headers) as answer:
                statuses.append(answer.status)
        return statuses


class MovingClock:
    """The real time, plus what the test moved it by (a lease's end comes in a moment)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Site:
    """tidings served for real on loopback (uvicorn, in this process), with its aggregator."""

    agg: Aggregator
    base: str
    clock: MovingClock

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        async with httpx.AsyncClient(timeout=5) as http:
            return await http.get(self.base + path, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        async with httpx.AsyncClient(timeout=5) as http:
            return await http.post(self.base + path, **kw)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def serve_site(data: Path, **env: str) -> AsyncIterator[Site]:
    """Start tidings (no scheduler: the tests turn the chore by hand) on a free port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings.load(
        {
            "TIDINGS_DATA_DIR": str(data),
            "TIDINGS_BASE_URL": base,
            "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
            "TIDINGS_SAMPLES": "false",
            "TIDINGS_PARSE_PROCESSES": "0",
            "TIDINGS_TOTAL_TIMEOUT": "5",
            **{f"TIDINGS_{k.upper()}": v for k, v in env.items()},
        }
    )
    clock = MovingClock()
    agg = make_aggregator(settings, clock=clock)
    config = uvicorn.Config(
        create_app(agg), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # bounded: 5 s
            if server.started:
                break
            await asyncio.sleep(0.01)
        assert server.started, "tidings did not start"
        yield Site(agg, base, clock)
    finally:
        server.should_exit = True
        await task
        agg.close()


async def until(check: Callable[[], object], seconds: float = 5.0) -> None:
    """Wait (bounded) for ``check()`` to be true."""
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {check}")
