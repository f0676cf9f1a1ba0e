"""Feeds are a person's subscriptions in Miniflux's shape: list, one, subscribe through
discovery, change, unsubscribe, counters, mark read, icons, refresh, discovery, OPML."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tests.web.v1.conftest import Api, api_user, backend_settings
from tidings.config import Settings
from tidings.core import make_aggregator
from tidings.synctypes import IdQuery
from tidings.web.app import create_app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test here runs on a SQLite file and on the real PostgreSQL."""
    return backend_settings(request, tmp_path)


DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def rss(title: str, n: int, site: str = "https://news.example/") -> bytes:
    items = "".join(
        f"<item><guid>{title}-{i}</guid><title>{title} {i}</title>"
        f"<link>https://news.example/{title}/{i}</link></item>"
        for i in range(n)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{site}</link><description>About {title}</description>{items}</channel></rss>"
    ).encode()


PAGE = b"""<!doctype html><html><head><title>A page</title>
<link rel="alternate" type="application/rss+xml" href="/news.xml"></head><body>Hi</body></html>"""


@pytest.fixture
def feeds(server: FeedServer) -> FeedServer:
    server.routes["/news.xml"] = Route(rss("News", 3))
    server.routes["/other.xml"] = Route(rss("Other", 2, site=""))
    server.routes["/page.html"] = Route(PAGE, content_type="text/html; charset=utf-8")
    server.routes["/plain.html"] = Route(
        b"<html><body>no feed</body></html>", content_type="text/html"
    )
    return server


def create(api: Api, url: str, category_id: int | None = None) -> Any:
    body: dict[str, Any] = {"feed_url": url}
    if category_id is not None:
        body["category_id"] = category_id
    return api.client.post("/v1/feeds", json=body, headers=api.headers)


def category_id(api: Api, title: str) -> int:
    listed = api.client.get("/v1/categories", headers=api.headers).json()
    found = [c["id"] for c in listed if c["title"] == title]
    if found:
        return int(found[0])
    made = api.client.post("/v1/categories", json={"title": title}, headers=api.headers)
    return int(made.json()["id"])


def test_subscribe_by_a_page_address_finds_its_feed(api: Api, feeds: FeedServer) -> None:
    work = category_id(api, "Work")
    response = create(api, feeds.url("/page.html"), work)
    assert response.status_code == 201
    feed_id = response.json()["feed_id"]
    assert isinstance(feed_id, int)
    feed = api.client.get(f"/v1/feeds/{feed_id}", headers=api.headers).json()
    assert feed["feed_url"] == feeds.url("/news.xml")
    assert feed["title"] == "News"
    assert feed["category"] == {
        "id": work,
        "title": "Work",
        "user_id": api.user.id,
        "hide_globally": False,
    }
    assert api.agg.unread_counts(api.user.id).by_feed[feed_id] == 3


def test_the_feed_object_is_miniflux_shaped(api: Api, feeds: FeedServer, clock: Clock) -> None:
    feed_id = create(api, feeds.url("/other.xml")).json()["feed_id"]
    (feed,) = api.client.get("/v1/feeds", headers=api.headers).json()
    assert feed["id"] == feed_id
    assert feed["user_id"] == api.user.id
    assert feed["site_url"] == feeds.url("/other.xml")  # no home page: the feed's address
    assert feed["description"] == "About Other"
    assert feed["checked_at"] == clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert DATE.match(feed["next_check_at"])
    assert (feed["parsing_error_message"], feed["parsing_error_count"]) == ("", 0)
    assert feed["disabled"] is False
    assert feed["hide_globally"] is False
    assert feed["category"]["title"] == "Uncategorized"
    assert feed["icon"] == {"feed_id": feed_id, "icon_id": 1, "external_icon_id": ""}
    assert feed["scraper_rules"] == "" and feed["crawler"] is False
    with_home = create(api, feeds.url("/news.xml")).json()["feed_id"]
    assert api.client.get(f"/v1/feeds/{with_home}", headers=api.headers).json()["site_url"] == (
        "https://news.example/"
    )


