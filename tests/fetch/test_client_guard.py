"""The address guard inside the client: refused before any connection is made (O-NOCONN)."""

from __future__ import annotations

import pytest
from aiohttp import web

from tidings.errors import BlockedAddressError, FetchError
from tidings.fetch import AddressPolicy

from .conftest import MakeClient, RawServer, ServeApp, StubResolver

FEED = b"<rss version='2.0'><channel/></rss>"


def app_with_redirect() -> web.Application:
    async def feed(request: web.Request) -> web.Response:
        return web.Response(body=FEED)

    async def jump(request: web.Request) -> web.Response:
        return web.Response(
            status=int(request.query["status"]), headers={"Location": request.query["to"]}
        )

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/jump", jump)
    return app


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0x7f000001",
        "0x7f.1",
        "0177.0.0.1",
        "0177.0.0.01",
        "127.1",
        "127.0.1",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "localhost",
        "LOCALHOST",
    ],
)
async def test_loopback_in_any_spelling_is_refused_without_connecting(
    make_client: MakeClient, canary: RawServer, host: str
) -> None:
    client = await make_client(policy=AddressPolicy())
    with pytest.raises(BlockedAddressError) as info:
        await client.fetch(f"http://{host}:{canary.port}/feed.xml")
    assert "private/loopback address not allowed" in str(info.value)
    assert info.value.permanent
    assert canary.connections == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1]/",
        "http://[::]/",
        "http://0.0.0.0/",
        "http://0/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://[fc00::1]/",
        "http://[fe80::1%25eth0]/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::7f00:1]/",
        "https://10.0.0.1/",
        "http://evil.example%2f@127.0.0.1/",
    ],
)
async def test_private_literals_are_refused_before_dialling(
    make_client: MakeClient, url: str
) -> None:
    resolver = StubResolver({})
    client = await make_client(policy=AddressPolicy(), resolver=resolver)
    with pytest.raises(BlockedAddressError):
        await client.fetch(url)
    assert resolver.asked == []


async def test_a_name_resolving_to_a_private_address_is_refused(make_client: MakeClient) -> None:
    # DNS rebinding: a public-looking name whose answer is 10.0.0.1; nothing is dialled
    resolver = StubResolver({"rebind.test": ["10.0.0.1"]})
    client = await make_client(policy=AddressPolicy(), resolver=resolver)
    with pytest.raises(BlockedAddressError) as info:
        await client.fetch("http://rebind.test/feed.xml")
    assert "rebind.test" in str(info.value)
    assert "10.0.0.1" in str(info.value)
    assert resolver.asked == ["rebind.test"]


async def test_a_name_resolving_to_loopback_never_connects(
    make_client: MakeClient, canary: RawServer
) -> None:
    resolver = StubResolver(
        {"evil.test": ["127.0.0.1"], "metadata.google.internal": ["169.254.169.254"]}
    )
    client = await make_client(policy=AddressPolicy(), resolver=resolver)
    with pytest.raises(BlockedAddressError):
        await client.fetch(f"http://evil.test:{canary.port}/")
    with pytest.raises(BlockedAddressError):
        await client.fetch("http://metadata.google.internal/computeMetadata/v1/")
    assert canary.connections == 0


async def test_only_the_allowed_records_of_a_name_are_dialled(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(app_with_redirect())
    resolver = StubResolver({"mixed.test": ["10.0.0.1", "127.0.0.1", "192.168.0.1"]})
    client = await make_client(
        policy=AddressPolicy(allowed_origins=[server.origin]), resolver=resolver
    )
    result = await client.fetch(f"http://mixed.test:{server.port}/feed.xml")
    assert result.body == FEED
    assert server.requests[0]["Host"] == f"mixed.test:{server.port}"


async def test_a_dns_failure_is_reported_as_dns(make_client: MakeClient) -> None:
    client = await make_client(resolver=StubResolver({}))
    with pytest.raises(FetchError) as info:
        await client.fetch("http://unknown.test/feed.xml")
    assert info.value.kind == "dns"
    assert "DNS lookup failed" in str(info.value)
    assert info.value.__cause__ is not None


async def test_a_name_with_no_address_is_a_dns_failure(make_client: MakeClient) -> None:
    client = await make_client(resolver=StubResolver({"empty.test": []}))
    with pytest.raises(FetchError) as info:
        await client.fetch("http://empty.test/feed.xml")
    assert info.value.kind == "dns"


async def test_allowed_loopback_is_fetched(serve: ServeApp, make_client: MakeClient) -> None:
    server = await serve(app_with_redirect())
    client = await make_client()  # 127.0.0.0/8 allowed
    assert (await client.fetch(server.url("/feed.xml"))).body == FEED


async def test_allowed_origin_is_exact_about_the_port(
    serve: ServeApp, make_client: MakeClient, canary: RawServer
) -> None:
    server = await serve(app_with_redirect())
    client = await make_client(policy=AddressPolicy(allowed_origins=[server.origin]))
    assert (await client.fetch(server.url("/feed.xml"))).body == FEED
    with pytest.raises(BlockedAddressError):
        await client.fetch(canary.url())
    assert canary.connections == 0


@pytest.mark.parametrize(
    ("status", "target"),
    [
        (302, "http://127.0.0.1:{port}/"),
        (301, "http://0x7f.1:{port}/"),
        (307, "http://[::ffff:127.0.0.1]:{port}/"),
        (308, "http://localhost:{port}/"),
        (303, "http://2130706433:{port}/"),
    ],
)
async def test_a_redirect_from_an_allowed_origin_to_a_blocked_address_is_refused_at_that_hop(
    serve: ServeApp, make_client: MakeClient, canary: RawServer, status: int, target: str
) -> None:
    server = await serve(app_with_redirect())
    client = await make_client(policy=AddressPolicy(allowed_origins=[server.origin]))
    location = target.format(port=canary.port)
    with pytest.raises(BlockedAddressError) as info:
        await client.fetch(server.url(f"/jump?status={status}&to={location}"))
    assert "private/loopback address not allowed" in str(info.value)
    assert str(info.value).startswith("redirect 1 to ")
    assert len(server.requests) == 1
    assert canary.connections == 0


async def test_a_redirect_to_a_name_resolving_inward_is_refused(
    serve: ServeApp, make_client: MakeClient
) -> None:
    server = await serve(app_with_redirect())
    resolver = StubResolver({"inward.test": ["169.254.169.254"]})
    client = await make_client(
        policy=AddressPolicy(allowed_origins=[server.origin]), resolver=resolver
    )
    with pytest.raises(BlockedAddressError, match=r"169\.254\.169\.254"):
        await client.fetch(server.url("/jump?status=301&to=http://inward.test/latest/meta-data/"))
    assert resolver.asked == ["inward.test"]
