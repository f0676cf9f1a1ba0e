"""SSRF (N01-N13): private targets in every spelling, through every entry point, refused before
any connection.

Two nets make sure nothing here ever reaches a non-loopback address even if a guard were broken:
``dials`` records every socket connect of the event loop and refuses any non-loopback one, and
names other than ``localhost`` go through a resolver test double. Loopback targets are canary
listeners that count connections (O-NOCONN).
"""

from __future__ import annotations

import asyncio
import socket
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from starlette.testclient import TestClient
from yarl import URL

from tests.conftest import Clock
from tests.fetch.conftest import MakeClient, ServeApp, StubResolver
from tests.hostile.conftest import Canary
from tests.web.helpers import sign_in
from tidings.config import Settings
from tidings.core import make_aggregator
from tidings.errors import BlockedAddressError, FetchError, TidingsError
from tidings.fetch import AddressPolicy
from tidings.fetch.client import FetchClient
from tidings.fetch.guard import literal_ip
from tidings.fetch.resolver import GuardedResolver
from tidings.web.app import create_app

# --- the address classes, every spelling ---------------------------------------------------------

# N01, N02, N05, N06: loopback and "this host" spellings; {port} is a canary's port
LOOPBACK_URLS = {
    "N01-127.0.0.1": "http://127.0.0.1:{port}/",
    "N01-127.0.0.2": "http://127.0.0.2:{port}/",
    "N01-localhost": "http://localhost:{port}/",
    "N01-localhost-dot": "http://localhost.:{port}/",
    "N01-LOCALHOST": "http://LOCALHOST:{port}/",
    "N02-0.0.0.0": "http://0.0.0.0:{port}/",
    "N02-zero": "http://0:{port}/",
    "N05-decimal": "http://2130706433:{port}/",
    "N05-hex": "http://0x7f000001:{port}/",
    "N05-hex-dotted": "http://0x7f.1:{port}/",
    "N05-octal": "http://0177.0.0.1:{port}/",
    "N05-octal-padded": "http://0177.0.0.01:{port}/",
    "N05-short-127.1": "http://127.1:{port}/",
    "N05-short-127.0.1": "http://127.0.1:{port}/",
    "N05-trailing-dot": "http://127.0.0.1.:{port}/",
    "N06-mapped": "http://[::ffff:127.0.0.1]:{port}/",
    "N06-mapped-hex": "http://[::ffff:7f00:1]:{port}/",
    "N11-fragment-at": "http://evil.example#@127.0.0.1:{port}/",
    "N11-userinfo": "http://evil.example:80@127.0.0.1:{port}/",
    "N11-encoded-slash": "http://evil.example%2f@127.0.0.1:{port}/",
}
LOOPBACK6_URLS = {
    "N02-[::1]": "http://[::1]:{port}/",
    "N02-[::]": "http://[::]:{port}/",
    "N06-[0:0:0:0:0:0:0:1]": "http://[0:0:0:0:0:0:0:1]:{port}/",
}
# N03, N04, N06: non-loopback private, reserved and metadata addresses: judged, never dialled
PRIVATE_IPS = {
    "N03-metadata": "169.254.169.254",
    "N03-metadata-v6": "fd00:ec2::254",
    "N04-10": "10.0.0.1",
    "N04-172.16": "172.16.0.1",
    "N04-172.31": "172.31.255.255",
    "N04-192.168": "192.168.1.1",
    "N04-cgnat": "100.64.0.1",
    "N04-ula": "fc00::1",
    "N04-link-local-v6": "fe80::1%eth0",
    "N04-multicast": "224.0.0.1",
    "N04-broadcast": "255.255.255.255",
    "N04-reserved": "240.0.0.1",
    "N04-benchmark": "198.18.0.1",
    "N06-mapped-metadata": "::ffff:169.254.169.254",
    "N06-nat64-loopback": "64:ff9b::7f00:1",
    "N06-6to4-private": "2002:0a00:0001::1",
    "N06-compat": "::10.0.0.1",
}
PRIVATE_SPELLINGS = {
    "N05-metadata-decimal": ("2852039166", "169.254.169.254"),
    "N05-metadata-hex": ("0xa9fea9fe", "169.254.169.254"),
    "N05-metadata-octal": ("0251.0376.0251.0376", "169.254.169.254"),
    "N05-10-short": ("10.1", "10.0.0.1"),
    "N05-192.168-short": ("192.168.257", "192.168.1.1"),
    "N05-mixed-radix": ("0xa.0.0.01", "10.0.0.1"),
}
SCHEMES = {
    "N10-file": "file:///etc/passwd",
    "N10-bare-path": "/etc/passwd",
    "N10-relative": "etc/passwd",
    "N10-ftp": "ftp://x/",
    "N10-gopher": "gopher://127.0.0.1:6379/_PING",
    "N10-dict": "dict://127.0.0.1:11211/stats",
    "N10-data": "data:application/rss+xml,<rss/>",
    "N10-javascript": "javascript:alert(1)",
    "N10-ws": "ws://127.0.0.1/",
    "N10-no-host": "http:///etc/passwd",
}