def test_subscribing_refusals_are_400s_with_a_message(api: Api, feeds: FeedServer) -> None:
    assert create(api, feeds.url("/news.xml")).status_code == 201
    cases: list[tuple[Any, str]] = [
        ({"feed_url": feeds.url("/news.xml")}, "already"),
        ({"feed_url": feeds.url("/plain.html")}, "no feed"),
        ({"feed_url": feeds.url("/missing.xml")}, "404"),
        ({"feed_url": feeds.url("/other.xml"), "category_id": 424242}, "no category"),
        ({"feed_url": ""}, "feed_url"),
        ({}, "feed_url"),
        ({"feed_url": 7}, "feed_url"),
        ({"feed_url": feeds.url("/other.xml"), "category_id": "1"}, "category_id"),
    ]
    for body, words in cases:
        response = api.client.post("/v1/feeds", json=body, headers=api.headers)
        assert response.status_code == 400, body
        assert words in response.json()["error_message"], (body, response.json())
    assert len(api.agg.subscriptions(api.user.id)) == 1


def test_change_title_category_and_hiding(api: Api, feeds: FeedServer) -> None:
    feed_id = create(api, feeds.url("/news.xml")).json()["feed_id"]
    work = category_id(api, "Work")
    path = f"/v1/feeds/{feed_id}"
    changed = api.client.put(
        path,
        json={"title": "My news", "category_id": work, "hide_globally": True},
        headers=api.headers,
    )
    assert changed.status_code == 201
    feed = changed.json()
    assert (feed["title"], feed["category"]["id"], feed["hide_globally"]) == ("My news", work, True)
    sub = api.agg.subscription(api.user.id, feed_id)
    assert (sub.title, sub.folder, sub.hide_from_all) == ("My news", "Work", True)
    back = api.client.put(path, json={"title": "", "category_id": 0}, headers=api.headers).json()
    assert (back["title"], back["category"]["title"]) == ("News", "Uncategorized")
    same_url = api.client.put(path, json={"feed_url": feeds.url("/news.xml")}, headers=api.headers)
    assert same_url.status_code == 201


def test_a_new_address_is_refused_politely(api: Api, feeds: FeedServer) -> None:
    feed_id = create(api, feeds.url("/news.xml")).json()["feed_id"]
    for body in ({"feed_url": feeds.url("/other.xml")}, {"site_url": "https://elsewhere.example/"}):
        response = api.client.put(f"/v1/feeds/{feed_id}", json=body, headers=api.headers)
        assert response.status_code == 400
        assert "subscribe to the new address" in response.json()["error_message"]
    assert api.agg.subscription(api.user.id, feed_id).feed.url == feeds.url("/news.xml")


def test_unsubscribe_and_foreign_feeds(api: Api, feeds: FeedServer) -> None:
    feed_id = create(api, feeds.url("/news.xml")).json()["feed_id"]
    _bea, key = api_user(api.agg, "bea")
    other = {"X-Auth-Token": key}
    for method, suffix in [("GET", ""), ("PUT", ""), ("DELETE", ""), ("GET", "/icon"),
                           ("PUT", "/mark-all-as-read"), ("PUT", "/refresh")]:  # fmt: skip
        response = api.client.request(
            method, f"/v1/feeds/{feed_id}{suffix}", json={}, headers=other
        )
        assert response.status_code == 404, (method, suffix)
    assert api.client.delete(f"/v1/feeds/{feed_id}", headers=api.headers).status_code == 204
    assert api.client.get("/v1/feeds", headers=api.headers).json() == []
    again = api.client.delete(f"/v1/feeds/{feed_id}", headers=api.headers)
    assert again.status_code == 404
    assert api.client.get("/v1/feeds/18446744073709551616", headers=api.headers).status_code == 404


def test_counters_and_mark_a_feed_read(api: Api, feeds: FeedServer, clock: Clock) -> None:
    news = create(api, feeds.url("/news.xml")).json()["feed_id"]
    other = create(api, feeds.url("/other.xml")).json()["feed_id"]
    first = api.client.get("/v1/feeds/counters", headers=api.headers).json()
    assert first == {
        "reads": {str(news): 0, str(other): 0},
        "unreads": {str(news): 3, str(other): 2},
    }
    (one, *_rest) = api.agg.item_ids(api.user.id, IdQuery(feed_ids=(news,)))
    api.agg.set_read(api.user.id, [one])
    second = api.client.get("/v1/feeds/counters", headers=api.headers).json()
    assert (second["reads"][str(news)], second["unreads"][str(news)]) == (1, 2)
    clock.now += timedelta(seconds=1)
    marked = api.client.put(f"/v1/feeds/{news}/mark-all-as-read", headers=api.headers)
    assert marked.status_code == 204
    third = api.client.get("/v1/feeds/counters", headers=api.headers).json()
    assert third["unreads"] == {str(news): 0, str(other): 2}
    assert third["reads"][str(news)] == 3


