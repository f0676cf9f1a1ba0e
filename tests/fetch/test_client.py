"""The guarded client against real loopback servers: the ordinary paths."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import brotli
import pytest
from aiohttp import web

from tidings.errors import FetchError
from tidings.fetch import ACCEPT_ENCODING, FEED_ACCEPT, FetchClient
from tidings.fetch.guard import AddressPolicy

from .conftest import UA, MakeClient, RawServer, ServeApp

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
ETAG = 'W/"abc-123"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


def feed_app() -> web.Application:
    async def feed(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == ETAG or (
            request.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return web.Response(status=304, headers={"ETag": ETAG})
        return web.Response(
            body=FEED,
            content_type="application/rss+xml",
            headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED, "X-Mixed-Case": "Yes"},
        )

    async def cookie(request: web.Request) -> web.Response:
        response = web.Response(body=FEED)
        response.set_cookie("session", "s3cret")
        return response

    async def created(request: web.Request) -> web.Response:
        return web.Response(status=203, body=FEED)

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/cookie", cookie)
    app.router.add_get("/203", created)
    return app


async def test_200_with_body_and_lowercased_headers(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(feed_app())
    client = await make_client()
    result = await client.fetch(server.url("/feed.xml"))
    assert result.status == 200
    assert not result.not_modified
    assert result.body == FEED
    assert result.url == result.final_url == server.url("/feed.xml")
    assert result.redirects == ()
    assert result.headers["etag"] == ETAG
    assert result.headers["x-mixed-case"] == "Yes"
    assert all(name == name.lower() for name in result.headers)
    assert 0 < result.elapsed < 3


async def test_request_headers(serve: ServeApp, make_client: MakeClient) -> None:
    server = await serve(feed_app())
    client = await make_client()
    await client.fetch(server.url("/feed.xml"))
    sent = server.requests[0]
    assert sent["User-Agent"] == UA
    assert sent["Accept"] == FEED_ACCEPT
    assert sent["Accept-Encoding"] == ACCEPT_ENCODING
    assert "If-None-Match" not in sent
    assert "If-Modified-Since" not in sent
    await client.fetch(server.url("/feed.xml"), accept="text/html")
    assert server.requests[1]["Accept"] == "text/html"


async def test_a_feed_s_own_user_agent_replaces_the_client_s(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(feed_app())
    client = await make_client()
    await client.fetch(server.url("/feed.xml"), user_agent="Own/1.0 (+https://e.org/)")
    await client.fetch(server.url("/feed.xml"))
    assert [r["User-Agent"] for r in server.requests] == ["Own/1.0 (+https://e.org/)", UA]
    for bad in ("two\r\nlines", " "):
        with pytest.raises(ValueError, match="user_agent"):
            await client.fetch(server.url("/feed.xml"), user_agent=bad)


def test_accept_encoding_offers_br() -> None:
    from aiohttp.compression_utils import HAS_BROTLI

    assert ACCEPT_ENCODING == "gzip, deflate, br"
    assert HAS_BROTLI  # brotli is a dependency: aiohttp decodes a br body itself


async def test_validators_sent_back_exactly_and_304(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(feed_app())
    client = await make_client()
    first = await client.fetch(server.url("/feed.xml"))
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    result = await client.fetch(server.url("/feed.xml"), etag=etag, last_modified=last_modified)
    assert server.requests[1]["If-None-Match"] == ETAG
    assert server.requests[1]["If-Modified-Since"] == LAST_MODIFIED
    assert result.status == 304
    assert result.not_modified
    assert result.body == b""
    only_date = await client.fetch(server.url("/feed.xml"), last_modified=LAST_MODIFIED)
    assert only_date.status == 304
    assert "If-None-Match" not in server.requests[2]


async def test_a_validator_that_could_split_headers_is_not_sent(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(feed_app())
    client = await make_client()
    result = await client.fetch(server.url("/feed.xml"), etag='"x"\r\nX-Injected: 1')
    assert result.status == 200
    assert "If-None-Match" not in server.requests[0]
    assert "X-Injected" not in server.requests[0]


async def test_any_2xx_is_reported_as_200(serve: ServeApp, make_client: MakeClient) -> None:
    server = await serve(feed_app())
    client = await make_client()
    result = await client.fetch(server.url("/203"))
    assert result.status == 200
    assert result.body == FEED


async def test_no_cookies_are_kept(serve: ServeApp, make_client: MakeClient) -> None:
    server = await serve(feed_app())
    client = await make_client()
    await client.fetch(server.url("/cookie"))
    await client.fetch(server.url("/cookie"))
    assert "Cookie" not in server.requests[1]


async def test_environment_proxies_are_not_used(
    serve: ServeApp, make_client: MakeClient, canary: RawServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, canary.url())
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    server = await serve(feed_app())
    client = await make_client()
    result = await client.fetch(server.url("/feed.xml"))
    assert result.body == FEED
    assert canary.connections == 0


# -- compressed bodies -----------------------------------------------------------------------

BIG = b"<item>" + b"x" * 200_000 + b"</item>"


def encoded_app() -> web.Application:
    bodies = {
        "gzip": (gzip.compress(BIG), "gzip"),
        "deflate": (zlib.compress(BIG), "deflate"),
        "raw-deflate": (zlib.compress(BIG, wbits=-15), "deflate"),
        "x-gzip": (gzip.compress(BIG), "x-gzip"),
        "gzip-gzip": (gzip.compress(gzip.compress(BIG)), "gzip, gzip"),
        "deflate-gzip": (gzip.compress(zlib.compress(BIG)), "deflate, gzip"),
        "two-headers": (gzip.compress(gzip.compress(BIG)), None),
        "identity": (BIG, "identity"),
        "mislabelled": (BIG, "utf-8"),
        "members": (gzip.compress(BIG[:1000]) + gzip.compress(BIG[1000:]), "gzip"),
        "br": (brotli.compress(BIG), "br"),
        "gzip-br": (brotli.compress(gzip.compress(BIG)), "gzip, br"),
    }

    async def encoded(request: web.Request) -> web.Response:
        body, coding = bodies[request.match_info["name"]]
        response = web.Response(body=body)
        if coding is None:
            response.headers.add("Content-Encoding", "gzip")
            response.headers.add("Content-Encoding", "gzip")
        else:
            response.headers["Content-Encoding"] = coding
        return response

    app = web.Application()
    app.router.add_get("/{name}", encoded)
    return app


@pytest.mark.parametrize(
    "name",
    [
        "gzip",
        "deflate",
        "raw-deflate",
        "x-gzip",
        "gzip-gzip",
        "deflate-gzip",
        "identity",
        "mislabelled",
        "members",
        "br",
        "gzip-br",
    ],
)
async def test_compressed_bodies_are_decoded(
    serve: ServeApp, make_client: MakeClient, name: str
) -> None:
    server = await serve(encoded_app())
    client = await make_client()
    result = await client.fetch(server.url(f"/{name}"))
    assert result.body == BIG


async def test_repeated_content_encoding_headers_are_ambiguous_and_refused(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(encoded_app())
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url("/two-headers"))
    assert info.value.kind == "encoding"


# -- URLs and connections --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "/etc/passwd",
        "ftp://example.com/feed.xml",
        "gopher://127.0.0.1:6379/_PING",
        "dict://127.0.0.1:11211/stats",
        "data:application/rss+xml,<rss/>",
        "javascript:alert(1)",
        "feed.xml",
    ],
)
async def test_non_http_urls_are_refused(make_client: MakeClient, url: str) -> None:
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(url)
    assert info.value.kind == "bad_url"
    assert info.value.permanent
    assert "unsupported scheme" in str(info.value)


@pytest.mark.parametrize(
    "url", ["http://", "http:///path", "http://127.0.0.1\\@example.com/", "http://[::1/"]
)
async def test_malformed_urls_are_refused(make_client: MakeClient, url: str) -> None:
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(url)
    assert info.value.kind == "bad_url"


async def test_connection_refused(make_client: MakeClient, free_port: int) -> None:
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(f"http://127.0.0.1:{free_port}/feed.xml")
    assert info.value.kind == "connection"
    assert "cannot connect" in str(info.value)
    assert info.value.__cause__ is not None
    assert type(info.value) is FetchError


async def test_localhost_name_is_resolved_and_checked(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(feed_app())
    client = await make_client()
    result = await client.fetch(f"http://localhost:{server.port}/feed.xml")
    assert result.body == FEED


async def test_client_refuses_use_after_close(serve: ServeApp) -> None:
    server = await serve(feed_app())
    async with FetchClient(
        policy=AddressPolicy(allowed_origins=[server.origin]), user_agent=UA
    ) as client:
        assert (await client.fetch(server.url("/feed.xml"))).body == FEED
    with pytest.raises(RuntimeError, match="closed"):
        await client.fetch(server.url("/feed.xml"))


async def test_without_context_manager_the_session_opens_on_first_use(serve: ServeApp) -> None:
    server = await serve(feed_app())
    client = FetchClient(policy=AddressPolicy(allowed_origins=[server.origin]), user_agent=UA)
    try:
        assert (await client.fetch(server.url("/feed.xml"))).status == 200
    finally:
        await client.close()


async def test_per_host_limit_queues_requests(serve: ServeApp, make_client: MakeClient) -> None:
    active = 0
    peak = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.05)
        active -= 1
        return web.Response(body=FEED)

    app = web.Application()
    app.router.add_get("/slow", slow)
    server = await serve(app)
    client = await make_client(per_host=2)
    results = await asyncio.gather(*(client.fetch(server.url("/slow")) for _ in range(6)))
    assert all(r.body == FEED for r in results)
    assert peak == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"user_agent": "a\r\nb"},
        {"user_agent": " "},
        {"read_timeout": 0},
        {"max_bytes": -1},
        {"max_redirects": -1},
        {"per_host": 0},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    settings: dict[str, object] = {"policy": AddressPolicy(), "user_agent": UA, **kwargs}
    with pytest.raises(ValueError, match="must"):
        FetchClient(**settings)  # type: ignore[arg-type]
