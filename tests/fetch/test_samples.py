"""The bundled sample feeds: answered from the package, never from the network, and only for
the URL asked for (a redirect to a sample URL is a network hop like any other)."""

from __future__ import annotations

import pytest
from aiohttp import web

from tests.fetch.conftest import MakeClient, ServeApp, StubResolver
from tidings.errors import FetchError
from tidings.fetch.samples import SAMPLES, WithSamples, fetch_sample, sample_path, sample_url
from tidings.types import FetchResult


def test_every_sample_is_answered_from_the_package_with_a_validator() -> None:
    for name, content_type in SAMPLES.items():
        result = fetch_sample(sample_url(name))
        assert result is not None and result.status == 200 and result.body
        assert result.headers["content-type"] == content_type
        again = fetch_sample(sample_url(name), etag=result.headers["etag"])
        assert again is not None and again.status == 304 and again.body == b""


def test_other_urls_are_the_networks_and_unknown_samples_are_errors() -> None:
    assert fetch_sample("http://127.0.0.1:8000/samples/tidings-news.xml") is None
    assert fetch_sample("https://samples.tidings.invalid/samples/tidings-news.xml") is None
    for url in (
        "http://samples.tidings.invalid/samples/../secret_key",
        "http://samples.tidings.invalid/samples/other.xml",
        "http://samples.tidings.invalid/",
    ):
        with pytest.raises(FetchError) as info:
            fetch_sample(url)
        assert info.value.permanent


def test_sample_paths_are_the_sites_own_pages() -> None:
    assert sample_path(sample_url("feed-formats.atom")) == "/samples/feed-formats.atom"
    assert sample_path("http://samples.tidings.invalid/") == "/"
    assert sample_path("http://samples.tidings.invalid/admin") is None
    assert sample_path("https://example.org/samples/feed-formats.atom") is None


class Refusing:
    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        user_agent: str | None = None,
    ) -> FetchResult:
        raise AssertionError(f"the network was asked for {url}")


async def test_with_samples_never_touches_the_network_for_a_sample() -> None:
    result = await WithSamples(Refusing()).fetch(sample_url("tidings-news.xml"))
    assert b"<rss" in result.body


async def test_a_redirect_to_a_sample_url_is_not_answered_from_the_package(
    serve: ServeApp, make_client: MakeClient
) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(sample_url("tidings-news.xml"))

    app = web.Application()
    app.router.add_get("/feed.xml", moved)
    server = await serve(app)
    client = await make_client(resolver=StubResolver({}))  # the name never resolves
    with pytest.raises(FetchError) as info:
        await WithSamples(client).fetch(server.url("/feed.xml"))
    assert info.value.kind == "dns"
