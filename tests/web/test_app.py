"""The web app in-process: What's new, ages, escaping, paging, headers, errors, samples."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items
from tidings.core import Aggregator
from tidings.types import ParsedItem


def test_whats_new_lists_items_with_ages(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    add_items(
        agg,
        clock.now,
        ParsedItem(
            guid="1",
            title="Older",
            link="https://e.org/1",
            published=clock.now - timedelta(days=17, hours=2),
            summary_html="<p>Summary <strong>one</strong></p>",
        ),
        ParsedItem(
            guid="2",
            title="Newer",
            link="https://e.org/2",
            published=clock.now - timedelta(hours=1, minutes=8, seconds=30),
        ),
    )
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    assert html.index("Newer") < html.index("Older")
    assert "1 hour 8 minutes ago</time>" in html
    assert "2 weeks 3 days ago</time>" in html
    assert re.search(r'<time datetime="2026-11-11T10:00:00\+00:00" title="[^"]+2026[^"]*">', html)
    assert "<p>Summary <strong>one</strong></p>" in html
    assert 'href="https://e.org/1"' in html
    assert "NATO News" in html


def test_hostile_text_is_escaped_and_bad_links_neutralised(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    add_items(
        agg,
        clock.now,
        ParsedItem(
            guid="x",
            title="<script>alert(1)</script>",
            link="javascript:alert(1)",
            author='"><img src=x onerror=1>',
        ),
    )
    html = client.get("/").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html
    assert "<img src=x" not in html


def test_paging(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    items = [
        ParsedItem(guid=str(n), title=f"Item {n:02d}", published=clock.now - timedelta(minutes=n))
        for n in range(35)
    ]
    add_items(agg, clock.now, *items)
    first, second = client.get("/").text, client.get("/?page=2").text
    assert "Item 00" in first and "Item 29" in first and "Item 30" not in first
    assert 'href="/?page=2"' in first and "?page=0" not in first
    assert "Item 30" in second and "Item 34" in second and 'href="/?page=1"' in second
    assert "no more items" in client.get("/?page=9").text


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1e3", "999999999", "²"])
def test_bad_page_is_a_400_with_a_message(site: tuple[Aggregator, TestClient], page: str) -> None:
    _, client = site
    response = client.get(f"/?page={page}")
    assert response.status_code == 400
    assert "page must be a whole number" in response.text
    assert "Traceback" not in response.text


def test_headers_on_every_response_including_errors(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    for path in ("/", "/nowhere", "/?page=x", "/healthz", "/static/style.css"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "'unsafe" not in csp, path
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and "Not found" in missing.text


def test_healthz_and_empty_page(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    assert client.get("/healthz").json() == {"status": "ok", "due": 0}
    assert "No items yet" in client.get("/").text


def test_samples_are_served_as_feeds(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    rss = client.get("/samples/tidings-news.xml")
    assert rss.status_code == 200 and rss.headers["content-type"].startswith("application/rss+xml")
    assert client.get("/samples/feed-formats.atom").text.count("<entry>") == 3
    assert client.get("/samples/polite-fetching.json").json()["version"].endswith("1.1")
    assert client.get("/samples/../config.py").status_code == 404
    assert client.get("/samples/other.xml").status_code == 404


def test_post_is_not_allowed(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    assert client.post("/").status_code == 405


def test_the_site_has_an_icon(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert icon.content.startswith(b"<svg")
    page = client.get("/").text
    linked = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert linked is not None
    assert client.get(linked.group(1)).content == icon.content
