"""The site's address behind a reverse proxy: TIDINGS_BASE_URL for every absolute URL, and the
forwarded headers believed from trusted proxies only; the same-origin check follows both."""

from __future__ import annotations

import json
import os
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from ipaddress import ip_network
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from tests.conftest import Clock
from tests.web.helpers import add_items, form_token
from tests.web.test_browser import site
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.types import ParsedItem
from tidings.web.app import create_app
from tidings.web.proxy import ForwardedHeaders

BASE = "https://news.example.org"


@pytest.fixture
def aggregator(settings: Settings, clock: Clock) -> Iterator[Aggregator]:
    agg = make_aggregator(settings, clock=clock)
    add_items(agg, clock.now, ParsedItem(guid="1", title="Harbour news", link="https://e.org/1"))
    yield agg
    agg.close()


def client_for(
    agg: Aggregator,
    *,
    base_url: str = "",
    peer: str = "127.0.0.1",
    trusted: str = "",
    address: str = "http://127.0.0.1:8000",
) -> TestClient:
    """A client of the app as ``peer`` sees it at ``address``."""
    settings = replace(agg.settings, base_url=base_url)
    if trusted:
        settings = replace(settings, trusted_proxies=(ip_network(trusted),))
    agg.settings = settings
    return TestClient(create_app(agg), base_url=address, client=(peer, 40000))


def absolute_links(client: TestClient, headers: dict[str, str] | None = None) -> list[str]:
    """Every absolute URL of the site that the outputs and pages write."""

    def get(path: str) -> httpx.Response:
        response: httpx.Response = client.get(path, headers=headers)
        return response

    rss, atom = get("/rss.xml").text, get("/atom.xml").text
    feed = json.loads(get("/feed.json").text)
    embed = get("/embed/latest").text
    embed_json = json.loads(get("/embed/latest.json").text)
    page = get("/sources/1").text
    links = [
        *re.findall(r'<atom:link rel="self" href="([^"]+)"', rss),
        *re.findall(r"<channel><title>[^<]*</title><link>([^<]+)</link>", rss),
        *re.findall(r"<feed[^>]*><id>([^<]+)</id>", atom),
        *re.findall(r'<link rel="self" type="application/atom\+xml" href="([^"]+)"', atom),
        *re.findall(r'<link rel="alternate" type="text/html" href="([^"]+)" /><author>', atom),
        feed["feed_url"],
        feed["home_page_url"],
        *re.findall(r'<a href="([^"]+)" target="_blank"', embed)[:1],
        embed_json["url"],
        *re.findall(r'<link rel="(?:canonical|alternate)"[^>]* href="([^"]+)"', page),
    ]
    assert len(links) >= 10, links
    return links


def test_the_base_url_is_in_every_absolute_url(aggregator: Aggregator) -> None:
    with client_for(aggregator, base_url=BASE) as client:
        links = absolute_links(client)
        hostile = absolute_links(
            client, {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
        )
        opml = client.get("/opml.xml").text
    for link in [*links, *hostile]:
        assert "127.0.0.1" not in link and "evil.example" not in link, link
    assert all(link.startswith(f"{BASE}/") for link in links), links
    assert f'<link rel="canonical" href="{BASE}/sources/1">' in client.get("/sources/1").text
    paged = client.get("/", params={"page": "1", "utm": "https://evil.example/"}).text
    assert f'<link rel="canonical" href="{BASE}/?page=1">' in paged and "evil" not in paged
    assert "127.0.0.1" not in opml


def test_the_sample_feeds_are_published_at_the_sites_address(aggregator: Aggregator) -> None:
    with client_for(aggregator, base_url=BASE) as client:
        client.portal.call(aggregator.subscribe_samples)  # type: ignore[union-attr]
        opml = client.get("/opml.xml").text
        rss = client.get("/rss.xml").text
    assert f'xmlUrl="{BASE}/samples/tidings-news.xml"' in opml
    assert "samples.tidings.invalid" not in opml and "samples.tidings.invalid" not in rss


def test_forwarded_headers_of_a_trusted_proxy_are_believed(aggregator: Aggregator) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "proxy.example"}
    with client_for(aggregator, peer="127.0.0.1") as client:
        links = absolute_links(client, forwarded)
    assert all("https://proxy.example/" in link for link in links), links


