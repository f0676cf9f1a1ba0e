"""Sign-in, sessions, CSRF and the admin pages, in-process against a loopback feed server."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.feedserver import FeedServer
from tests.feedserver import Route as FeedRoute
from tests.web.helpers import form_token, sign_in
from tidings.core import Aggregator
from tidings.web.api_common import is_api_path

# slow together (about 5 s here): signed-in sessions for each test
pytestmark = pytest.mark.slow

RSS = (
    b'<rss version="2.0"><channel><title>Admin Feed</title><link>http://e.org/</link>'
    b"<item><title>Hello</title><guid>h1</guid><link>http://e.org/1</link></item>"
    b"</channel></rss>"
)


def unsafe_routes(client: TestClient) -> list[str]:
    app = client.app
    return [
        re.sub(r"\{\w+:int\}", "1", re.sub(r"\{\w+\}", "x", r.path))
        for r in app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route)
        and r.methods
        and "POST" in r.methods
        and not is_api_path(r.path)  # the apps' APIs: no cookies, each request its own key
        and not r.path.startswith("/websub/")  # a hub's callback: its token and signature
    ]


def test_every_unsafe_route_refuses_without_a_token(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    sign_in(client, agg)
    paths = unsafe_routes(client)
    assert {"/signin", "/signout", "/admin/feeds", "/admin/settings"} <= set(paths)
    for path in paths:
        response = client.post(path, data={"csrf_token": "forged"}, follow_redirects=False)
        assert response.status_code == 403, path
        response = client.post(path, data={}, follow_redirects=False)
        assert response.status_code == 403, path


def test_cross_origin_posts_are_refused_even_with_a_token(
    site: tuple[Aggregator, TestClient],
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    for headers in (
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
    ):
        response = client.post("/admin/settings", data={"csrf_token": token}, headers=headers)
        assert response.status_code == 403
        assert "Traceback" not in response.text


def test_admin_needs_a_user(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    for path in ("/admin", "/admin/settings", "/admin/feeds/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/signin"


def test_sign_in_rotates_and_sign_out_ends_the_session(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    assert "tidings user add" in client.get("/signin").text
    agg.add_user("ada", "correct horse battery", role="admin")
    token = form_token(client.get("/signin").text)
    bad = client.post("/signin", data={"csrf_token": token, "name": "ada", "password": "nope"})
    assert bad.status_code == 400 and "Wrong user name or password" in bad.text
    sign_in(client, agg)
    first = client.cookies.get("tidings_session")
    sign_in(client, agg)
    second = client.cookies.get("tidings_session")
    assert first and second and first != second
    assert agg.session(first) is None and agg.session(second) is not None
    csrf = form_token(client.get("/admin").text)
    assert client.get("/signout").status_code == 405  # never a GET
    assert client.post("/signout", data={"csrf_token": csrf}).status_code == 200
    assert agg.session(second) is None
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_open_redirects_are_refused(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    agg.add_user("ada", "correct horse battery", role="admin")
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        token = form_token(client.get("/signin").text)
        response = client.post(
            "/signin",
            data={
                "csrf_token": token,
                "name": "ada",
                "password": "correct horse battery",
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/admin"


def test_admin_feed_lifecycle(site: tuple[Aggregator, TestClient], server: FeedServer) -> None:
    agg, client = site
    server.routes["/admin.xml"] = FeedRoute(RSS)
    token = sign_in(client, agg)
    added = client.post(
        "/admin/feeds",
        data={
            "csrf_token": token,
            "url": server.url("/admin.xml"),
            "categories": "News, Tech",
            "refresh": "30m",
        },
    )
    assert added.status_code == 200 and "Added Admin Feed with 1 item." in added.text
    (feed,) = agg.feeds()
    assert feed.categories == ("News", "Tech") and feed.refresh_seconds == 1800
    page = client.get("/admin").text
    assert "Admin Feed" in page and "OK" in page and "just now</time>" in page
    again = client.post("/admin/feeds", data={"csrf_token": token, "url": server.url("/admin.xml")})
    assert again.status_code == 400 and "already subscribed" in again.text

    edit = client.get(f"/admin/feeds/{feed.id}")
    assert edit.status_code == 200 and "Recent fetches" in edit.text
    saved = client.post(
        f"/admin/feeds/{feed.id}",
        data={
            "csrf_token": token,
            "url": feed.url,
            "title": "Renamed",
            "categories": "Tech",
            "refresh": "",
            "retention": "30",
            "unread_cap": "500",
        },
    )
    assert "Saved Renamed" in saved.text
    feed = agg.feed(feed.id)
    assert (feed.title, feed.categories, feed.retention_days) == ("Renamed", ("Tech",), 30)
    assert feed.unread_cap == 500 and 'name="unread_cap" inputmode="numeric" value="500"' in (
        client.get(f"/admin/feeds/{feed.id}").text
    )
    capless = client.post(
        f"/admin/feeds/{feed.id}",
        data={"csrf_token": token, "url": feed.url, "title": "Renamed", "categories": "Tech"},
    )
    assert capless.status_code == 200 and agg.feed(feed.id).unread_cap is None
    too_many = client.post(
        f"/admin/feeds/{feed.id}", data={"csrf_token": token, "url": feed.url, "unread_cap": "x"}
    )
    assert too_many.status_code == 400 and "unread items kept" in too_many.text
    bad = client.post(
        f"/admin/feeds/{feed.id}", data={"csrf_token": token, "url": feed.url, "refresh": "soon"}
    )
    assert bad.status_code == 400 and "refresh interval" in bad.text

    updated = client.post(f"/admin/feeds/{feed.id}/update", data={"csrf_token": token})
    assert "Updated: 0 new" in updated.text
    cleared = client.post(f"/admin/feeds/{feed.id}/clear", data={"csrf_token": token})
    assert "Removed 1 item;" in cleared.text
    assert agg.feed(feed.id).item_count == 0 and agg.feed(feed.id).etag is None
    client.post(f"/admin/feeds/{feed.id}/update", data={"csrf_token": token})
    assert agg.feed(feed.id).item_count == 1  # read again in full
    deleted = client.post(f"/admin/feeds/{feed.id}/delete", data={"csrf_token": token})
    assert "Deleted Renamed" in deleted.text and agg.feeds() == []


def test_gets_change_nothing(site: tuple[Aggregator, TestClient], server: FeedServer) -> None:
    agg, client = site
    sign_in(client, agg)
    agg.store.add_feed(server.url("/x.xml"), now=agg.clock())
    before = (agg.feeds(), agg.count_items())
    for path in (
        "/",
        "/sources",
        "/sources/1",
        "/categories",
        "/admin",
        "/admin/feeds/1",
        "/admin/settings",
        "/signin",
        "/admin/feeds/1/delete",
        "/signout",
    ):
        client.get(path)
    assert (agg.feeds(), agg.count_items()) == before


def test_opml_upload_and_settings(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    token = sign_in(client, agg)
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><body><outline text="Tech">'
        b'<outline text="A" xmlUrl="https://a.example/feed"/></outline></body></opml>'
    )
    done = client.post(
        "/admin/opml", data={"csrf_token": token}, files={"file": ("subs.opml", opml, "text/xml")}
    )
    assert "Imported 1 feed, skipped 0" in done.text
    assert agg.feeds()[0].categories == ("Tech",)
    nothing = client.post("/admin/opml", data={"csrf_token": token})
    assert nothing.status_code == 400 and "choose an OPML file" in nothing.text
    saved = client.post(
        "/admin/settings",
        data={
            "csrf_token": token,
            "site_title": "Planet X",
            "items_per_page": "10",
            "timezone": "Europe/Ljubljana",
            "retention": "",
        },
    )
    assert saved.status_code == 200 and "Planet X" in client.get("/").text
    assert agg.site().items_per_page == 10 and str(agg.site().timezone) == "Europe/Ljubljana"
    bad = client.post(
        "/admin/settings",
        data={
            "csrf_token": token,
            "site_title": "X",
            "items_per_page": "0",
            "timezone": "Mars/Base",
        },
    )
    assert bad.status_code == 400 and "time zone" in bad.text


def test_allowed_tags_narrow_item_html(
    site: tuple[Aggregator, TestClient], server: FeedServer
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    refused = client.post(
        "/admin/settings",
        data={
            "csrf_token": token,
            "site_title": "T",
            "items_per_page": "30",
            "timezone": "UTC",
            "allowed_tags": "p, script, iframe",
        },
    )
    assert refused.status_code == 400 and "iframe, script" in refused.text
    client.post(
        "/admin/settings",
        data={
            "csrf_token": token,
            "site_title": "T",
            "items_per_page": "30",
            "timezone": "UTC",
            "allowed_tags": "p, a",
        },
    )
    assert agg.site().allowed_tags == frozenset({"p", "a"})
    server.routes["/tags.xml"] = FeedRoute(
        b'<rss version="2.0"><channel><title>Tags</title><item><guid>t</guid><title>T</title>'
        b"<description>&lt;p&gt;Keep &lt;strong&gt;bold text&lt;/strong&gt; and "
        b'&lt;a href="https://e.org/"&gt;a link&lt;/a&gt;&lt;img src="https://e.org/i.png"&gt;'
        b"&lt;/p&gt;</description></item></channel></rss>"
    )
    client.post("/admin/feeds", data={"csrf_token": token, "url": server.url("/tags.xml")})
    (item,) = agg.items()
    assert item.summary_html == (
        '<p>Keep bold text and <a href="https://e.org/" rel="noopener noreferrer">a link</a></p>'
    )