def test_icons_are_the_site_icon(api: Api, feeds: FeedServer) -> None:
    feed_id = create(api, feeds.url("/news.xml")).json()["feed_id"]
    by_feed = api.client.get(f"/v1/feeds/{feed_id}/icon", headers=api.headers).json()
    by_id = api.client.get("/v1/icons/1", headers=api.headers).json()
    assert by_feed == by_id
    assert by_id["id"] == 1
    assert by_id["mime_type"] == "image/svg+xml"
    kind, _, data = by_id["data"].partition(";base64,")
    assert kind == "image/svg+xml"
    icon = resources.files("tidings.web").joinpath("static", "favicon.svg").read_bytes()
    assert base64.b64decode(data) == icon
    assert api.client.get("/v1/icons/2", headers=api.headers).status_code == 404


def test_refresh_one_feed_fetches_it_but_not_twice_a_minute(
    api: Api, feeds: FeedServer, clock: Clock
) -> None:
    feed_id = create(api, feeds.url("/news.xml")).json()["feed_id"]
    hits = len(feeds.hits("/news.xml"))
    feeds.routes["/news.xml"] = Route(rss("News", 5))
    assert api.client.put(f"/v1/feeds/{feed_id}/refresh", headers=api.headers).status_code == 204
    assert len(feeds.hits("/news.xml")) == hits  # fetched just now, when subscribing
    clock.now += timedelta(minutes=2)
    assert api.client.put(f"/v1/feeds/{feed_id}/refresh", headers=api.headers).status_code == 204
    assert len(feeds.hits("/news.xml")) == hits + 1
    assert api.agg.unread_counts(api.user.id).by_feed[feed_id] == 5
    feed = api.client.get(f"/v1/feeds/{feed_id}", headers=api.headers).json()
    assert feed["checked_at"] == clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_refresh_all_fetches_only_the_due_feeds(api: Api, feeds: FeedServer, clock: Clock) -> None:
    news = create(api, feeds.url("/news.xml")).json()["feed_id"]
    create(api, feeds.url("/other.xml"))
    work = category_id(api, "Work")
    api.client.put(f"/v1/feeds/{news}", json={"category_id": work}, headers=api.headers)
    before = {p: len(feeds.hits(p)) for p in ("/news.xml", "/other.xml")}
    assert api.client.put("/v1/feeds/refresh", headers=api.headers).status_code == 204
    assert {p: len(feeds.hits(p)) for p in before} == before  # none is due yet
    next_check = api.client.get(f"/v1/feeds/{news}", headers=api.headers).json()["next_check_at"]
    clock.now += timedelta(days=2)
    assert next_check < clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert api.client.put(f"/v1/categories/{work}/refresh", headers=api.headers).status_code == 204
    assert len(feeds.hits("/news.xml")) == before["/news.xml"] + 1  # after the answer
    assert len(feeds.hits("/other.xml")) == before["/other.xml"]  # another category
    assert api.client.put("/v1/feeds/refresh", headers=api.headers).status_code == 204
    assert len(feeds.hits("/other.xml")) == before["/other.xml"] + 1


def test_discover_names_the_feed_of_a_page(api: Api, feeds: FeedServer) -> None:
    response = api.client.post(
        "/v1/discover", json={"url": feeds.url("/page.html")}, headers=api.headers
    )
    assert response.status_code == 200
    assert response.json() == [{"url": feeds.url("/news.xml"), "title": "News", "type": "rss"}]
    assert api.agg.subscriptions(api.user.id) == []  # discovering follows nothing
    none = api.client.post(
        "/v1/discover", json={"url": feeds.url("/plain.html")}, headers=api.headers
    )
    assert none.status_code == 404
    assert "no feed" in none.json()["error_message"]
    for body in ({"url": "ftp://x.example/"}, {"url": ""}, {}):
        assert api.client.post("/v1/discover", json=body, headers=api.headers).status_code == 400


