"""Fault isolation (O-ISO): 100 loopback feeds, 30 of them hostile or broken in different ways,
one update run. The other 70 update fully, each of the 30 carries a readable reason in
``Aggregator.health()`` and on the feed, and the process's peak memory stays bounded."""

from __future__ import annotations

import asyncio
import gzip
import resource
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tests.fetch.conftest import RawServer, ServeRaw, read_request
from tests.hostile.conftest import Canary
from tests.hostile.test_xml import QUADRATIC, laughs
from tidings.config import Settings
from tidings.core import make_aggregator

GOOD = 70
ITEMS = 5
CAP = 1024 * 1024
MEMORY_GROWTH_BOUND = 200 * 1024 * 1024  # bytes of peak RSS growth over the whole run


def good_feed(n: int) -> bytes:
    items = "".join(
        f"<item><guid>g{n}-{i}</guid><title>Feed {n} item {i}</title>"
        f"<link>https://ok.example/{n}/{i}</link><description>&lt;p&gt;x&lt;/p&gt;</description>"
        "</item>"
        for i in range(ITEMS)
    )
    return f'<rss version="2.0"><channel><title>Good {n}</title>{items}</channel></rss>'.encode()


def gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    return b"".join(compressor.compress(chunk) for _ in range(64)) + compressor.flush()


def redirect(location: str, status: int = 302) -> Route:
    return Route(b"", status=status, headers={"Location": location}, validators=False)


RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n"
    )
    while True:
        writer.write(b"<item><title>x</title></item>" * 1000)
        await writer.drain()


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n<rss>")
    while True:
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.write(b" ")


async def black_hole(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(60)


async def not_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"SSH-2.0-OpenSSH_9.6\r\n" * 50)
    await writer.drain()


async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)


