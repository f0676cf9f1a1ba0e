"""A permanent redirect from https to http, on real loopback servers (one speaking TLS with a
certificate made for the test and trusted by this test alone), the real client and SQLite."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp.connector
import pytest

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tidings.core import Aggregator

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Moved</title>'
    b"<link>http://example.org/</link><description>d</description><item><title>One</title>"
    b"<guid>one</guid><pubDate>20 Nov 2026 10:00:00 +0000</pubDate></item></channel></rss>"
)


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=t"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return key, cert


@pytest.fixture
async def moved_to_http(
    certificate: tuple[Path, Path], server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """An https URL on loopback that answers 301 to the plain-http server's /feed.xml."""
    key, cert = certificate
    trusting = ssl.create_default_context()
    trusting.load_verify_locations(cert)
    monkeypatch.setattr(aiohttp.connector, "_SSL_CONTEXT_VERIFIED", trusting)
    serving = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    serving.load_cert_chain(cert, key)
    target = server.url("/feed.xml")
    answer = f"HTTP/1.1 301 Moved Permanently\r\nLocation: {target}\r\nContent-Length: 0\r\n\r\n"

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer.encode())
            await writer.drain()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    tls = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=serving)
    port = tls.sockets[0].getsockname()[1]
    yield f"https://127.0.0.1:{port}/feed.xml"
    tls.close()


async def test_a_permanent_redirect_to_http_is_never_adopted_and_shows_in_health(
    agg: Aggregator, server: FeedServer, clock: Clock, moved_to_http: str
) -> None:
    server.routes["/feed.xml"] = Route(RSS)
    feed = await agg.add_feed(moved_to_http)
    assert feed.url == moved_to_http
    for _ in range(4):
        clock.now += timedelta(hours=2)
        (result,) = await agg.update([feed.id], all_feeds=True)
        assert result.ok
    assert agg.feed(feed.id).url == moved_to_http  # still https
    (health,) = agg.health()
    assert health.feed_id == feed.id
    assert health.state == "notice"
    assert health.reason == (
        f"permanently redirects to {server.url('/feed.xml')}; not adopted: it would drop https"
    )
    assert health.error_count == 0