def test_discover_keeps_to_public_addresses(settings: Settings, clock: Clock) -> None:
    """The guard of every fetch applies: a loopback address is refused by default."""
    strict = Settings.load({"TIDINGS_DATA_DIR": str(settings.data_dir)})
    agg = make_aggregator(strict, clock=clock)
    _user, key = api_user(agg, "cy")
    server = FeedServer().start()
    server.routes["/news.xml"] = Route(rss("News", 1))
    try:
        with TestClient(create_app(agg)) as client:
            response = client.post(
                "/v1/discover", json={"url": server.url("/news.xml")}, headers={"X-Auth-Token": key}
            )
            assert response.status_code == 400
            assert response.json()["error_message"]
            assert server.hits("/news.xml") == []
    finally:
        server.stop()
        agg.close()


def test_export_then_import_into_another_person(api: Api, feeds: FeedServer) -> None:
    work = category_id(api, "Work")
    create(api, feeds.url("/news.xml"), work)
    create(api, feeds.url("/other.xml"))
    exported = api.client.get("/v1/export", headers=api.headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/x-opml")
    assert feeds.url("/news.xml") in exported.text and 'text="Work"' in exported.text
    _bea, key = api_user(api.agg, "bea")
    bea = {"X-Auth-Token": key}
    imported = api.client.post("/v1/import", content=exported.content, headers=bea)
    assert imported.status_code == 201
    assert imported.json() == {"message": "Imported 2 feeds, skipped 0."}
    theirs = {
        f["feed_url"]: f["category"]["title"]
        for f in api.client.get("/v1/feeds", headers=bea).json()
    }
    assert theirs == {feeds.url("/news.xml"): "Work", feeds.url("/other.xml"): "Uncategorized"}
    again = api.client.post("/v1/import", content=exported.content, headers=bea).json()
    assert again == {"message": "Imported 0 feeds, skipped 2."}
    for body in (b"", b"<html>not opml</html>", b"\xff\xfe"):
        response = api.client.post("/v1/import", content=body, headers=bea)
        assert response.status_code == 400, body
        assert response.json()["error_message"]


def test_a_title_over_500_characters_is_refused(api: Api, feeds: FeedServer) -> None:
    feed_id = create(api, feeds.url("/news.xml")).json()["feed_id"]
    long = api.client.put(f"/v1/feeds/{feed_id}", json={"title": "x" * 501}, headers=api.headers)
    assert long.status_code == 400
    assert "500 characters" in long.json()["error_message"]
    fits = api.client.put(f"/v1/feeds/{feed_id}", json={"title": "x" * 500}, headers=api.headers)
    assert fits.json()["title"] == "x" * 500


def test_a_failing_feed_shows_its_error_after_a_refresh(
    api: Api, feeds: FeedServer, clock: Clock
) -> None:
    feed_id = create(api, feeds.url("/news.xml")).json()["feed_id"]
    feeds.routes["/news.xml"] = Route(b"down for now", status=503, content_type="text/plain")
    clock.now += timedelta(minutes=5)
    assert api.client.put(f"/v1/feeds/{feed_id}/refresh", headers=api.headers).status_code == 204
    feed = api.client.get(f"/v1/feeds/{feed_id}", headers=api.headers).json()
    assert feed["parsing_error_count"] == 1
    assert "503" in feed["parsing_error_message"]
    assert feed["disabled"] is False
    assert feed["checked_at"] == clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_moving_a_feed_to_a_category_that_is_not_yours(api: Api, feeds: FeedServer) -> None:
    feed_id = create(api, feeds.url("/news.xml")).json()["feed_id"]
    _bea, key = api_user(api.agg, "bea")
    hers = api.client.post("/v1/categories", json={"title": "Hers"}, headers={"X-Auth-Token": key})
    moved = api.client.put(
        f"/v1/feeds/{feed_id}", json={"category_id": hers.json()["id"]}, headers=api.headers
    )
    assert moved.status_code == 400
    assert "no category" in moved.json()["error_message"]
    assert api.agg.subscription(api.user.id, feed_id).folder is None
