"""Final statuses that carry no feed, as HTTPStatusError with the server's hints."""

from __future__ import annotations

import pytest
from aiohttp import web

from tidings.errors import HTTPStatusError

from .conftest import MakeClient, ServeApp


def status_app() -> web.Application:
    async def status(request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        headers = {}
        if "retry" in request.query:
            headers["Retry-After"] = request.query["retry"]
        if "date" in request.query:
            headers["Date"] = request.query["date"]
        return web.Response(status=code, headers=headers, text="internal secret page")

    app = web.Application()
    app.router.add_get("/status/{code}", status)
    return app


@pytest.mark.parametrize(
    ("code", "message", "permanent"),
    [
        (404, "HTTP 404 Not Found", False),
        (410, "HTTP 410 Gone", True),
        (500, "HTTP 500 Internal Server Error", False),
        (403, "HTTP 403 Forbidden", False),
        (300, "HTTP 300 Multiple Choices", False),
    ],
)
async def test_error_statuses(
    serve: ServeApp, make_client: MakeClient, code: int, message: str, permanent: bool
) -> None:
    server = await serve(status_app())
    client = await make_client()
    with pytest.raises(HTTPStatusError) as info:
        await client.fetch(server.url(f"/status/{code}"))
    error = info.value
    assert error.status == code
    assert str(error) == message
    assert error.permanent is permanent
    assert error.kind == "http"
    assert error.retry_after is None
    assert "secret" not in str(error)


async def test_429_with_retry_after_seconds(serve: ServeApp, make_client: MakeClient) -> None:
    server = await serve(status_app())
    client = await make_client()
    with pytest.raises(HTTPStatusError) as info:
        await client.fetch(server.url("/status/429?retry=120"))
    assert info.value.status == 429
    assert str(info.value) == "HTTP 429 Too Many Requests"
    assert info.value.retry_after == 120
    assert not info.value.permanent


async def test_503_with_retry_after_date_is_measured_from_the_server_date(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(status_app())
    client = await make_client()
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    retry = "Wed, 21 Oct 2015 07:58:00 GMT"
    with pytest.raises(HTTPStatusError) as info:
        await client.fetch(server.url(f"/status/503?retry={retry}&date={date}"))
    assert info.value.retry_after == 1800


async def test_retry_after_is_clamped_to_a_week(serve: ServeApp, make_client: MakeClient) -> None:
    server = await serve(status_app())
    client = await make_client()
    with pytest.raises(HTTPStatusError) as info:
        await client.fetch(server.url("/status/429?retry=99999999999999"))
    assert info.value.retry_after == 7 * 24 * 3600
