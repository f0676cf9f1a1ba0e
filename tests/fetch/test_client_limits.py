"""Hostile servers: deadlines, size caps, decompression bombs, stacked encodings, bad answers."""

from __future__ import annotations

import asyncio
import gzip
import shutil
import socket
import ssl
import subprocess
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import brotli
import pytest

from tidings.errors import FetchError, FetchTimeoutError, HTTPStatusError, TooLargeError

from .conftest import MakeClient, RawHandler, RawServer, ServeRaw, read_request

CAP = 1024 * 1024


def response(
    body: bytes = b"", *, status: str = "200 OK", headers: dict[str, str] | None = None
) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def answer(data: bytes) -> RawHandler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(data)
        await writer.drain()

    return handler


async def serve_bytes(serve_raw: ServeRaw, data: bytes) -> RawServer:
    return await serve_raw(answer(data))


# -- deadlines -------------------------------------------------------------------------------


async def test_read_timeout(serve_raw: ServeRaw, make_client: MakeClient) -> None:
    async def sleepy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    server = await serve_raw(sleepy)
    client = await make_client(read_timeout=0.3, total_timeout=3)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError) as info:
        await client.fetch(server.url())
    assert time.monotonic() - started < 1.5
    assert "read timeout" in str(info.value)
    assert info.value.kind == "timeout"
    assert not info.value.permanent


