"""Resource exhaustion and hostile HTTP (H01-H13), and documents built to exhaust the parser.

Every hostile answer comes from a bare TCP server on loopback, so the test can send what no
HTTP library would. The client runs with test-sized limits (256 KiB body, 0.5 s read, 2 s total);
each case must end in one of tidings' own errors with the expected kind, with bounded memory.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable

import pytest

from tests.fetch.conftest import MakeClient, RawServer, ServeRaw, read_request
from tidings.errors import FetchError, ParseError, TidingsError
from tidings.parse import parse_feed

# slow together (about 9 s here): deep, huge and slow documents and servers
pytestmark = pytest.mark.slow

CAP = 256 * 1024
Writer = asyncio.StreamWriter
Handler = Callable[[asyncio.StreamReader, Writer], Awaitable[None]]


def head(extra: str = "", status: str = "200 OK") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: application/rss+xml\r\n{extra}\r\n".encode()


def bomb(layers: int = 1, size: int = 64 * 1024 * 1024) -> bytes:
    """``size`` zero bytes, gzip-compressed ``layers`` times (64 MiB -> about 64 KiB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(size >> 20)) + compressor.flush()
    for _ in range(layers - 1):
        data = gzip.compress(data)
    return data


def answer(raw: bytes) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: Writer) -> None:
        await read_request(reader)
        writer.write(raw)
        await writer.drain()
        await asyncio.sleep(5)

    return handle


def endless(piece: bytes, *, chunked: bool, pause: float = 0) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: Writer) -> None:
        await read_request(reader)
        writer.write(head("Transfer-Encoding: chunked\r\n" if chunked else "Connection: close\r\n"))
        while True:
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
            await writer.drain()
            await asyncio.sleep(pause)

    return handle


async def black_hole(reader: asyncio.StreamReader, writer: Writer) -> None:
    await asyncio.sleep(30)


async def headers_then_nothing(reader: asyncio.StreamReader, writer: Writer) -> None:
    await read_request(reader)
    writer.write(head("Content-Length: 1000\r\n"))
    await writer.drain()
    await asyncio.sleep(30)


async def drip(reader: asyncio.StreamReader, writer: Writer) -> None:
    """H05: one byte every 0.2 s: each read is in time, the whole never ends."""
    await read_request(reader)
    for byte in head("Content-Length: 100000\r\n") + b"<rss>" + b" " * 100_000:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(0.2)


def redirect_loop(port_of: Callable[[], int], *, distinct: bool) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: Writer) -> None:
        request = (await read_request(reader)).decode()
        path = request.split(" ")[1]
        n = int(path.strip("/") or 0)
        target = f"/{n + 1}" if distinct else ("/1" if n == 0 else "/")
        writer.write(
            f"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port_of()}{target}\r\n"
            "Content-Length: 0\r\n\r\n".encode()
        )
        await writer.drain()

    return handle


GZIP_BOMB = bomb()
STACKED = bomb(1, 8 << 20)
DEFLATE_BOMB = zlib.compress(b"\0" * (64 << 20), 9)

