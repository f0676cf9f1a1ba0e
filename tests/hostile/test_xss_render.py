"""XSS where it is shown: hostile feeds in every format, fetched from loopback through the real
pipeline, then every page, outgoing feed, embed and JSON output checked with the oracles.

One site is built per module (four hostile feeds, a few hundred hostile items); each output is
one test, so a leak names the route that leaked.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import cycle
from pathlib import Path

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tests.hostile import cases
from tests.hostile.cases import CONTENT, FORMATS, TEXT, URLS, Doc, Entry
from tests.hostile.oracles import json_problems, page_problems, xml_feed_problems
from tests.web.helpers import sign_in
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.web.app import create_app
from tidings.web.outputs import EMBED_STYLE

SITE_TITLE = TEXT["T02-attr-breakout"]
# categories come from people (the admin form, OPML), shown on pages and in URLs
USER_CATEGORIES = (TEXT["T04-svg"], TEXT["T04-quote-attr"])
RENDERED_CONTENT = {k: v for k, v in CONTENT.items() if k != "X29-deep-nesting"}


def hostile_doc(fmt: str) -> Doc:
    texts, urls = cycle(TEXT.values()), cycle(URLS.values())
    entries = []
    for n, (_case, (html, _text)) in enumerate(RENDERED_CONTENT.items()):
        title, url = next(texts), next(urls)
        entries.append(
            Entry(
                guid=f"urn:{fmt}:{n}",
                title=f"{title} #{n}",
                link=url if n % 2 else f"https://ok.example/{fmt}/{n}",
                content=html,
                author=title,
                categories=(title,),
                enclosure=url,
                image=url,
                comments=url,
            )
        )
    return Doc(
        title=f"{TEXT['T02-attr-breakout']} {fmt}",
        description=TEXT["T02-title-breakout"],
        link=URLS["T06-javascript"],
        image=URLS["T07-data-html"],
        self_url=URLS["T06-javascript"],
        entries=entries,
    )


@dataclass
class Site:
    agg: Aggregator
    client: TestClient
    feed_ids: list[int]
    slugs: list[str]
    titles: list[str]  # item titles, each must show escaped


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp: Path = tmp_path_factory.mktemp("render")
    settings = Settings.load(
        {
            "TIDINGS_DATA_DIR": str(tmp / "data"),
            "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
            "TIDINGS_ITEMS_PER_PAGE": "1000",
            "TIDINGS_SITE_TITLE": SITE_TITLE,
            "TIDINGS_PAGE_CACHE_SECONDS": "0",
            "TIDINGS_SAMPLES": "false",
        }
    )
    clock = Clock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    server = FeedServer().start()
    titles: list[str] = []
    for fmt in FORMATS:
        doc = hostile_doc(fmt)
        titles += [e.title for e in doc.entries]
        server.routes[f"/{fmt}"] = Route(
            cases.build(fmt, doc), content_type=cases.CONTENT_TYPES[fmt]
        )
    agg = make_aggregator(settings, clock=clock)

    async def subscribe() -> list[int]:
        async with agg:
            return [
                (await agg.add_feed(server.url(f"/{fmt}"), categories=USER_CATEGORIES)).id
                for fmt in FORMATS
            ]

    try:
        feed_ids = asyncio.run(subscribe())
        with TestClient(create_app(agg)) as client:
            sign_in(client, agg)
            yield Site(agg, client, feed_ids, [c.slug for c in agg.categories()], titles)
    finally:
        agg.close()
        server.stop()


HTML_ROUTES = [
    "/",
    "/sources",
    "/sources/{feed}",
    "/categories",
    "/categories/{slug}",
    "/search?q=alert",
    "/search?q=onerror",
    "/search?q=%22%3E%3Cimg",
    "/admin",
    "/admin/feeds/{feed}",
    "/admin/settings",
]
FEED_ROUTES = [
    "/rss.xml",
    "/atom.xml",
    "/sources/{feed}/rss.xml",
    "/sources/{feed}/atom.xml",
    "/categories/{slug}/rss.xml",
    "/categories/{slug}/atom.xml",
    "/search/rss.xml?q=alert",
    "/search/atom.xml?q=alert",
]
JSON_ROUTES = [
    "/feed.json",
    "/sources/{feed}/feed.json",
    "/categories/{slug}/feed.json",
    "/search/feed.json?q=alert",
    "/embed/latest.json?count=50",
]


def expand(site: Site, route: str) -> list[str]:
    if "{feed}" in route:
        return [route.replace("{feed}", str(fid)) for fid in site.feed_ids]
    if "{slug}" in route:
        return [route.replace("{slug}", slug) for slug in site.slugs]
    return [route]


@pytest.mark.parametrize("route", HTML_ROUTES)
def test_pages_run_nothing_from_feeds(site: Site, route: str) -> None:
    """O-SAFE on whole pages: only the page's own script, no handler, no foreign scheme."""
    for path in expand(site, route):
        response = site.client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert page_problems(response.text) == [], path