# --- the dial net -----------------------------------------------------------------------------


@pytest.fixture
def dials(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address the event loop connects to; a non-loopback one is refused right there."""
    seen: list[str] = []
    original = asyncio.selector_events.BaseSelectorEventLoop.sock_connect

    async def sock_connect(self: Any, sock: socket.socket, address: Any) -> None:
        host = str(address[0]).split("%")[0]
        seen.append(host)
        if not ip_address(host).is_loopback:
            raise ConnectionRefusedError(f"test net: refused to dial {host}")
        return await original(self, sock, address)

    monkeypatch.setattr(asyncio.selector_events.BaseSelectorEventLoop, "sock_connect", sock_connect)
    return seen


# the names of these tests; any other name is unknown
NAMES = StubResolver(
    {
        "localhost": ["127.0.0.1", "::1"],
        "localhost.": ["127.0.0.1"],
        "evil.example": ["93.184.216.34"],
        "inward.test": ["127.0.0.1"],
    }
)


async def guarded(make_client: MakeClient, **kwargs: Any) -> FetchClient:
    kwargs.setdefault("policy", AddressPolicy())
    return await make_client(**kwargs)


# --- every spelling, at the client --------------------------------------------------------------


@pytest.mark.parametrize("case", list(LOOPBACK_URLS))
async def test_loopback_spellings_refused_without_connecting(
    case: str, tripwire: Canary, make_client: MakeClient, dials: list[str]
) -> None:
    client = await guarded(make_client, resolver=NAMES)
    with pytest.raises(FetchError) as info:
        await client.fetch(LOOPBACK_URLS[case].format(port=tripwire.port))
    assert tripwire.connections == 0
    assert not any(ip_address(d).is_loopback for d in dials), dials
    if not case.startswith("N11"):
        assert isinstance(info.value, BlockedAddressError)
        assert "not allowed" in str(info.value)


@pytest.mark.parametrize("case", list(LOOPBACK6_URLS))
async def test_ipv6_loopback_refused_without_connecting(
    case: str, tripwire6: Canary, make_client: MakeClient, dials: list[str]
) -> None:
    client = await guarded(make_client)
    with pytest.raises(BlockedAddressError):
        await client.fetch(LOOPBACK6_URLS[case].format(port=tripwire6.port))
    assert tripwire6.connections == 0
    assert dials == []


@pytest.mark.parametrize("case", list(PRIVATE_IPS))
def test_private_addresses_refused_by_the_policy(case: str) -> None:
    with pytest.raises(BlockedAddressError, match="not allowed"):
        AddressPolicy().check(PRIVATE_IPS[case], 80)


@pytest.mark.parametrize("case", list(PRIVATE_IPS))
async def test_private_literal_urls_refused_before_dialling(
    case: str, make_client: MakeClient, dials: list[str]
) -> None:
    ip = PRIVATE_IPS[case]
    host = f"[{ip.replace('%', '%25')}]" if ":" in ip else ip
    client = await guarded(make_client)
    with pytest.raises(BlockedAddressError):
        await client.fetch(f"http://{host}/latest/meta-data/")
    assert dials == []


@pytest.mark.parametrize("case", list(PRIVATE_SPELLINGS))
async def test_private_spellings_are_judged_as_what_is_dialled(
    case: str, make_client: MakeClient, dials: list[str]
) -> None:
    spelling, meant = PRIVATE_SPELLINGS[case]
    assert str(literal_ip(spelling)) == meant
    client = await guarded(make_client)
    with pytest.raises(BlockedAddressError):
        await client.fetch(f"http://{spelling}/")
    assert dials == []


@pytest.mark.parametrize("case", list(SCHEMES))
async def test_unsupported_schemes_refused(case: str, make_client: MakeClient) -> None:
    client = await guarded(make_client)
    with pytest.raises(FetchError, match=r"scheme|host") as info:
        await client.fetch(SCHEMES[case])
    assert info.value.kind == "bad_url"


# --- names: the resolver double -------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "records"),
    [
        ("N07-name-to-loopback", ["127.0.0.1"]),
        ("N07-name-to-metadata", ["169.254.169.254"]),
        ("N07-name-to-mapped", ["::ffff:10.0.0.1"]),
        ("N07-name-to-private-v6", ["fd00::1", "fe80::1"]),
        ("N03-metadata-google", ["169.254.169.254"]),
    ],
)
async def test_names_resolving_inward_are_refused(
    case: str, records: list[str], make_client: MakeClient, dials: list[str], tripwire: Canary
) -> None:
    stub = StubResolver({"evil.test": records})
    client = await guarded(make_client, resolver=stub)
    with pytest.raises(BlockedAddressError, match="resolves only to refused"):
        await client.fetch(f"http://evil.test:{tripwire.port}/")
    assert stub.asked == ["evil.test"]
    assert dials == [] and tripwire.connections == 0


async def test_mixed_records_dial_only_the_public_one(
    make_client: MakeClient, dials: list[str], tripwire: Canary
) -> None:
    """N07: a name with a public and a loopback record: the loopback one is never dialled
    (the public one is stopped by the test net, so nothing leaves the machine)."""
    stub = StubResolver({"evil.test": ["93.184.216.34", "127.0.0.1"]})
    client = await guarded(make_client, resolver=stub)
    with pytest.raises(FetchError):
        await client.fetch(f"http://evil.test:{tripwire.port}/")
    assert dials == ["93.184.216.34"]
    assert tripwire.connections == 0


class Rebinding(StubResolver):
    """Public on the first lookup, loopback afterwards (a DNS rebinding server)."""

    def __init__(self) -> None:
        super().__init__({})
        self.calls = 0

    async def resolve(self, host: str, port: int = 0, family: Any = socket.AF_INET) -> Any:
        self.calls += 1
        self.table = {host: ["93.184.216.34"] if self.calls == 1 else ["127.0.0.1"]}
        return await super().resolve(host, port, family)


async def test_dns_rebinding_is_judged_at_every_lookup(
    make_client: MakeClient, dials: list[str], tripwire: Canary
) -> None:
    stub = Rebinding()
    client = await guarded(make_client, resolver=stub)
    with pytest.raises(FetchError):
        await client.fetch(f"http://rebind.test:{tripwire.port}/a")
    # the pooled client may reuse its cached public answer; a new one asks again and refuses
    with pytest.raises(FetchError):
        await client.fetch(f"http://rebind.test:{tripwire.port}/b")
    fresh = await guarded(make_client, resolver=stub)
    with pytest.raises(BlockedAddressError):
        await fresh.fetch(f"http://rebind.test:{tripwire.port}/c")
    assert "127.0.0.1" not in dials
    assert tripwire.connections == 0


async def test_guarded_resolver_never_returns_a_refused_address() -> None:
    """The resolver step alone: whatever the inner resolver says, only public records pass."""
    every = [*PRIVATE_IPS.values(), "127.0.0.1", "::1", "93.184.216.34"]
    resolver = GuardedResolver(AddressPolicy(), StubResolver({"x.test": every}))
    kept = await resolver.resolve("x.test", 80)
    assert [r["host"] for r in kept] == ["93.184.216.34"]


# --- redirects --------------------------------------------------------------------------------

REDIRECT_TARGETS = {
    "N09-302-loopback": (302, "http://127.0.0.1:{port}/"),
    "N09-307-localhost": (307, "http://localhost:{port}/"),
    "N09-301-metadata": (301, "http://169.254.169.254/latest/meta-data/"),
    "N09-308-decimal": (308, "http://2130706433:{port}/"),
    "N09-303-mapped": (303, "http://[::ffff:127.0.0.1]:{port}/"),
    "N09-302-v6-loopback": (302, "http://[::1]:{port}/"),
    "N09-302-private": (302, "http://10.0.0.1/"),
    "N09-302-name-inward": (302, "http://inward.test:{port}/"),
    "N10-redirect-file": (302, "file:///etc/passwd"),
    "N10-redirect-gopher": (302, "gopher://127.0.0.1:{port}/_x"),
    "N10-redirect-scheme-relative": (302, "//127.0.0.1:{port}/"),
}


@pytest.mark.parametrize("case", list(REDIRECT_TARGETS))
async def test_redirects_inward_refused_at_that_hop(
    case: str, serve: ServeApp, make_client: MakeClient, tripwire: Canary, dials: list[str]
) -> None:
    status, target = REDIRECT_TARGETS[case]

    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": target.format(port=tripwire.port)})

    app = web.Application()
    app.router.add_get("/feed", redirect)
    public = await serve(app)  # stands for a public server: only its own origin is allowed
    client = await guarded(
        make_client,
        policy=AddressPolicy(allowed_origins=[public.origin]),
        resolver=NAMES,
    )
    with pytest.raises(FetchError) as info:
        await client.fetch(public.url("/feed"))
    assert isinstance(info.value, BlockedAddressError) or info.value.kind == "bad_url"
    assert tripwire.connections == 0
    assert set(dials) <= {"127.0.0.1"} and len(dials) == 1, dials  # the public server only


# --- every entry point ------------------------------------------------------------------------


@pytest.fixture
def strict_settings(tmp_path: Path) -> Settings:
    """Nothing private allowed: the loopback test servers are allowed one origin at a time."""
    return Settings.load(
        {
            "TIDINGS_DATA_DIR": str(tmp_path / "data"),
            "TIDINGS_READ_TIMEOUT": "2",
            "TIDINGS_TOTAL_TIMEOUT": "5",
            "TIDINGS_SAMPLES": "false",
        }
    )


ENTRY_TARGETS = ["N01-127.0.0.1", "N05-decimal", "N05-short-127.1", "N06-mapped", "N02-zero"]


@pytest.mark.parametrize("case", ENTRY_TARGETS)
async def test_subscribe_refuses_private_and_stores_nothing(
    case: str, strict_settings: Settings, clock: Clock, tripwire: Canary
) -> None:
    """N01-N06 through ``add_feed`` (the CLI and the admin form): refused, nothing stored."""
    agg = make_aggregator(strict_settings, clock=clock)
    try:
        async with agg:
            with pytest.raises(BlockedAddressError, match="private/loopback address not allowed"):
                await agg.add_feed(LOOPBACK_URLS[case].format(port=tripwire.port))
        assert agg.feeds() == []
    finally:
        agg.close()
    assert tripwire.connections == 0


@pytest.mark.parametrize("where", ["feed-link", "discovery-link", "opml-url"])
async def test_every_fetch_path_is_guarded(
    where: str, serve: ServeApp, strict_settings: Settings, clock: Clock, tripwire: Canary
) -> None:
    """N13: discovery from a page, OPML by URL, a feed's hub and self links: no connection."""
    inward = tripwire.url("/")
    page = (
        f'<html><head><link rel="alternate" type="application/rss+xml" href="{inward}">'
        f'<link rel="icon" href="{inward}i.ico"></head><body>hi</body></html>'
    )
    feed = (
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>'
        f'<atom:link rel="hub" href="{inward}"/><atom:link rel="self" href="{inward}"/>'
        "<item><guid>1</guid><title>i</title></item></channel></rss>"
    )

    async def html_page(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    async def rss(request: web.Request) -> web.Response:
        return web.Response(text=feed, content_type="application/rss+xml")

    app = web.Application()  # the page's server has no feed at the usual paths to fall back on
    if where == "discovery-link":
        app.router.add_get("/page", html_page)
    else:
        app.router.add_get("/feed", rss)
    public = await serve(app)
    agg = make_aggregator(strict_settings, clock=clock, allowed_origins=[public.origin])
    try:
        async with agg:
            if where == "feed-link":
                added = await agg.add_feed(public.url("/feed"))
                assert added.url == public.url("/feed")  # the self link is not adopted
                await agg.update(all_feeds=True)
            elif where == "discovery-link":
                with pytest.raises(TidingsError):
                    await agg.add_feed(public.url("/page"))
                assert agg.feeds() == []
            else:
                with pytest.raises(BlockedAddressError):
                    await agg.fetch_bytes(inward + "x.opml")
    finally:
        agg.close()
    assert tripwire.connections == 0


async def test_imported_private_feed_is_refused_at_update(
    strict_settings: Settings, clock: Clock, tripwire: Canary
) -> None:
    """An OPML outline with a private xmlUrl is a subscription like any other, and its fetch is
    refused by the guard with a readable reason (and no connection)."""
    opml = (
        '<opml version="2.0"><body>'
        f'<outline text="x" xmlUrl="{tripwire.url("/feed")}"/>'
        f'<outline text="y" xmlUrl="http://2130706433:{tripwire.port}/"/>'
        '<outline text="z" xmlUrl="javascript:alert(1)"/>'
        "</body></opml>"
    ).encode()
    agg = make_aggregator(strict_settings, clock=clock)
    try:
        report = agg.import_opml(opml)
        assert len(report.added) == 2
        assert any("javascript" in s for s in report.skipped)
        async with agg:
            results = await agg.update(all_feeds=True)
        assert all(r.error_kind == "blocked" for r in results), results
        assert all("not allowed" in (f.last_error or "") for f in agg.feeds())
    finally:
        agg.close()
    assert tripwire.connections == 0


def test_admin_form_refuses_private_targets(
    strict_settings: Settings, clock: Clock, tripwire: Canary
) -> None:
    """The admin's add-feed and OPML-by-URL forms: a 400 with the reason, nothing stored."""
    agg = make_aggregator(strict_settings, clock=clock)
    try:
        with TestClient(create_app(agg)) as client:
            token = sign_in(client, agg)
            for url in (tripwire.url("/"), f"http://0x7f.1:{tripwire.port}/", "file:///etc/passwd"):
                response = client.post("/admin/feeds", data={"csrf_token": token, "url": url})
                assert response.status_code == 400, response.text
                assert "not allowed" in response.text or "scheme" in response.text
                response = client.post("/admin/opml", data={"csrf_token": token, "url": url})
                assert response.status_code == 400
        assert agg.feeds() == []
    finally:
        agg.close()
    assert tripwire.connections == 0


def test_url_parser_confusion_agrees_with_the_client() -> None:
    """N11: the host the guard judges is the host yarl (and so aiohttp) will dial."""
    for raw in LOOPBACK_URLS.values():
        url = URL(raw.format(port=1))
        if url.raw_host and literal_ip(url.raw_host) is not None:
            assert literal_ip(url.raw_host) is not None
    assert URL("http://evil.example#@127.0.0.1/").raw_host == "evil.example"
    assert URL("http://evil.example:80@127.0.0.1/").raw_host == "127.0.0.1"
