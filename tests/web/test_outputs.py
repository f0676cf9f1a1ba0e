"""The site's own feeds, OPML and embed in-process: read back and checked against the database."""

from __future__ import annotations

import base64
import calendar
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import feedparser
import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items
from tidings.core import Aggregator
from tidings.parse import parse_feed
from tidings.publish.opml import parse_opml
from tidings.types import Enclosure, Item, ParsedItem

TYPES = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}


@pytest.fixture
def two_sources(site: tuple[Aggregator, TestClient], clock: Clock) -> tuple[int, int]:
    agg, _ = site
    nato = add_items(
        agg,
        clock.now,
        *[
            ParsedItem(
                guid=f"https://nato.example/items/{n}",
                title=f"NATO story {n}",
                link=f"https://nato.example/{n}",
                published=clock.now - timedelta(hours=2 * n + 1),
                summary_html=f"<p>Ferry summary {n}</p>",
                content_html=f"<p>Full text {n}</p>" if n == 0 else None,
                author="Press office" if n == 0 else None,
                enclosures=(Enclosure("https://nato.example/0.mp3", "audio/mpeg", 99),)
                if n == 0
                else (),
            )
            for n in range(4)
        ],
        url="https://nato.example/rss",
        title="NATO News",
        categories=("Defence",),
    )
    blog = add_items(
        agg,
        clock.now,
        *[
            ParsedItem(
                guid=f"post-{n}",  # not a URI: the feed's id is scoped to its source
                title=f"Blog post {n}",
                link=f"https://blog.example/{n}",
                published=clock.now - timedelta(hours=2 * n + 2),
                summary_html=f"<p>Post {n}</p>",
            )
            for n in range(3)
        ],
        url="https://blog.example/atom",
        title="A Blog",
        categories=("Life",),
    )
    return nato, blog


def check_against_db(body: bytes, name: str, expected: list[Item], agg: Aggregator) -> None:
    """Every entry, read by our parser and by feedparser, is the database's item, in order."""
    ours = parse_feed(body, url="http://testserver/")
    assert [i.title for i in ours.items] == [i.title for i in expected]
    assert [i.link for i in ours.items] == [i.link for i in expected]
    assert [i.published for i in ours.items] == [i.sort_date for i in expected]
    for got, item in zip(ours.items, expected, strict=True):
        if item.guid and item.guid.startswith("https://"):
            assert got.guid == item.guid
        else:
            assert got.guid and got.guid.startswith("urn:uuid:")
    assert len({i.guid for i in ours.items}) == len(expected)  # unique
    if name == "feed.json":
        doc = json.loads(body)
        for entry, item in zip(doc["items"], expected, strict=True):
            feed = agg.feed(item.feed_id)
            assert entry["_tidings"]["source"]["title"] == feed.display_title
            assert entry["_tidings"]["source"]["feed_url"] == feed.url
            assert entry["_tidings"]["source"]["url"] == f"http://testserver/sources/{feed.id}"
            assert entry["authors"][-1]["name"] == feed.display_title
        return
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    for entry, item in zip(parsed.entries, expected, strict=True):
        feed = agg.feed(item.feed_id)
        assert entry.title == item.title and entry.link == item.link
        published = datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)
        assert published == item.sort_date
        assert entry.source.title == feed.display_title
        assert feed.url in (entry.source.get("href"), entry.source.get("link"))


@pytest.mark.parametrize("name", sorted(TYPES))
def test_all_items_feed(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int], name: str
) -> None:
    agg, client = site
    response = client.get(f"/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == TYPES[name]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("default-src 'none'; sandbox")
    expected = agg.items(limit=50)
    assert len(expected) == 7
    check_against_db(response.content, name, expected, agg)
    feed = parse_feed(response.content, url="http://testserver/")
    assert feed.title == "tidings" and feed.link == "http://testserver/"


@pytest.mark.parametrize("name", sorted(TYPES))
def test_source_and_category_feeds(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int], name: str
) -> None:
    agg, client = site
    nato, blog = two_sources
    for fid in (nato, blog):
        response = client.get(f"/sources/{fid}/{name}")
        assert response.status_code == 200 and response.headers["content-type"] == TYPES[name]
        check_against_db(response.content, name, agg.items(feed_id=fid), agg)
        feed = parse_feed(response.content, url="http://testserver/")
        assert feed.title == agg.feed(fid).display_title
        assert feed.link == f"http://testserver/sources/{fid}"
    response = client.get(f"/categories/life/{name}")
    assert response.status_code == 200
    check_against_db(response.content, name, agg.items(feed_id=blog), agg)
    assert parse_feed(response.content, url="http://testserver/").title == "Life · tidings"