@pytest.mark.parametrize("route", ["/", "/sources/{feed}", "/categories/{slug}", "/admin"])
def test_hostile_text_is_shown_escaped(site: Site, route: str) -> None:
    """O-TEXT: titles, the site title and categories appear as escaped text, verbatim."""
    for path in expand(site, route):
        text = site.client.get(path).text
        assert str(escape(SITE_TITLE)) in text
        assert f"<title>{escape(SITE_TITLE)}" in text or f"· {escape(SITE_TITLE)}</title>" in text
        if route in ("/", "/admin"):
            continue
        shown = [t for t in site.titles if str(escape(t)) in text]
        assert shown, path


def test_categories_escaped_in_text_and_links(site: Site) -> None:
    """T04: a category name used in a URL path and as link text."""
    text = site.client.get("/categories").text
    for name in USER_CATEGORIES:
        assert str(escape(name)) in text
    assert page_problems(text) == []


def test_embed_block(site: Site) -> None:
    """The one frameable page: no script, its own style only, links open with noopener."""
    response = site.client.get("/embed/latest?count=50")
    assert response.status_code == 200
    assert page_problems(response.text, own_style=EMBED_STYLE) == []
    assert "<script" not in response.text
    csp = response.headers["content-security-policy"]
    assert "sandbox" in csp and "script-src" not in csp and "default-src 'none'" in csp


@pytest.mark.parametrize("route", FEED_ROUTES)
def test_outgoing_xml_feeds(site: Site, route: str) -> None:
    """Outgoing RSS/Atom: well-formed, HTML fields O-SAFE, links http(s) only."""
    for path in expand(site, route):
        response = site.client.get(path)
        assert response.status_code == 200, path
        assert "charset=utf-8" in response.headers["content-type"]
        assert "sandbox" in response.headers["content-security-policy"]
        assert xml_feed_problems(response.content) == [], path


@pytest.mark.parametrize("route", JSON_ROUTES)
def test_outgoing_json(site: Site, route: str) -> None:
    """JSON Feed and the embed JSON: JSON strings, HTML fields O-SAFE, URLs http(s)."""
    for path in expand(site, route):
        response = site.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].split(";")[0] in (
            "application/json",
            "application/feed+json",
        )
        data = json.loads(response.content)
        assert json_problems(data) == [], path


def test_opml_export(site: Site) -> None:
    """The OPML export: well-formed, attachment, every xmlUrl/htmlUrl http(s)."""
    response = site.client.get("/opml.xml")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert xml_feed_problems(response.content) == []
    from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

    root = etree.fromstring(response.content)
    for outline in root.iter("outline"):
        for attr in ("xmlUrl", "htmlUrl"):
            value = outline.get(attr)
            assert value is None or value.startswith(("http://", "https://")), value


def test_stored_items_have_no_unsafe_url(site: Site) -> None:
    """What reached the store from the hostile feeds: every URL field http(s) or nothing."""
    items = site.agg.items(limit=10_000)
    assert len(items) == len(site.titles)
    for item in items:
        for url in (item.link, item.image, *(e.url for e in item.enclosures)):
            assert url is None or url.startswith(("http://", "https://")), url
    for feed in site.agg.feeds():
        for url in (feed.site_url, feed.image_url):
            assert url is None or url.startswith(("http://", "https://")), url


def test_json_feed_carries_text_as_json_strings(site: Site) -> None:
    """O-TEXT in JSON: every hostile title comes back verbatim, as a JSON string."""
    response = site.client.get("/feed.json")
    titles = {item.get("title") for item in json.loads(response.content)["items"]}
    newest = {i.title for i in site.agg.items(limit=50)}
    assert newest <= titles
    assert any("<script>" in (t or "") for t in titles)


def test_client_script_writes_text_only() -> None:
    """O-TEXT in the browser: the site's scripts set textContent, never HTML."""
    from importlib import resources

    for name in ("ages.js", "read.js"):
        source = resources.files("tidings.web").joinpath("static", name).read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, (name, sink)
        assert "textContent" in source


def test_templates_mark_nothing_from_a_feed_safe() -> None:
    """Autoescaping is only bypassed for the sanitized body, the sanitized full article
    (``parse.article`` runs it through the same sanitizer) and constant strings: a template
    that one day writes ``{{ item.title|safe }}`` fails here."""
    import re
    from importlib import resources

    templates = resources.files("tidings.web").joinpath("templates")
    uses = []
    for entry in templates.iterdir():
        if entry.name.endswith(".html"):
            for match in re.finditer(r"([\w.\"'<>/ -]+?)\|safe\b(?!_)", entry.read_text()):
                uses.append((entry.name, match.group(1).strip()))
    assert ("_items.html", "body") in uses
    for name, expression in uses:
        assert expression in (
            "body",
            "item.article_html",
            "entry.item.article_html",
        ) or re.fullmatch(r"\"[^\"{}]*\"", expression), (name, expression)