def test_forwarded_headers_of_anyone_else_are_ignored(aggregator: Aggregator) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    with client_for(aggregator, peer="203.0.113.9") as client:
        links = absolute_links(client, forwarded)
    assert all("http://127.0.0.1:8000/" in link for link in links), links
    # a proxy on another machine is trusted when listed, and loopback then is not
    with client_for(aggregator, peer="10.1.2.3", trusted="10.1.2.0/24") as client:
        links = absolute_links(client, {**forwarded, "X-Forwarded-Host": "proxy.example"})
    assert all("https://proxy.example/" in link for link in links), links
    with client_for(aggregator, peer="127.0.0.1", trusted="10.1.2.0/24") as client:
        links = absolute_links(client, forwarded)
    assert all("http://127.0.0.1:8000/" in link for link in links), links


def sign_in_from(client: TestClient, agg: Aggregator, origin: str, **headers: str) -> int:
    if agg.accounts.password_hash("ada") is None:
        agg.add_user("ada", "correct horse battery", role="admin")
    token = form_token(client.get("/signin", headers=headers).text)
    response = client.post(
        "/signin",
        data={"csrf_token": token, "name": "ada", "password": "correct horse battery"},
        headers={"Origin": origin, **headers},
        follow_redirects=False,
    )
    return int(response.status_code)


def test_same_origin_checks_follow_the_sites_address(aggregator: Aggregator) -> None:
    # the browser speaks https to the proxy, which speaks http to tidings: the test client
    # speaks https so that its cookie jar sends the Secure cookies back, as the browser does
    direct = "https://127.0.0.1:8000"
    with client_for(aggregator, base_url=BASE, address=direct) as client:
        assert sign_in_from(client, aggregator, BASE) == 303
        assert sign_in_from(client, aggregator, direct) == 403
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "proxy.example"}
    with client_for(aggregator, peer="127.0.0.1", address=direct) as client:
        assert sign_in_from(client, aggregator, "https://proxy.example", **forwarded) == 303
        assert sign_in_from(client, aggregator, "https://evil.example", **forwarded) == 403
    with client_for(aggregator, peer="203.0.113.9", address=direct) as client:
        assert sign_in_from(client, aggregator, "https://proxy.example", **forwarded) == 403


@pytest.mark.slow
def test_tidings_serve_judges_forwarded_headers_by_its_own_setting(tmp_path: Path) -> None:
    """The server process leaves the forwarded headers to TIDINGS_TRUSTED_PROXIES (uvicorn's
    own handling, which trusts loopback, is off)."""
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "proxy.example"}
    env = {"TIDINGS_SAMPLES": "false", "TIDINGS_TRUSTED_PROXIES": "192.0.2.1"}
    with site({**os.environ, "TIDINGS_DATA_DIR": str(tmp_path / "a"), **env}) as base:
        request = urllib.request.Request(base + "/rss.xml", headers=forwarded)
        with urllib.request.urlopen(request, timeout=5) as answer:
            rss = answer.read().decode()
    assert f'<atom:link rel="self" href="{base}/rss.xml"' in rss
    env = {"TIDINGS_SAMPLES": "false"}
    with site({**os.environ, "TIDINGS_DATA_DIR": str(tmp_path / "b"), **env}) as base:
        request = urllib.request.Request(base + "/rss.xml", headers=forwarded)
        with urllib.request.urlopen(request, timeout=5) as answer:
            rss = answer.read().decode()
    assert '<atom:link rel="self" href="https://proxy.example/rss.xml"' in rss


async def test_the_client_address_is_the_last_one_no_trusted_proxy_added() -> None:
    seen: list[object] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope["client"], scope["scheme"], dict(scope["headers"]).get(b"host")))

    middleware = ForwardedHeaders(app, trusted=(ip_network("10.0.0.0/8"),))

    async def call(peer: str, headers: dict[str, str]) -> object:
        scope = {
            "type": "http",
            "scheme": "http",
            "client": (peer, 5000),
            "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        }
        await middleware(scope, None, None)  # type: ignore[arg-type]
        return seen.pop()

    chain = {"x-forwarded-for": "198.51.100.7, 203.0.113.9, 10.0.0.2", "host": "app:8000"}
    assert await call("10.0.0.1", chain) == (("203.0.113.9", 0), "http", b"app:8000")
    assert await call("192.0.2.1", chain) == (("192.0.2.1", 5000), "http", b"app:8000")
    odd = {"x-forwarded-host": "evil.example/path", "x-forwarded-proto": "gopher", "host": "a"}
    assert await call("10.0.0.1", odd) == (("10.0.0.1", 5000), "http", b"a")
