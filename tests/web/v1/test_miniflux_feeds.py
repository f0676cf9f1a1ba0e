"""Miniflux's own client library (PyPI ``miniflux``) against a real ``tidings serve``, on real
feeds of the shared corpus served on loopback: me, categories made, renamed and deleted, a feed
followed from a page that links to it, the feeds and their counters, icons, refresh, mark read,
discovery, OPML out of one person and into another, and the errors the library raises."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from tests.feedserver import Route
from tests.shared import CORPUS, in_ci, require
from tests.web.v1.served import API_PASSWORD, Served, served

try:
    import miniflux  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - the dev extra brings it
    miniflux = None

MISSING = "the miniflux client library is not installed (pip install -e '.[dev]')"
if miniflux is None and in_ci():
    raise RuntimeError(f"the Miniflux client tests must run under CI, but {MISSING}")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(miniflux is None, reason=MISSING)]

TECHCRUNCH = "/feedjira__TechCrunch.xml"  # RSS 2.0, 20 items
FEEDJIRA = "/feedjira__FeedjiraBlog.xml"  # Atom 1.0
FIREBALL = "/feedrs__jsonfeed_example_1.json"  # JSON Feed, 2 items
PAGE = '<!doctype html><html><head><title>Blog</title><link rel="alternate" \
type="application/rss+xml" title="Posts" href="{feed}"></head><body>Posts</body></html>'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    corpus = CORPUS if CORPUS.is_dir() else None
    with served(tmp_path_factory.mktemp("miniflux-feeds")) as site:
        site.feeds.directory = corpus
        page = PAGE.format(feed=TECHCRUNCH).encode()
        site.feeds.routes["/blog/"] = Route(page, content_type="text/html; charset=utf-8")
        site.feeds.routes["/nothing.html"] = Route(b"<p>no feed</p>", content_type="text/html")
        yield site, site.reader("ada", {})


@pytest.fixture
def client(site: tuple[Served, str]) -> Any:
    require(CORPUS)
    served_site, key = site
    return miniflux.Client(served_site.base, api_key=key, timeout=30)


@pytest.fixture
def clean(client: Any) -> Iterator[Any]:
    """The client of a reader who follows nothing and has no folder, before and after."""
    yield client
    for feed in client.get_feeds():
        client.delete_feed(feed["id"])
    for category in client.get_categories():
        if category["title"] != "Uncategorized":
            client.delete_category(category["id"])


def test_me_by_key_and_by_basic(site: tuple[Served, str], client: Any) -> None:
    me = client.me()
    assert (me["username"], me["is_admin"], me["entry_sorting_direction"]) == ("ada", False, "desc")
    assert isinstance(me["id"], int)
    basic = miniflux.Client(site[0].base, username="ada", password=API_PASSWORD)
    by_basic = basic.me()
    assert by_basic["last_login_at"] >= me["last_login_at"]  # now, for each request
    assert {**by_basic, "last_login_at": ""} == {**me, "last_login_at": ""}
    assert client.get_version()["version"]
    assert client.get_integrations_status() is False


def test_categories_made_renamed_and_deleted(clean: Any) -> None:
    made = clean.create_category("News")
    assert made["title"] == "News"
    titles = [c["title"] for c in clean.get_categories()]
    assert titles == ["Uncategorized", "News"]
    renamed = clean.update_category(made["id"], "Papers")
    assert (renamed["id"], renamed["title"]) == (made["id"], "Papers")
    with pytest.raises(miniflux.BadRequest):
        clean.create_category("Papers")
    clean.delete_category(made["id"])
    assert [c["title"] for c in clean.get_categories()] == ["Uncategorized"]
    with pytest.raises(miniflux.ResourceNotFound):
        clean.delete_category(made["id"])


def test_a_feed_followed_from_its_page(site: tuple[Served, str], clean: Any) -> None:
    feeds = site[0].feeds
    work = clean.create_category("Work")
    found = clean.discover(feeds.url("/blog/"))
    assert found == [{"url": feeds.url(TECHCRUNCH), "title": "TechCrunch", "type": "rss"}]
    feed_id = clean.create_feed(feeds.url("/blog/"), category_id=work["id"])
    assert isinstance(feed_id, int)
    (listed,) = clean.get_feeds()
    assert listed == clean.get_feed(feed_id)
    assert (listed["feed_url"], listed["site_url"]) == (
        feeds.url(TECHCRUNCH),
        "http://techcrunch.com",
    )
    assert (listed["title"], listed["category"]["id"]) == ("TechCrunch", work["id"])
    assert listed["checked_at"].endswith("Z") and listed["parsing_error_count"] == 0
    assert clean.get_category_feeds(work["id"]) == [listed]
    counters = clean.get_feed_counters()
    assert counters == {"reads": {str(feed_id): 0}, "unreads": {str(feed_id): 20}}
    assert clean.get_feed_entries(feed_id)["total"] == 20
    with pytest.raises(miniflux.BadRequest):
        clean.create_feed(feeds.url(TECHCRUNCH))  # followed already
    with pytest.raises(miniflux.BadRequest):
        clean.create_feed(feeds.url("/nothing.html"))
    with pytest.raises(miniflux.ResourceNotFound):
        clean.discover(feeds.url("/nothing.html"))


def test_change_refresh_mark_read_and_icon(site: tuple[Served, str], clean: Any) -> None:
    feeds = site[0].feeds
    atom = clean.create_feed(feeds.url(FEEDJIRA))
    json_feed = clean.create_feed(feeds.url(FIREBALL))
    changed = clean.update_feed(atom, title="Feedjira, mine")
    assert changed["title"] == "Feedjira, mine"
    assert changed["category"]["title"] == "Uncategorized"
    with pytest.raises(miniflux.BadRequest):
        clean.update_feed(atom, feed_url=feeds.url(TECHCRUNCH))
    hits = len(feeds.hits(FIREBALL))
    assert clean.refresh_feed(json_feed) is True
    assert len(feeds.hits(FIREBALL)) == hits  # fetched a moment ago, when followed
    assert clean.refresh_all_feeds() is True
    clean.mark_feed_entries_as_read(json_feed)
    assert clean.get_feed_counters()["unreads"] == {str(atom): 1, str(json_feed): 0}
    assert clean.get_feed_counters()["reads"][str(json_feed)] == 2
    icon = clean.get_feed_icon(atom)
    assert icon == clean.get_icon(clean.get_feed(atom)["icon"]["icon_id"])
    assert icon["data"].startswith("image/svg+xml;base64,")
    assert base64.b64decode(icon["data"].split(",", 1)[1]).startswith(b"<svg")
    clean.delete_feed(atom)
    assert [f["id"] for f in clean.get_feeds()] == [json_feed]
    with pytest.raises(miniflux.ResourceNotFound):
        clean.get_feed(atom)


def test_opml_out_of_one_person_and_into_another(site: tuple[Served, str], clean: Any) -> None:
    served_site, _key = site
    work = clean.create_category("Work")
    clean.create_feed(served_site.feeds.url(TECHCRUNCH), category_id=work["id"])
    clean.create_feed(served_site.feeds.url(FIREBALL))
    opml = clean.export_feeds()
    assert served_site.feeds.url(TECHCRUNCH) in opml and "Work" in opml
    bea = miniflux.Client(served_site.base, api_key=served_site.reader("bea", {}))
    assert bea.import_feeds(opml) == {"message": "Imported 2 feeds, skipped 0."}
    theirs = {f["feed_url"]: f["category"]["title"] for f in bea.get_feeds()}
    assert theirs == {
        served_site.feeds.url(TECHCRUNCH): "Work",
        served_site.feeds.url(FIREBALL): "Uncategorized",
    }
    with pytest.raises(miniflux.BadRequest):
        bea.import_feeds("<opml><body><outline")