async def test_read_timeout_in_the_middle_of_the_body(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    async def stalls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<rss>")
        await writer.drain()
        await asyncio.sleep(5)

    server = await serve_raw(stalls)
    client = await make_client(read_timeout=0.3)
    with pytest.raises(FetchTimeoutError, match="read timeout"):
        await client.fetch(server.url())


async def test_slowloris_is_stopped_by_the_total_deadline(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    # one byte every 0.05 s: the read timeout never fires, the total deadline must
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        while True:
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.05)

    server = await serve_raw(trickle)
    client = await make_client(read_timeout=0.3, total_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError) as info:
        await client.fetch(server.url())
    assert 0.45 < time.monotonic() - started < 1.5
    assert "total deadline" in str(info.value)


async def test_slow_headers_are_stopped_by_the_total_deadline(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n")
        while True:
            writer.write(b"X: y\r\n")
            await writer.drain()
            await asyncio.sleep(0.05)

    server = await serve_raw(trickle)
    client = await make_client(read_timeout=0.3, total_timeout=0.4)
    with pytest.raises(FetchTimeoutError, match="total deadline"):
        await client.fetch(server.url())


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A loopback port whose accept queue is full, so a new connect hangs (SYNs are dropped)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port: int = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            fillers.append(filler)
            if filler.connect_ex(("127.0.0.1", port)) not in (0, 115):  # 115: EINPROGRESS
                break
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


async def test_connect_timeout(full_backlog: int, make_client: MakeClient) -> None:
    client = await make_client(connect_timeout=0.3, total_timeout=3)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError) as info:
        await client.fetch(f"http://127.0.0.1:{full_backlog}/")
    assert time.monotonic() - started < 2
    assert "connect timed out" in str(info.value)


# -- size caps -------------------------------------------------------------------------------


async def test_a_declared_oversized_body_is_refused_before_reading(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    sent = 0

    async def big(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        await read_request(reader)
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {50 * CAP}\r\n\r\n".encode())
        for _ in range(50 * 16):
            writer.write(b"x" * (CAP // 16))
            sent += CAP // 16
            await writer.drain()

    server = await serve_raw(big)
    client = await make_client(max_bytes=CAP)
    with pytest.raises(TooLargeError) as info:
        await client.fetch(server.url())
    assert f"{50 * CAP} bytes" in str(info.value)
    assert "1 MiB" in str(info.value)
    assert info.value.kind == "too_large"


@pytest.mark.parametrize("framing", ["chunked", "until-close"])
async def test_an_endless_undeclared_body_stops_at_the_cap(
    serve_raw: ServeRaw, make_client: MakeClient, framing: str
) -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        if framing == "chunked":
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            piece = b"<item>x</item>" * 4096
            while True:
                writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                await writer.drain()
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            while True:
                writer.write(b" " * 65536)
                await writer.drain()

    server = await serve_raw(endless)
    client = await make_client(max_bytes=CAP)
    with pytest.raises(TooLargeError, match="after decompression"):
        await client.fetch(server.url())


async def test_body_at_the_cap_passes_and_one_byte_more_fails(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    exact = await serve_bytes(serve_raw, response(b"x" * CAP))
    over = await serve_bytes(serve_raw, response(b"x" * (CAP + 1)))
    client = await make_client(max_bytes=CAP)
    assert len((await client.fetch(exact.url())).body) == CAP
    with pytest.raises(TooLargeError):
        await client.fetch(over.url())


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """About 32 KiB of gzip that inflates to 32 MiB of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(CAP)
    data = b"".join(compressor.compress(zeros) for _ in range(32)) + compressor.flush()
    assert len(data) < 128 * 1024
    return data


@pytest.mark.parametrize(
    ("coding", "wrap"),
    [
        ("gzip", lambda b: b),  # decoded by aiohttp
        ("x-gzip", lambda b: b),  # decoded by us
        ("gzip, gzip", gzip.compress),  # stacked: decoded by us
        ("deflate", lambda b: zlib.compress(bytes(16 * CAP), 9)),
        ("br", lambda b: brotli.compress(bytes(32 * CAP))),  # decoded by aiohttp
        ("gzip, br", lambda b: brotli.compress(b)),  # stacked: decoded by us
        ("br, br", lambda b: brotli.compress(brotli.compress(bytes(32 * CAP)))),  # by us
    ],
)
async def test_a_decompression_bomb_is_stopped_at_the_cap_with_bounded_memory(
    serve_raw: ServeRaw,
    make_client: MakeClient,
    bomb: bytes,
    coding: str,
    wrap: Callable[[bytes], bytes],
) -> None:
    body = wrap(bomb)
    assert len(body) < 2 * CAP  # small on the wire, huge once decoded
    server = await serve_bytes(serve_raw, response(body, headers={"Content-Encoding": coding}))
    client = await make_client(max_bytes=CAP)
    tracemalloc.start()
    try:
        with pytest.raises(TooLargeError, match="after decompression"):
            await client.fetch(server.url())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * CAP + len(body)


@pytest.mark.parametrize("layers", [3, 50])
async def test_too_many_stacked_encodings_are_refused(
    serve_raw: ServeRaw, make_client: MakeClient, layers: int
) -> None:
    body = b"<rss/>"
    for _ in range(layers):
        body = gzip.compress(body)
    coding = ", ".join(["gzip"] * layers)
    server = await serve_bytes(serve_raw, response(body, headers={"Content-Encoding": coding}))
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url())
    assert info.value.kind == "encoding"
    assert f"{layers} stacked Content-Encodings" in str(info.value)


async def test_a_stack_with_a_coding_we_cannot_undo_is_refused(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    server = await serve_bytes(
        serve_raw, response(gzip.compress(b"x"), headers={"Content-Encoding": "gzip, compress"})
    )
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url())
    assert info.value.kind == "encoding"
    assert "unsupported Content-Encoding" in str(info.value)


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate"])
async def test_a_corrupt_compressed_body_is_an_encoding_error(
    serve_raw: ServeRaw, make_client: MakeClient, coding: str
) -> None:
    server = await serve_bytes(
        serve_raw, response(b"\x1f\x8b\x08garbage-garbage", headers={"Content-Encoding": coding})
    )
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url())
    assert info.value.kind == "encoding"


# -- malformed answers -----------------------------------------------------------------------


async def test_a_huge_header_is_a_protocol_error(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    server = await serve_bytes(serve_raw, response(b"<rss/>", headers={"X-Big": "a" * CAP}))
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url())
    assert info.value.kind == "protocol"
    assert type(info.value) is FetchError


async def test_too_many_headers_is_a_protocol_error(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    headers = {f"X-{i}": "v" for i in range(10_000)}
    server = await serve_bytes(serve_raw, response(b"<rss/>", headers=headers))
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url())
    assert info.value.kind == "protocol"


async def test_not_http_at_all_is_a_protocol_error(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    server = await serve_bytes(serve_raw, b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url())
    assert info.value.kind == "protocol"


async def test_a_body_cut_short_is_a_connection_error(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    server = await serve_bytes(serve_raw, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<rss>")
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url())
    assert info.value.kind == "connection"
    assert info.value.__cause__ is not None


async def test_a_closed_connection_without_answer_is_a_connection_error(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    server = await serve_bytes(serve_raw, b"")
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url())
    assert info.value.kind == "connection"


async def test_an_unknown_status_reason_is_cleaned(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    server = await serve_bytes(serve_raw, response(status="599 Weird\x01 Reason\x7f"))
    client = await make_client()
    with pytest.raises(HTTPStatusError) as info:
        await client.fetch(server.url())
    assert str(info.value) == "HTTP 599 Weird Reason"
    assert info.value.status == 599


# -- TLS -------------------------------------------------------------------------------------


async def test_https_to_a_plain_http_server_is_a_tls_error(
    serve_raw: ServeRaw, make_client: MakeClient
) -> None:
    async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # answer at once: the client's TLS hello is no HTTP request to wait for
        writer.write(response(b"<rss/>"))
        await writer.drain()
        await reader.read(1)

    server = await serve_raw(plain)
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(f"https://127.0.0.1:{server.port}/")
    assert info.value.kind == "tls"


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return key, cert


async def test_an_untrusted_certificate_is_a_tls_error(
    self_signed: tuple[Path, Path], make_client: MakeClient
) -> None:
    key, cert = self_signed
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    body = response(b"<rss/>")

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await read_request(reader)
            writer.write(body)
            await writer.drain()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        client = await make_client()
        with pytest.raises(FetchError) as info:
            await client.fetch(f"https://127.0.0.1:{port}/")
        assert info.value.kind == "tls"
        assert "certificate" in str(info.value).lower()
    finally:
        server.close()
