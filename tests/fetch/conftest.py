"""Loopback servers and clients for the fetch tests.

Every server listens on 127.0.0.1 only; the only DNS name used is ``localhost``; other names go
through a resolver test double and are never looked up.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from ipaddress import ip_network
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from tidings.fetch import AddressPolicy, FetchClient

LOOPBACK = ip_network("127.0.0.0/8")
UA = "tidings-test/0.1 (+https://tidings.invalid/)"


@dataclass
class Served:
    """A running loopback server and what it saw."""

    host: str
    port: int
    requests: list[Mapping[str, str]] = field(default_factory=list)

    @property
    def origin(self) -> tuple[str, int]:
        return (self.host, self.port)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"


ServeApp = Callable[[web.Application], Awaitable[Served]]


@pytest.fixture
async def serve() -> AsyncIterator[ServeApp]:
    """Start aiohttp apps on 127.0.0.1, each on its own port; request headers are recorded."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> Served:
        served = Served("127.0.0.1", 0)

        @web.middleware
        async def record(
            request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
        ) -> web.StreamResponse:
            served.requests.append(dict(request.headers))
            return await handler(request)

        app.middlewares.append(record)
        runner = web.AppRunner(app, shutdown_timeout=0.1, handler_cancellation=True)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        served.port = runner.addresses[0][1]
        return served

    yield start
    for runner in runners:
        await runner.cleanup()


RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class RawServer:
    """A bare TCP server for answers aiohttp.web would never send; counts connections."""

    port: int
    connections: int = 0

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


ServeRaw = Callable[[RawHandler], Awaitable[RawServer]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


@pytest.fixture
async def serve_raw() -> AsyncIterator[ServeRaw]:
    servers: list[asyncio.Server] = []
    tasks: set[asyncio.Task[Any]] = set()

    async def start(handler: RawHandler) -> RawServer:
        raw = RawServer(0)

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            raw.connections += 1
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                await handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        servers.append(server)
        raw.port = server.sockets[0].getsockname()[1]
        return raw

    yield start
    for server in servers:
        server.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)


@pytest.fixture
async def canary(serve_raw: ServeRaw) -> RawServer:
    """A listener that must never be connected to: ``canary.connections`` has to stay 0."""
    return await serve_raw(_silent)


@pytest.fixture
def free_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


class StubResolver(AbstractResolver):
    """A resolver test double: names map to fixed addresses and nothing is ever looked up."""

    def __init__(self, table: Mapping[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            ResolveResult(
                hostname=host,
                host=ip,
                port=port,
                family=socket.AF_INET6 if ":" in ip else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for ip in self.table[host]
        ]

    async def close(self) -> None:
        pass


MakeClient = Callable[..., Awaitable[FetchClient]]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """FetchClients with short deadlines, loopback allowed unless a policy is given."""
    clients: list[FetchClient] = []

    async def make(**kwargs: Any) -> FetchClient:
        kwargs.setdefault("policy", AddressPolicy(allowed_networks=[LOOPBACK]))
        kwargs.setdefault("user_agent", UA)
        kwargs.setdefault("connect_timeout", 0.5)
        kwargs.setdefault("read_timeout", 0.5)
        kwargs.setdefault("total_timeout", 3)
        client = FetchClient(**kwargs)
        clients.append(client)
        return await client.__aenter__()

    yield make
    for client in clients:
        await client.close()