async def cut_short(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<rss><channel>")
    await writer.drain()


async def huge_header(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (1 << 20) + b"\r\nContent-Length: 0\r\n\r\n"
    )
    await writer.drain()


async def stacked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    codings = ", ".join(["gzip"] * 50)
    writer.write(
        f"HTTP/1.1 200 OK\r\nContent-Encoding: {codings}\r\nContent-Length: 3\r\n\r\nabc".encode()
    )
    await writer.drain()


RAW: dict[str, RawHandler] = {
    "endless body": endless,
    "slow drip": drip,
    "black hole": black_hole,
    "not HTTP": not_http,
    "hang-up": hang_up,
    "body cut short": cut_short,
    "1 MB header": huge_header,
    "50 stacked encodings": stacked,
}


def hostile_routes(server: FeedServer, canary: Canary, secret: Path) -> dict[str, Route]:
    bomb = gzip_bomb()
    return {
        "billion laughs": Route(
            f'<?xml version="1.0"?>{laughs()}<rss version="2.0"><channel><title>&a9;</title>'
            "</channel></rss>".encode()
        ),
        "quadratic blowup": Route(
            f'<?xml version="1.0"?>{QUADRATIC}<rss version="2.0"><channel><title>t</title><item>'
            f"<title>{'&x;' * 100_000}</title></item></channel></rss>".encode()
        ),
        "bad XML": Route(b"<rss><channel><title>t</title><item><<<&&&</rss"),
        "HTML page": Route(
            b"<!doctype html><html><head><title>Login</title></head><body>x</body></html>",
            content_type="text/html",
        ),
        "500": Route(b"oops", status=500, validators=False),
        "410": Route(b"gone", status=410, validators=False),
        "404": Route(b"nope", status=404, validators=False),
        "503 Retry-After": Route(
            b"busy", status=503, headers={"Retry-After": "120"}, validators=False
        ),
        "429": Route(b"slow down", status=429, validators=False),
        "401": Route(b"who", status=401, validators=False),
        "timeout (slow answer)": Route(good_feed(0), delay=3),
        "gzip bomb": Route(bomb, headers={"Content-Encoding": "gzip"}),
        "oversized body": Route(b"<rss>" + b" " * (2 * CAP)),
        "wrong encoding": Route(
            b"<?xml version='1.0' encoding='utf-32'?><rss/>" + b"\xff" * 100,
            content_type="application/rss+xml; charset=utf-32",
        ),
        "redirect loop": redirect(server.url("/hostile/redirect loop")),
        "redirect to private": redirect(canary.url("/")),
        "redirect to file:": redirect("file://" + str(secret)),
        "empty body": Route(b""),
        "PNG": Route(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png"),
        "JSON, not a feed": Route(b'{"hello": 1}', content_type="application/json"),
        "deep JSON": Route(b"[" * 100_000, content_type="application/feed+json"),
        "double-gzip lie": Route(
            gzip.compress(b"not gzip inside"), headers={"Content-Encoding": "gzip, br"}
        ),
    }


async def test_thirty_hostile_feeds_do_not_hold_up_seventy(
    tmp_path: Path, clock: Clock, serve_raw: ServeRaw, tripwire: Canary
) -> None:
    server = FeedServer().start()
    server.httpd.socket.listen(256)  # the default backlog of 5 would drop the run's connects
    raws: dict[str, RawServer] = {name: await serve_raw(h) for name, h in RAW.items()}
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:secret")
    try:
        hostile = hostile_routes(server, tripwire, secret)
        for n in range(GOOD):
            server.routes[f"/good/{n}"] = Route(good_feed(n))
        for name, route in hostile.items():
            server.routes[f"/hostile/{name}"] = route
        urls = {name: server.url(f"/hostile/{name}").replace(" ", "%20") for name in hostile}
        urls |= {name: raw.url("/feed") for name, raw in raws.items()}
        assert len(urls) == 30, len(urls)
        settings = Settings.load(
            {
                "TIDINGS_DATA_DIR": str(tmp_path / "data"),
                "TIDINGS_CONNECT_TIMEOUT": "2",
                "TIDINGS_READ_TIMEOUT": "0.5",
                "TIDINGS_TOTAL_TIMEOUT": "2",
                "TIDINGS_MAX_BODY_BYTES": str(CAP),
                "TIDINGS_PER_HOST_CONCURRENCY": "16",
                "TIDINGS_SAMPLES": "false",
            }
        )
        origins = [("127.0.0.1", server.port), *(("127.0.0.1", r.port) for r in raws.values())]
        agg = make_aggregator(settings, clock=clock, allowed_origins=origins)
        good_ids = [
            agg.store.add_feed(server.url(f"/good/{n}"), now=clock.now) for n in range(GOOD)
        ]
        bad_ids = {agg.store.add_feed(url, now=clock.now): name for name, url in urls.items()}

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        async with agg:
            results = await agg.update(all_feeds=True)
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before

        by_id = {r.feed_id: r for r in results}
        assert len(by_id) == 100
        for fid in good_ids:
            assert by_id[fid].error is None, by_id[fid]
            assert by_id[fid].new == ITEMS
            assert agg.count_items(feed_id=fid) == ITEMS
        health = {h.feed_id: h for h in agg.health()}
        assert set(health) == set(bad_ids), {bad_ids.get(f, f) for f in set(health) ^ set(bad_ids)}
        for fid, name in bad_ids.items():
            reason = health[fid].reason
            assert reason and len(reason) < 600, (name, reason)
            assert "Traceback" not in reason and "secret" not in reason, (name, reason)
            feed = agg.feed(fid)
            assert feed.last_error or feed.disabled_reason, name
            assert feed.error_count == 1 or feed.disabled_reason, name
            assert agg.count_items(feed_id=fid) == 0, name
            if health[fid].state == "failing":  # retried later, on backoff
                next_check = health[fid].next_check
                assert next_check is not None and next_check > clock.now, name
        assert health[next(f for f, n in bad_ids.items() if n == "410")].state == "disabled"
        assert tripwire.connections == 0
        assert rss_growth < MEMORY_GROWTH_BOUND, f"peak RSS grew {rss_growth / 1e6:.0f} MB"
        print(f"\npeak RSS growth over the run: {rss_growth / 1e6:.1f} MB")
        agg.close()
    finally:
        server.stop()
