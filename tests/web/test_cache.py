"""The visitors' page cache: what it keeps, for how long, and what always passes through."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items, sign_in
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.types import ParsedItem
from tidings.web.app import create_app
from tidings.web.cache import MAX_ENTRIES, PageCache

# slow together (about 5 s here): the cache filled to its bound
pytestmark = pytest.mark.slow


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks(monkeypatch: pytest.MonkeyPatch) -> Ticks:
    ticks = Ticks()
    original = PageCache.__init__

    def init(self: PageCache, app: object, seconds: float, **kwargs: object) -> None:
        original(self, app, seconds, clock=ticks, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PageCache, "__init__", init)
    return ticks


@pytest.fixture
def web_settings(settings: Settings, ticks: Ticks) -> Settings:
    """A five-second cache, on the hand-moved ticks (patched in before the app is built)."""
    return replace(settings, page_cache_seconds=5)


def story(agg: Aggregator, clock: Clock, n: int) -> None:
    add_items(
        agg,
        clock.now,
        ParsedItem(guid=str(n), title=f"Story {n}", published=clock.now - timedelta(hours=n)),
        url=f"https://news.example/{n}.xml",
        title=f"News {n}",
    )


def test_a_visitor_sees_new_items_once_the_entry_expires(
    site: tuple[Aggregator, TestClient], clock: Clock, ticks: Ticks
) -> None:
    agg, client = site
    story(agg, clock, 1)
    first = client.get("/")
    assert "Story 1" in first.text and "set-cookie" not in first.headers
    story(agg, clock, 2)
    again = client.get("/")
    assert again.text == first.text  # from the cache
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    ticks.now += 5.1
    assert "Story 2" in client.get("/").text


def test_a_subscription_or_update_of_this_process_empties_the_cache(
    site: tuple[Aggregator, TestClient], ticks: Ticks
) -> None:
    """The first page after the first start: kept empty while the sample feeds were read, it
    must fill in as soon as they are stored, not when its entry expires."""
    agg, client = site
    empty = client.get("/")
    assert "No items yet" in empty.text and "tidings add" not in empty.text
    assert client.get("/").text == empty.text  # kept
    client.portal.call(agg.subscribe_samples)  # type: ignore[union-attr]
    assert "tidings 0.1: subscribe, fetch, read" in client.get("/").text  # no tick has passed
    for f in agg.feeds():
        agg.remove_items(f.id)  # not through the app: its pages stay as they were
    assert "tidings 0.1" in client.get("/").text
    ticks.now += 5.1
    assert "No items yet" in client.get("/").text
    results = client.portal.call(agg.update, [f.id for f in agg.feeds()])  # type: ignore[union-attr]
    assert sum(r.new for r in results) > 0
    assert "tidings 0.1: subscribe, fetch, read" in client.get("/").text  # no tick has passed


def test_each_address_and_query_is_its_own_entry(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    story(agg, clock, 1)
    client.get("/rss.xml")
    other = client.get("/rss.xml", headers={"host": "news.example"})
    assert "http://news.example/" in other.text and "testserver" not in other.text
    assert client.get("/?page=2").text != client.get("/").text


def test_signed_in_users_and_conditional_requests_pass_through(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    story(agg, clock, 1)
    client.get("/")
    token = sign_in(client, agg)
    story(agg, clock, 2)
    assert "Story 2" in client.get("/").text  # signed in: never from the cache
    client.post("/signout", data={"csrf_token": token})
    assert "Story 2" in client.get("/").text  # the POST emptied the cache
    etag = client.get("/rss.xml").headers["etag"]
    assert client.get("/rss.xml", headers={"if-none-match": etag}).status_code == 304


def test_errors_and_cookies_are_never_kept(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    assert client.get("/sources/1").status_code == 404
    story(agg, clock, 1)
    assert client.get("/sources/1").status_code == 200
    signin = client.get("/signin")
    assert "tidings_csrf" in signin.headers["set-cookie"]  # the sign-in form's token


def test_head_answers_from_the_same_entry(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    story(agg, clock, 1)
    get = client.get("/")
    head = client.head("/")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]


def test_the_cache_has_a_bound(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    for n in range(MAX_ENTRIES + 20):
        client.get(f"/?page={n % 3 + 1}&x={n}")
    cache = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(cache, PageCache):
        cache = cache.app
    assert len(cache.entries) == MAX_ENTRIES


def test_zero_seconds_turns_it_off(settings: Settings, clock: Clock) -> None:
    agg = make_aggregator(replace(settings, page_cache_seconds=0), clock=clock)
    with TestClient(create_app(agg)) as client:
        story(agg, clock, 1)
        client.get("/")
        story(agg, clock, 2)
        assert "Story 2" in client.get("/").text
    agg.close()