# id -> (handler factory, the error kinds accepted)
CASES: dict[str, tuple[Callable[[], Handler], set[str]]] = {
    "H01-declared-oversize": (
        lambda: answer(head(f"Content-Length: {CAP * 100}\r\n") + b"x" * 1000),
        {"too_large"},
    ),
    "H01-undeclared-oversize": (
        lambda: answer(head("Connection: close\r\n") + b"<rss>" + b"x" * (CAP * 4)),
        {"too_large"},
    ),
    "H02-gzip-bomb": (
        lambda: answer(
            head(f"Content-Encoding: gzip\r\nContent-Length: {len(GZIP_BOMB)}\r\n") + GZIP_BOMB
        ),
        {"too_large"},
    ),
    "H02-x-gzip-bomb": (
        lambda: answer(
            head(f"Content-Encoding: x-gzip\r\nContent-Length: {len(GZIP_BOMB)}\r\n") + GZIP_BOMB
        ),
        {"too_large"},
    ),
    "H02-deflate-bomb": (
        lambda: answer(
            head(f"Content-Encoding: deflate\r\nContent-Length: {len(DEFLATE_BOMB)}\r\n")
            + DEFLATE_BOMB
        ),
        {"too_large"},
    ),
    "H02-bomb-declared-small": (
        lambda: answer(head("Content-Encoding: gzip\r\nConnection: close\r\n") + GZIP_BOMB),
        {"too_large"},
    ),
    "H03-stacked-2": (
        lambda: answer(
            head(f"Content-Encoding: gzip, gzip\r\nContent-Length: {len(bomb(2, 8 << 20))}\r\n")
            + bomb(2, 8 << 20)
        ),
        {"too_large"},
    ),
    "H03-stacked-50": (
        lambda: answer(
            head("Content-Encoding: " + ", ".join(["gzip"] * 50) + "\r\nContent-Length: 10\r\n")
            + b"0123456789"
        ),
        {"encoding"},
    ),
    "H03-stacked-headers": (
        lambda: answer(
            head("".join("Content-Encoding: gzip\r\n" for _ in range(50)) + "Content-Length: 1\r\n")
            + b"x"
        ),
        {"encoding"},
    ),
    "H04-endless-chunked": (lambda: endless(b" " * 8192, chunked=True), {"too_large"}),
    "H04-endless-items": (
        lambda: endless(b"<item><title>x</title></item>" * 200, chunked=False),
        {"too_large"},
    ),
    "H05-slow-drip": (lambda: drip, {"timeout"}),
    "H05-black-hole": (lambda: black_hole, {"timeout"}),
    "H05-headers-then-silence": (lambda: headers_then_nothing, {"timeout"}),
    "H09-huge-header": (
        lambda: answer(head("X-Big: " + "a" * (1 << 20) + "\r\nContent-Length: 0\r\n")),
        {"protocol", "connection"},
    ),
    "H09-many-headers": (
        lambda: answer(
            head("".join(f"X-H{n}: v\r\n" for n in range(10_000)) + "Content-Length: 0\r\n")
        ),
        {"protocol", "connection"},
    ),
    "H09-not-http": (lambda: answer(b"SSH-2.0-OpenSSH_9.6\r\n" * 100), {"protocol", "connection"}),
    "H09-header-injection": (
        lambda: answer(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: a\rSet-Cookie: x\r\n\r\nhello"),
        {"protocol", "connection", "ok"},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_hostile_server(case: str, serve_raw: ServeRaw, make_client: MakeClient) -> None:
    factory, kinds = CASES[case]
    server: RawServer = await serve_raw(factory())
    client = await make_client(max_bytes=CAP, read_timeout=0.5, total_timeout=2)
    tracemalloc.start()
    error: TidingsError | None = None
    try:
        result = await client.fetch(server.url("/feed"))
    except TidingsError as exc:
        error = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    if error is None:
        assert "ok" in kinds, f"{case} was fetched: {len(result.body)} bytes"
    else:
        assert isinstance(error, FetchError)
        assert error.kind in kinds, (error.kind, str(error))
        assert len(str(error)) < 1000  # a reason, not the response
    assert peak < 3 * CAP + 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


async def test_redirect_loop(serve_raw: ServeRaw, make_client: MakeClient) -> None:
    """H07: A -> B -> A ... stops after 5 hops with 'too many redirects'."""
    port: list[int] = []
    server = await serve_raw(redirect_loop(lambda: port[0], distinct=False))
    port.append(server.port)
    client = await make_client()
    with pytest.raises(FetchError, match="too many redirects") as info:
        await client.fetch(server.url("/"))
    assert info.value.kind == "redirects"
    assert server.connections <= 6


async def test_redirect_chain(serve_raw: ServeRaw, make_client: MakeClient) -> None:
    """H07: 20 distinct hops: refused after the 5th."""
    port: list[int] = []
    server = await serve_raw(redirect_loop(lambda: port[0], distinct=True))
    port.append(server.port)
    client = await make_client()
    with pytest.raises(FetchError, match="too many redirects"):
        await client.fetch(server.url("/0"))


async def test_connection_refused(free_port: int, make_client: MakeClient) -> None:
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(f"http://127.0.0.1:{free_port}/")
    assert info.value.kind == "connection"


# --- documents built to exhaust the parser -------------------------------------------------------


def many_items(n: int) -> bytes:
    items = "".join(f"<item><guid>{i}</guid><title>t{i}</title></item>" for i in range(n))
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_100000_items_are_capped() -> None:
    """H13: 100,000 items in one document: at most ``max_items`` are read."""
    parsed = parse_feed(many_items(100_000), url="https://ok.example/f", max_items=1000)
    assert len(parsed.items) == 1000


def test_100000_json_items_are_capped() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "t",
            "items": [{"id": str(i), "title": "t"} for i in range(100_000)],
        }
    ).encode()
    parsed = parse_feed(body, url="https://ok.example/f", max_items=1000)
    assert len(parsed.items) == 1000


DEEP = {
    "rss-elements": (
        b'<rss version="2.0"><channel><title>t</title><item><description>'
        + b"<x>" * 100_000
        + b"</description></item></channel></rss>"
    ),
    "rss-escaped-html": (
        b'<rss version="2.0"><channel><title>t</title><item><title>i</title><description>'
        + b"&lt;div&gt;" * 100_000
        + b"x</description></item></channel></rss>"
    ),
    "atom-xhtml": (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id>'
        b'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        + b"<div>" * 50_000
        + b"x</div></content></entry></feed>"
    ),
    "json-arrays": b'{"version":"https://jsonfeed.org/version/1","items":' + b"[" * 100_000,
    "json-objects": b'{"version":"https://jsonfeed.org/version/1","title":'
    + b'{"a":' * 100_000
    + b"1"
    + b"}" * 100_000
    + b"}",
}


@pytest.mark.parametrize("case", list(DEEP))
def test_deep_nesting(case: str) -> None:
    """X29/deep nesting: a ParseError or a bounded result, never a RecursionError or a hang."""
    try:
        parsed = parse_feed(DEEP[case], url="https://ok.example/f")
    except ParseError:
        return
    for item in parsed.items:
        assert len(item.content_html or item.summary_html or "") < 2_000_000