@pytest.mark.parametrize("name", sorted(TYPES))
def test_search_feed_lists_the_newest_matches(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int], name: str
) -> None:
    agg, client = site
    response = client.get(f"/search/{name}", params={"q": "ferry -3"})
    assert response.status_code == 200 and response.headers["content-type"] == TYPES[name]
    expected = [
        i for i in agg.items() if i.title and i.title.startswith("NATO") and "3" not in i.title
    ]
    check_against_db(response.content, name, expected, agg)
    feed = parse_feed(response.content, url="http://testserver/")
    assert feed.title == "Search: ferry -3 · tidings"
    assert feed.link == "http://testserver/search?q=ferry%20-3"


@pytest.mark.parametrize("q", ["", "   ", "-ferry", "***"])
def test_search_feed_without_words_is_a_400(site: tuple[Aggregator, TestClient], q: str) -> None:
    _, client = site
    response = client.get("/search/rss.xml", params={"q": q})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "word to look for" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/sources/999/rss.xml",
        "/sources/99999999999999999999999/atom.xml",
        "/categories/nowhere/feed.json",
        "/sources/abc/rss.xml",
        "/sources/1/other.xml",
    ],
)
def test_unknown_sources_and_categories_are_404_pages(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int], path: str
) -> None:
    _, client = site
    response = client.get(path)
    assert response.status_code == 404
    assert "Not found" in response.text and "Traceback" not in response.text


