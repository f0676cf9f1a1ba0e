"""POSTing a form (to a WebSub hub) through the one guarded client: the same guard, redirect
checks, deadlines and cap as a GET."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from tidings.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    TooLargeError,
)
from tidings.fetch import AddressPolicy

from .conftest import UA, MakeClient, ServeApp

FORM = {"hub.mode": "subscribe", "hub.topic": "https://pub.example/feed?a=1&b=é"}


def hub_app(seen: list[dict[str, str]]) -> web.Application:
    async def hub(request: web.Request) -> web.Response:
        seen.append(dict(await request.post()))  # type: ignore[arg-type]
        seen[-1]["content-type"] = request.content_type
        return web.Response(status=202, text="accepted")

    async def ping(request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPPermanentRedirect("/hub")

    async def other(request: web.Request) -> web.Response:
        raise web.HTTPSeeOther("/hub")

    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=400, text="bad topic")

    async def huge(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 5000)

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(status=202)

    async def away(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("http://10.1.2.3/hub")

    app = web.Application()
    app.router.add_post("/hub", hub)
    app.router.add_post("/ping", ping)
    app.router.add_post("/moved", moved)
    app.router.add_post("/other", other)
    app.router.add_post("/refuse", refuse)
    app.router.add_post("/huge", huge)
    app.router.add_post("/slow", slow)
    app.router.add_post("/away", away)
    return app


async def test_a_form_is_posted_and_any_2xx_is_its_status(
    serve: ServeApp, make_client: MakeClient
) -> None:
    seen: list[dict[str, str]] = []
    served = await serve(hub_app(seen))
    client = await make_client()
    result = await client.post_form(served.url("/hub"), FORM)
    assert (result.status, result.body) == (202, b"accepted")
    assert seen == [{**FORM, "content-type": "application/x-www-form-urlencoded"}]
    assert served.requests[0]["User-Agent"] == UA
    pinged = await client.post_form(served.url("/ping"), {"hub.mode": "publish"})
    assert (pinged.status, pinged.body) == (204, b"")  # no body at all


async def test_a_307_or_308_posts_again_other_redirects_are_refused(
    serve: ServeApp, make_client: MakeClient
) -> None:
    seen: list[dict[str, str]] = []
    served = await serve(hub_app(seen))
    client = await make_client()
    result = await client.post_form(served.url("/moved"), FORM)
    assert result.status == 202 and result.redirects == ((308, served.url("/hub")),)
    assert len(seen) == 1
    with pytest.raises(FetchError, match="303 redirect") as caught:
        await client.post_form(served.url("/other"), FORM)
    assert caught.value.kind == "redirects"
    assert len(seen) == 1


async def test_errors_limits_and_the_guard(serve: ServeApp, make_client: MakeClient) -> None:
    served = await serve(hub_app([]))
    client = await make_client(max_bytes=1000, total_timeout=0.5)
    with pytest.raises(HTTPStatusError) as status:
        await client.post_form(served.url("/refuse"), FORM)
    assert status.value.status == 400
    with pytest.raises(TooLargeError):
        await client.post_form(served.url("/huge"), FORM)
    with pytest.raises(FetchTimeoutError):
        await client.post_form(served.url("/slow"), FORM)
    with pytest.raises(BlockedAddressError):
        await client.post_form(served.url("/away"), FORM)  # a redirect to a private address


async def test_loopback_is_refused_unless_allowed(serve: ServeApp, make_client: MakeClient) -> None:
    seen: list[dict[str, str]] = []
    served = await serve(hub_app(seen))
    client = await make_client(policy=AddressPolicy())
    with pytest.raises(BlockedAddressError):
        await client.post_form(served.url("/hub"), FORM)
    assert seen == []
