"""Full articles through whole updates, on SQLite and PostgreSQL: a feed served on loopback
whose items link to pages on the same server (a blog post, a paywall stub, a missing page, an
image, a hostile page) and to a private address the guard refuses; the article kept, or why not;
the host's cap held; transient failures retried a bounded number of times; two processes
working one queue fetch each page once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from tests.conftest import Clock
from tests.feedserver import FeedServer, RequestRecord, Route
from tests.pg import fresh_schema
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.errors import FetchTimeoutError, HTTPStatusError, TidingsError, TooLargeError
from tidings.parse.text import html_to_text
from tidings.types import Item
from tidings.update.articles import is_transient

PAGES = Path(__file__).parents[1] / "parse" / "fixtures" / "articles"
BLOG = (PAGES / "blog.html").read_bytes()
PAYWALL = (PAGES / "paywall.html").read_bytes()
HOSTILE = BLOG.replace(
    b"<p>The bridge, by the council",
    b"<p>A hostile paragraph <img src=x onerror=alert(1)> with "
    b'<a href="javascript:alert(1)">a link</a><script>alert(1)</script> inside it.</p>'
    b'<p onclick="alert(1)">Clicked <a href="JaVaScRiPt:alert(2)">twice</a>.</p>'
    b"<p>The bridge, by the council",
)
HTML = "text/html; charset=utf-8"


def rss(server: FeedServer, slugs: list[str], *, links: dict[str, str] | None = None) -> bytes:
    items = "".join(
        f"<item><title>Post {s}</title><guid>{s}</guid>"
        f"<link>{(links or {}).get(s, server.url('/posts/' + s))}</link>"
        f"<description>The feed's summary of {s}.</description></item>"
        for s in slugs
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Lowmarsh</title>'
        f"<link>{server.url('/')}</link><description>d</description>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def pages(server: FeedServer) -> FeedServer:
    server.routes.update(
        {
            "/posts/blog": Route(BLOG, content_type=HTML),
            "/posts/paywall": Route(PAYWALL, content_type=HTML),
            "/posts/hostile": Route(HOSTILE, content_type=HTML),
            "/posts/image": Route(b"\x89PNG\r\n\x1a\n", content_type="image/png"),
            "/posts/large": Route(BLOG + b"<!--" + b"x" * 300_000 + b"-->", content_type=HTML),
        }
    )
    return server


@pytest.fixture
def canary() -> Iterator[FeedServer]:
    """A second loopback server that nothing is allowed to reach."""
    srv = FeedServer().start()
    srv.routes["/secret"] = Route(BLOG, content_type=HTML)
    yield srv
    srv.stop()


def _settings(settings: Settings, **env: str) -> Settings:
    """The tests' settings without loopback allowed (only the page server's origin is, below),
    with ``env`` on top."""
    values = {
        "TIDINGS_DATA_DIR": str(settings.data_dir),
        "TIDINGS_READ_TIMEOUT": "2",
        "TIDINGS_TOTAL_TIMEOUT": "5",
        "TIDINGS_MAX_BODY_BYTES": "200000",
        **env,
    }
    return replace(Settings.load(values), database_url=settings.database_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    if request.param == "postgres":
        url = request.getfixturevalue("pg_database")
        fresh_schema(url)
        return replace(settings, database_url=url)
    return settings


@pytest.fixture
async def agg(db_settings: Settings, clock: Clock, pages: FeedServer) -> AsyncIterator[Aggregator]:
    aggregator = make_aggregator(
        _settings(db_settings), clock=clock, allowed_origins=[(pages.host, pages.port)]
    )
    async with aggregator:
        yield aggregator
    aggregator.close()


async def _subscribe_with_articles(agg: Aggregator, server: FeedServer, slugs: list[str]) -> int:
    """A feed subscribed with one old item, full articles turned on, then ``slugs`` arriving."""
    server.routes["/feed.xml"] = Route(rss(server, ["old"]), validators=False)
    feed = await agg.add_feed(server.url("/feed.xml"))
    agg.set_full_articles(feed.id, True)
    server.routes["/feed.xml"] = Route(rss(server, ["old", *slugs]), validators=False)
    (result,) = await agg.update([feed.id])
    assert result.ok and result.new == len(slugs), result
    return feed.id


def _by_guid(agg: Aggregator, feed_id: int) -> dict[str | None, Item]:
    return {i.guid: i for i in agg.items(feed_id=feed_id, limit=100, with_article=True)}


async def test_articles_kept_and_failures_recorded(agg: Aggregator, pages: FeedServer) -> None:
    fid = await _subscribe_with_articles(agg, pages, ["blog", "paywall", "missing", "image"])
    items = _by_guid(agg, fid)
    assert items["old"].article_status is None  # arrived before: not fetched
    assert {items[s].article_status for s in ("blog", "paywall", "missing", "image")} == {"pending"}
    run = await agg.fetch_articles()
    assert (run.claimed, run.done, run.failed, run.retried) == (4, 1, 3, 0)
    items = _by_guid(agg, fid)
    blog = items["blog"]
    assert blog.article_status == "done" and blog.article_html
    text = html_to_text(blog.article_html)
    assert "For ninety years the council of Lowmarsh" in text
    assert "booked the fitters" in text
    for other in ("Popular posts", "cheap boat insurance", "All rights reserved", "Newsletter"):
        assert other not in text
    assert f'href="{pages.url("/archive/ferry-minutes-1932.pdf")}"' in blog.article_html
    assert blog.summary_html == "The feed's summary of blog."  # the feed's own text stays
    assert items["paywall"].article_status == "failed"
    assert "no article on the page" in (items["paywall"].article_error or "")
    assert items["missing"].article_error == "HTTP 404 Not Found"
    assert "not a web page" in (items["image"].article_error or "")
    assert items["missing"].summary_html == "The feed's summary of missing."
    # what the server saw: one request per page, asking for HTML
    (blog_hit,) = pages.hits("/posts/blog")
    assert blog_hit.headers["accept"].startswith("text/html")
    assert "tidings" in blog_hit.headers["user-agent"].lower()
    assert (await agg.fetch_articles()).claimed == 0
    counts = agg.article_counts([fid])[fid]
    assert (counts.done, counts.failed, counts.pending) == (1, 3, 0)


async def test_a_private_address_is_refused_without_a_connection(
    agg: Aggregator, pages: FeedServer, canary: FeedServer
) -> None:
    links = {"inside": canary.url("/secret"), "hop": pages.url("/jump")}
    pages.routes["/jump"] = Route(status=302, headers={"Location": canary.url("/secret")})
    pages.routes["/feed.xml"] = Route(rss(pages, ["old"]), validators=False)
    feed = await agg.add_feed(pages.url("/feed.xml"))
    agg.set_full_articles(feed.id, True)
    pages.routes["/feed.xml"] = Route(
        rss(pages, ["old", "inside", "hop"], links=links), validators=False
    )
    await agg.update([feed.id])
    run = await agg.fetch_articles()
    assert (run.claimed, run.failed) == (2, 2)
    items = _by_guid(agg, feed.id)
    assert "private/loopback address not allowed" in (items["inside"].article_error or "")
    assert "redirect 1" in (items["hop"].article_error or "")
    assert canary.requests == []


async def test_hostile_markup_in_a_page_is_sanitized(agg: Aggregator, pages: FeedServer) -> None:
    fid = await _subscribe_with_articles(agg, pages, ["hostile"])
    await agg.fetch_articles()
    article = _by_guid(agg, fid)["hostile"].article_html or ""
    assert "hostile paragraph" in article and "ninety years" in article
    for bad in ("<script", "onerror", "onclick", "javascript:", "alert("):
        assert bad not in article.lower(), bad


async def test_a_page_over_the_body_cap_is_refused(agg: Aggregator, pages: FeedServer) -> None:
    fid = await _subscribe_with_articles(agg, pages, ["large"])
    await agg.fetch_articles()
    item = _by_guid(agg, fid)["large"]
    assert item.article_status == "failed"
    assert "over the 200000 bytes limit" in (item.article_error or "")


async def test_a_transient_failure_is_retried_a_bounded_number_of_times(
    agg: Aggregator, pages: FeedServer, clock: Clock
) -> None:
    answers = iter([503, 200, 503, 503, 503])

    def flaky(record: RequestRecord) -> Route:
        status = next(answers)
        return Route(BLOG if status == 200 else b"busy", status=status, content_type=HTML)

    pages.routes["/posts/flaky"] = flaky
    pages.routes["/posts/down"] = Route(b"down", status=503, content_type=HTML)
    fid = await _subscribe_with_articles(agg, pages, ["flaky", "down"])
    assert (await agg.fetch_articles()).retried == 2
    items = _by_guid(agg, fid)
    assert items["down"].article_status == "pending"
    assert "503" in (items["down"].article_error or "")
    assert (await agg.fetch_articles()).claimed == 0  # not before its time
    clock.now += timedelta(minutes=15)
    run = await agg.fetch_articles()
    assert (run.claimed, run.done, run.retried) == (2, 1, 1)  # flaky answered; down again
    clock.now += timedelta(minutes=30)
    run = await agg.fetch_articles()
    assert (run.claimed, run.failed) == (1, 1)
    down = _by_guid(agg, fid)["down"]
    assert down.article_status == "failed"
    assert "gave up after 3 attempts" in (down.article_error or "")
    assert len(pages.hits("/posts/down")) == 3
    clock.now += timedelta(days=1)
    assert (await agg.fetch_articles()).claimed == 0


async def test_the_hosts_cap_holds(db_settings: Settings, clock: Clock, pages: FeedServer) -> None:
    """Twelve slow pages on one host: never more than two requests to it at once."""
    slugs = [f"p{n}" for n in range(12)]
    for slug in slugs:
        pages.routes[f"/posts/{slug}"] = Route(BLOG, content_type=HTML, delay=0.1)
    aggregator = make_aggregator(
        _settings(db_settings, TIDINGS_PER_HOST_CONCURRENCY="2"),
        clock=clock,
        allowed_origins=[(pages.host, pages.port)],
    )
    async with aggregator:
        await _subscribe_with_articles(aggregator, pages, slugs)
        pages.max_active = 0
        run = await aggregator.fetch_articles(limit=20)
    aggregator.close()
    assert run.done == 12
    assert pages.max_active == 2  # the cap, reached and held, counted at the server


async def test_the_hosts_gap_holds(db_settings: Settings, clock: Clock, pages: FeedServer) -> None:
    """With a minimum gap set, the pages of one host start at least that far apart."""
    slugs = [f"g{n}" for n in range(4)]
    for slug in slugs:
        pages.routes[f"/posts/{slug}"] = Route(BLOG, content_type=HTML)
    aggregator = make_aggregator(
        _settings(db_settings, TIDINGS_HOST_MIN_GAP="0.2"),
        clock=clock,
        allowed_origins=[(pages.host, pages.port)],
    )
    async with aggregator:
        await _subscribe_with_articles(aggregator, pages, slugs)
        assert (await aggregator.fetch_articles()).done == 4
    aggregator.close()
    starts = sorted(r.at for r in pages.requests if r.path.startswith("/posts/g"))
    assert len(starts) == 4
    assert min(b - a for a, b in pairwise(starts)) >= 0.18


async def test_two_processes_on_one_queue_fetch_each_page_once(
    db_settings: Settings, clock: Clock, pages: FeedServer
) -> None:
    slugs = [f"q{n}" for n in range(16)]
    for slug in slugs:
        pages.routes[f"/posts/{slug}"] = Route(BLOG, content_type=HTML, delay=0.02)
    made = [
        make_aggregator(
            _settings(db_settings), clock=clock, allowed_origins=[(pages.host, pages.port)]
        )
        for _ in range(2)
    ]
    async with made[0], made[1]:
        fid = await _subscribe_with_articles(made[0], pages, slugs)
        runs = await asyncio.gather(*(a.fetch_articles(limit=5) for a in made * 3))
    for a in made:
        a.close()
    assert sum(r.claimed for r in runs) == sum(r.done for r in runs) == 16
    assert all(len(pages.hits(f"/posts/{s}")) == 1 for s in slugs)
    del fid


def test_what_is_worth_trying_again() -> None:
    assert is_transient(HTTPStatusError("HTTP 503", status=503))
    assert is_transient(HTTPStatusError("HTTP 429", status=429))
    assert is_transient(FetchTimeoutError("timed out"))
    assert is_transient(TidingsError("lost", kind="connection")) is False  # not a fetch error
    assert not is_transient(HTTPStatusError("HTTP 404", status=404))
    assert not is_transient(HTTPStatusError("HTTP 410", status=410))
    assert not is_transient(TooLargeError("too large"))