def test_etag_and_not_modified(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int], clock: Clock
) -> None:
    agg, client = site
    first = client.get("/atom.xml")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert etag == '"' + hashlib.sha256(first.content).hexdigest()[:32] + '"'
    assert modified == format_datetime(clock.now - timedelta(hours=1), usegmt=True)
    assert first.headers["cache-control"] == "no-cache"
    assert client.get("/atom.xml").headers["etag"] == etag  # the same items, the same bytes

    def status(**headers: str) -> int:
        response = client.get("/atom.xml", headers=headers)
        if response.status_code == 304:
            assert response.content == b"" and response.headers["etag"] == etag
            assert response.headers["last-modified"] == modified
        return int(response.status_code)

    assert status(**{"If-None-Match": etag}) == 304
    assert status(**{"If-None-Match": f'"other", W/{etag}'}) == 304
    assert status(**{"If-None-Match": "*"}) == 304
    assert status(**{"If-None-Match": '"other"'}) == 200
    assert status(**{"If-Modified-Since": modified}) == 304
    later = format_datetime(clock.now, usegmt=True)
    earlier = format_datetime(clock.now - timedelta(hours=2), usegmt=True)
    assert status(**{"If-Modified-Since": later}) == 304
    assert status(**{"If-Modified-Since": earlier}) == 200
    assert status(**{"If-Modified-Since": "not a date"}) == 200
    # If-None-Match wins over If-Modified-Since
    assert status(**{"If-None-Match": '"other"', "If-Modified-Since": later}) == 200
    # a new item: a new body, a new ETag, and the old validators no longer match
    add_items(
        agg,
        clock.now,
        ParsedItem(guid="n", title="Newest", published=clock.now),
        url="https://third.example/f",
    )
    fresh = client.get("/atom.xml", headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert client.get("/atom.xml", headers={"If-Modified-Since": modified}).status_code == 200


def test_hostile_characters_stay_valid_xml(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    nasty = "a\x00b\x01\x0b\x1f ]]> <![CDATA[ x ]]> <script>alert(1)</script> & \ufffe end"
    fid = add_items(
        agg,
        clock.now,
        ParsedItem(
            guid=nasty,
            title=nasty,
            author=nasty,
            link="javascript:alert(1)",
            summary_html=f"<p>{nasty}</p>",
            categories=(nasty,),
        ),
        title=nasty,
    )
    for path in ("/rss.xml", "/atom.xml", f"/sources/{fid}/rss.xml", f"/sources/{fid}/atom.xml"):
        body = client.get(path).content
        root = ET.fromstring(body)  # strict: any ill-formed byte raises
        texts = [e.text for e in root.iter() if e.text and "]]>" in e.text]
        assert "ab ]]> <![CDATA[ x ]]> <script>alert(1)</script> &  end" in texts
        assert b"javascript:" not in body and b"<script>" not in body
        assert not feedparser.parse(body).bozo
    doc = client.get("/feed.json").json()
    assert doc["items"][0]["title"] == "ab ]]> <![CDATA[ x ]]> <script>alert(1)</script> &  end"
    assert "url" not in doc["items"][0]


def test_opml_lists_the_subscriptions(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int]
) -> None:
    agg, client = site
    response = client.get("/opml.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/x-opml; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["content-security-policy"].startswith("default-src 'none'; sandbox")
    assert response.headers["etag"]
    document = parse_opml(response.content)
    assert {(e.url, e.title, e.categories) for e in document.entries} == {
        (f.url, f.title, f.categories) for f in agg.feeds()
    }
    again = client.get("/opml.xml", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code in (200, 304)  # the export carries its creation time


def test_embed_may_be_framed_and_nothing_else(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int]
) -> None:
    _, client = site
    embed = client.get("/embed/latest")
    assert embed.status_code == 200
    assert embed.headers["content-type"] == "text/html; charset=utf-8"
    csp = embed.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "frame-ancestors 'none'" not in csp
    assert "x-frame-options" not in embed.headers
    assert "script-src" not in csp and "default-src 'none'" in csp and "sandbox" in csp
    # the one inline style is allowed by its hash, and it is the style the page carries
    style = re.search(r"<style>(.*?)</style>", embed.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp
    for path in ("/", "/embed/latest.json", "/rss.xml", "/search", "/embed/latest?count=0"):
        response = client.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


def test_embed_lists_the_latest_items(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int]
) -> None:
    agg, client = site
    nato, blog = two_sources
    html = client.get("/embed/latest").text
    titles = re.findall(r'rel="noopener noreferrer">([^<]+)</a>', html)
    assert titles == [i.title for i in agg.items(limit=5)]
    assert 'target="_blank"' in html and "1 hour ago</time>" in html
    assert f'href="http://testserver/sources/{nato}"' in html
    assert "<link" not in html and "<script" not in html  # self-contained
    three = client.get("/embed/latest?count=3").text
    assert len(re.findall(r"<li>", three)) == 3
    only_blog = client.get(f"/embed/latest?source={blog}&count=50").text
    assert len(re.findall(r"<li>", only_blog)) == 3 and "NATO" not in only_blog
    defence = client.get("/embed/latest?category=defence").text
    assert "Blog post" not in defence and "<h2>" in defence and "Defence" in defence
    assert "etag" in client.get("/embed/latest").headers


def test_embed_json(site: tuple[Aggregator, TestClient], two_sources: tuple[int, int]) -> None:
    agg, client = site
    nato, _ = two_sources
    response = client.get("/embed/latest.json?count=2&category=defence")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["last-modified"]
    data = response.json()
    expected = agg.items(feed_id=nato, limit=2)
    assert data["title"] == "Defence" and data["url"] == "http://testserver/categories/defence"
    assert [(i["id"], i["title"], i["url"]) for i in data["items"]] == [
        (i.id, i.title, i.link) for i in expected
    ]
    assert data["items"][0]["source"] == {
        "id": nato,
        "title": "NATO News",
        "url": f"http://testserver/sources/{nato}",
    }
    assert data["items"][0]["date"] == expected[0].sort_date.isoformat()
    again = client.get(
        "/embed/latest.json?count=2&category=defence",
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize("count", ["0", "51", "-1", "abc", "1e3", "²", "", "5.0", "9" * 40])
def test_bad_count_is_a_400(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int], count: str
) -> None:
    _, client = site
    for path in ("/embed/latest", "/embed/latest.json"):
        response = client.get(path, params={"count": count})
        assert response.status_code == 400, count
        assert "count must be a whole number from 1 to 50" in response.text
        assert "Traceback" not in response.text


def test_bad_or_unknown_scope_of_the_embed(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int]
) -> None:
    _, client = site
    assert client.get("/embed/latest?source=x").status_code == 400
    assert "source must be the number" in client.get("/embed/latest?source=-1").text
    assert client.get("/embed/latest?source=999").status_code == 404
    assert client.get("/embed/latest?source=9999999999999999999").status_code == 404
    assert client.get("/embed/latest.json?category=nowhere").status_code == 404
    assert client.get("/embed/latest?category=").status_code == 200  # empty: no filter


def test_feeds_link_from_every_page(
    site: tuple[Aggregator, TestClient], two_sources: tuple[int, int]
) -> None:
    _, client = site
    html = client.get("/").text
    for href in ("/rss.xml", "/atom.xml", "/feed.json"):
        assert '<link rel="alternate" type="application/' in html
        assert f'href="http://testserver{href}"' in html  # absolute: the site's address
        assert client.get(href).status_code == 200


def test_head_and_post(site: tuple[Aggregator, TestClient], two_sources: tuple[int, int]) -> None:
    _, client = site
    head = client.head("/rss.xml")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"]
    assert client.post("/rss.xml").status_code in (403, 405)
