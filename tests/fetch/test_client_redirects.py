"""Redirects followed by hand: each hop recorded, validated and counted."""

from __future__ import annotations

import pytest
from aiohttp import web

from tidings.errors import FetchError, HTTPStatusError

from .conftest import MakeClient, ServeApp

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def redirect_app() -> web.Application:
    async def chain(request: web.Request) -> web.Response:
        left = int(request.match_info["n"])
        if left == 0:
            return web.Response(body=FEED)
        # absolute Location on even hops, relative on odd ones
        target = f"/chain/{left - 1}"
        if left % 2 == 0:
            target = str(request.url.with_path(target))
        raise web.HTTPMovedPermanently(target)

    async def relative(request: web.Request) -> web.Response:
        raise web.HTTPFound("../feeds/final.xml?x=1")

    async def final(request: web.Request) -> web.Response:
        return web.Response(body=request.query_string.encode())

    async def loop_a(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/loop/b")

    async def loop_b(request: web.Request) -> web.Response:
        raise web.HTTPPermanentRedirect("/loop/a")

    async def to_scheme(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": request.query["to"]})

    async def no_location(request: web.Request) -> web.Response:
        return web.Response(status=302)

    async def see_other(request: web.Request) -> web.Response:
        raise web.HTTPSeeOther("/chain/0")

    app = web.Application()
    app.router.add_get("/chain/{n}", chain)
    app.router.add_get("/a/b/relative", relative)
    app.router.add_get("/a/feeds/final.xml", final)
    app.router.add_get("/loop/a", loop_a)
    app.router.add_get("/loop/b", loop_b)
    app.router.add_get("/to", to_scheme)
    app.router.add_get("/no-location", no_location)
    app.router.add_get("/see-other", see_other)
    return app


async def test_a_chain_of_five_redirects_is_followed_and_recorded(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(redirect_app())
    client = await make_client()
    result = await client.fetch(server.url("/chain/5"))
    assert result.status == 200
    assert result.body == FEED
    assert result.url == server.url("/chain/5")
    assert result.final_url == server.url("/chain/0")
    assert result.redirects == tuple((301, server.url(f"/chain/{n}")) for n in range(4, -1, -1))


async def test_relative_location_resolves_against_the_previous_hop(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(redirect_app())
    client = await make_client()
    result = await client.fetch(server.url("/a/b/relative"))
    assert result.redirects == ((302, server.url("/a/feeds/final.xml?x=1")),)
    assert result.final_url == server.url("/a/feeds/final.xml?x=1")
    assert result.body == b"x=1"


async def test_303_is_followed(serve: ServeApp, make_client: MakeClient) -> None:
    server = await serve(redirect_app())
    client = await make_client()
    result = await client.fetch(server.url("/see-other"))
    assert result.redirects == ((303, server.url("/chain/0")),)


async def test_six_redirects_are_refused(serve: ServeApp, make_client: MakeClient) -> None:
    server = await serve(redirect_app())
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url("/chain/6"))
    assert info.value.kind == "redirects"
    assert "too many redirects" in str(info.value)
    assert len(server.requests) == 6  # the sixth Location is never requested


async def test_a_redirect_loop_stops_at_the_limit(serve: ServeApp, make_client: MakeClient) -> None:
    server = await serve(redirect_app())
    client = await make_client(max_redirects=3)
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url("/loop/a"))
    assert info.value.kind == "redirects"
    assert len(server.requests) == 4


async def test_redirect_limit_zero_refuses_any_redirect(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(redirect_app())
    client = await make_client(max_redirects=0)
    with pytest.raises(FetchError, match="too many redirects"):
        await client.fetch(server.url("/chain/1"))


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "gopher://127.0.0.1:6379/_PING", "ftp://example.com/x", "data:,x"],
)
async def test_a_redirect_to_another_scheme_is_refused(
    serve: ServeApp, make_client: MakeClient, target: str
) -> None:
    server = await serve(redirect_app())
    client = await make_client()
    with pytest.raises(FetchError) as info:
        await client.fetch(server.url("/to?to=" + target))
    assert info.value.kind == "bad_url"
    assert "unsupported scheme" in str(info.value)
    assert len(server.requests) == 1


async def test_a_redirect_without_location_is_a_status_error(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(redirect_app())
    client = await make_client()
    with pytest.raises(HTTPStatusError) as info:
        await client.fetch(server.url("/no-location"))
    assert info.value.status == 302
