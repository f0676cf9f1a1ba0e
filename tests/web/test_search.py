"""The search page in-process: results, marks, escaping, hostile queries, paging, feed links."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.types import ParsedItem
from tidings.web.app import create_app


def harbour(agg: Aggregator, clock: Clock) -> int:
    return add_items(
        agg,
        clock.now,
        ParsedItem(
            guid="1",
            title="Ferry timetable",
            link="https://port.example/1",
            published=clock.now - timedelta(hours=3),
            summary_html="<p>The new <strong>ferry</strong> leaves at nine.</p>",
            author="Harbour master",
        ),
        ParsedItem(
            guid="2",
            title="<script>alert('ferry')</script>",
            link="javascript:alert(1)",
            published=clock.now - timedelta(days=2),
            summary_html="<p>&lt;img src=x onerror=alert(1)&gt; ferry &amp; co</p>",
        ),
        ParsedItem(guid="3", title="Weather", summary_html="<p>Rain all day.</p>"),
        url="https://port.example/feed",
        title="Harbour News",
    )


def results(html: str) -> list[str]:
    return re.findall(r'<li class="item">.*?</li>', html, re.S)


def test_empty_query_shows_the_form(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    harbour(agg, clock)
    for path in ("/search", "/search?q=", "/search?q=%20%20"):
        page = client.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert '<form class="search" action="/search" method="get" role="search">' in page.text
        assert results(page.text) == [] and "result" not in page.text.split("</form>")[1]
        # with no query, the page offers the site's own feeds
        assert 'href="http://testserver/rss.xml"' in page.text
        assert 'href="http://testserver/atom.xml"' in page.text


def test_results_with_marks_source_and_age(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    fid = harbour(agg, clock)
    page = client.get("/search?q=ferry")
    assert page.status_code == 200
    found = results(page.text)
    assert len(found) == 2 and "2 results" in page.text
    best = found[0]  # "ferry" in the title and the text
    link = '<a href="https://port.example/1" rel="noopener noreferrer">'
    assert link + "<mark>Ferry</mark> timetable</a>" in best
    assert '<p class="snippet">The new <mark>ferry</mark> leaves at nine.</p>' in best
    assert f'<a class="source" href="/sources/{fid}">Harbour News</a>' in best
    assert "3 hours ago</time>" in best and "Harbour master" in best
    assert 'value="ferry"' in page.text
    # the search's own feeds are offered in the head
    assert 'href="http://testserver/search/rss.xml?q=ferry"' in page.text
    assert 'href="http://testserver/search/atom.xml?q=ferry"' in page.text
    assert 'href="http://testserver/search/feed.json?q=ferry"' in page.text


def test_hostile_item_text_is_escaped(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    harbour(agg, clock)
    html = client.get("/search?q=ferry").text
    assert "<script>" not in html and "<img src=x" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(&#x27;<mark>ferry</mark>&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>ferry</mark> &amp; co" in html


@pytest.mark.parametrize(
    "q",
    [
        '"><script>alert(1)</script>',
        "ferry' OR 1=1 --",
        'NEAR(ferry rain) "unclosed',
        "title:ferry*^",
        "(((",
        "\x00\x01ferry",
        "日本 🚢 ферри",
        "x" * 10_000,
    ],
)
def test_hostile_queries_are_answered(
    site: tuple[Aggregator, TestClient], clock: Clock, q: str
) -> None:
    agg, client = site
    harbour(agg, clock)
    page = client.get("/search", params={"q": q})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert "Traceback" not in page.text
    assert len(page.text) < 20_000  # a 10 KB query is not echoed in full


def test_only_exclusions_or_punctuation_explain_themselves(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    harbour(agg, clock)
    page = client.get("/search?q=-ferry")
    assert page.status_code == 200 and "only excluded words" in page.text
    assert results(page.text) == []
    page = client.get("/search", params={"q": '*** ((( :: "'})
    assert "no letters or digits" in page.text
    assert "/search/rss.xml" not in page.text  # no feed for a search that finds nothing


def test_query_language_through_the_page(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    harbour(agg, clock)

    def titles(q: str) -> list[str]:
        html = client.get("/search", params={"q": q}).text
        return re.findall(r'class="item-title"[^>]*>(?:<a [^>]*>)?(.*?)(?:</a>)?</h2>', html)

    assert titles('"leaves at nine"') == ["Ferry timetable"]
    assert titles("ferry -timetable") == [
        "&lt;script&gt;alert(&#x27;<mark>ferry</mark>&#x27;)&lt;/script&gt;"
    ]
    assert set(titles("rain OR timetable")) == {"Ferry <mark>timetable</mark>", "Weather"}
    assert titles("nothing-like-this") == []
    assert "Nothing matches this search." in client.get("/search?q=zebra").text


def test_paging_keeps_the_query(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    add_items(
        agg,
        clock.now,
        *[
            ParsedItem(
                guid=str(n), title=f"Tram {n:02d}", published=clock.now - timedelta(minutes=n)
            )
            for n in range(35)
        ],
    )
    q = 'tram "tram" & co?'
    first = client.get("/search", params={"q": "tram"})
    assert len(results(first.text)) == 30 and "35 results" in first.text
    assert 'href="/search?q=tram&amp;page=2"' in first.text and "page=0" not in first.text
    second = client.get("/search?q=tram&page=2")
    assert len(results(second.text)) == 5
    assert 'href="/search?q=tram&amp;page=1"' in second.text and "page=3" not in second.text
    assert "no more results" in client.get("/search?q=tram&page=9").text
    # a query with characters that matter in a URL survives the round trip
    encoded = client.get("/search", params={"q": q}).text
    assert f"/search/rss.xml?q={quote(q, safe='/')}" in encoded.replace("&amp;", "&")


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999999999"])
def test_bad_page_is_a_400(site: tuple[Aggregator, TestClient], page: str) -> None:
    _, client = site
    response = client.get(f"/search?q=x&page={page}")
    assert response.status_code == 400 and "page must be a whole number" in response.text


def test_aggregator_search_and_count(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, _ = site
    harbour(agg, clock)
    hits = agg.search("ferry")
    assert [h.item.title for h in hits] == ["Ferry timetable", "<script>alert('ferry')</script>"]
    assert agg.search_count("ferry") == 2 and agg.search_count("-ferry") == 0
    assert agg.search("ferry", limit=1, offset=1)[0].item.guid == "2"
    newest = agg.search("ferry", newest_first=True)
    assert [h.item.guid for h in newest] == ["1", "2"]
    assert agg.search_problem("ferry") is None and agg.search_problem("-ferry")


@pytest.mark.postgres
def test_on_postgresql_search_works(settings: Settings, clock: Clock, pg_database: str) -> None:
    from dataclasses import replace

    from tests.pg import fresh_schema

    fresh_schema(pg_database)
    agg = make_aggregator(replace(settings, database_url=pg_database), clock=clock)
    harbour(agg, clock)
    with TestClient(create_app(agg)) as client:
        page = client.get("/search?q=ferry")
        assert page.status_code == 200
        found = results(page.text)
        assert len(found) == 2 and "<mark>Ferry</mark> timetable" in found[0]
        assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
        assert client.get("/search?q=" + quote('"ferry" & -rain | !(x:*)')).status_code == 200
        feed = client.get("/search/rss.xml?q=ferry")
        assert feed.status_code == 200 and "Ferry timetable" in feed.text
        assert client.get("/search/rss.xml?q=-ferry").status_code == 400
    agg.close()


def test_more_matches_than_are_ranked_says_so(
    site: tuple[Aggregator, TestClient], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tidings.store import search as store_search
    from tidings.web import search as web_search

    for module in (store_search, web_search):
        monkeypatch.setattr(module, "RANK_WINDOW", 4)
    agg, client = site
    add_items(agg, clock.now, *(ParsedItem(guid=str(n), title=f"Ferry {n}") for n in range(6)))
    page = client.get("/search", params={"q": "ferry"})
    assert "More than 4 results; the newest 4 are ranked" in page.text
    assert len(results(page.text)) == 4 and 'rel="next"' not in page.text
