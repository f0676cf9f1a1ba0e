"""The admin's add and edit forms: a URL without a scheme, "Add even if it fails now", the refresh
floor, and a feed's own User-Agent."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from tests.feedserver import FeedServer, Route
from tests.web.helpers import sign_in
from tidings.core import Aggregator
from tidings.types import UpdatePlan

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Form Feed</title>'
    b"<link>http://example.org/</link><description>d</description><item><title>One</title>"
    b"<guid>one</guid><pubDate>20 Nov 2026 10:00:00 +0000</pubDate></item></channel></rss>"
)
Site = tuple[Aggregator, TestClient]


def test_the_add_form_takes_a_url_without_a_scheme(site: Site, server: FeedServer) -> None:
    agg, client = site
    server.routes["/form.xml"] = Route(RSS)
    token = sign_in(client, agg)
    assert 'name="url" type="text" inputmode="url"' in client.get("/admin").text
    url = server.url("/form.xml").removeprefix("http://")
    added = client.post("/admin/feeds", data={"csrf_token": token, "url": url})
    assert added.status_code == 200 and "Added Form Feed with 1 item." in added.text
    assert [f.url for f in agg.feeds()] == [server.url("/form.xml")]
    for bad in ("ftp://example.org/feed", "javascript:alert(1)"):
        refused = client.post("/admin/feeds", data={"csrf_token": token, "url": bad, "anyway": "1"})
        assert refused.status_code == 400 and "not a web URL" in refused.text


def test_add_even_if_it_fails_now(site: Site, server: FeedServer) -> None:
    agg, client = site
    server.routes["/down.xml"] = Route(b"down", status=503, content_type="text/plain")
    token = sign_in(client, agg)
    assert 'name="anyway"' in client.get("/admin").text
    data = {"csrf_token": token, "url": server.url("/down.xml")}
    refused = client.post("/admin/feeds", data=data)
    assert refused.status_code == 400 and "HTTP 503" in refused.text
    assert agg.feeds() == []
    added = client.post("/admin/feeds", data={**data, "anyway": "1"})
    assert added.status_code == 200
    assert "but it fails for now (HTTP 503" in added.text
    (feed,) = agg.feeds()
    assert feed.error_count == 1 and feed.url == server.url("/down.xml")


def test_a_refresh_below_the_floor_is_a_form_error(site: Site, server: FeedServer) -> None:
    agg, client = site
    server.routes["/form.xml"] = Route(RSS)
    token = sign_in(client, agg)
    data = {"csrf_token": token, "url": server.url("/form.xml"), "refresh": "1m"}
    refused = client.post("/admin/feeds", data=data)
    assert refused.status_code == 400
    assert "is below the floor of 5 minutes (TIDINGS_MIN_REFRESH)" in refused.text
    assert agg.feeds() == []
    assert client.post("/admin/feeds", data={**data, "refresh": "10m"}).status_code == 200
    (feed,) = agg.feeds()
    edit = {"csrf_token": token, "url": feed.url, "refresh": "2m", "retention": ""}
    saved = client.post(f"/admin/feeds/{feed.id}", data=edit)
    assert saved.status_code == 400
    assert "refresh interval 2m is below the floor of 5 minutes" in saved.text
    assert agg.feed(feed.id).refresh_seconds == 600


def test_the_edit_form_sets_the_feed_s_user_agent(site: Site, server: FeedServer) -> None:
    agg, client = site
    server.routes["/form.xml"] = Route(RSS)
    token = sign_in(client, agg)
    client.post("/admin/feeds", data={"csrf_token": token, "url": server.url("/form.xml")})
    (feed,) = agg.feeds()
    assert 'name="user_agent" value=""' in client.get(f"/admin/feeds/{feed.id}").text
    edit = {"csrf_token": token, "url": feed.url, "user_agent": "Form/2.0", "retention": ""}
    assert client.post(f"/admin/feeds/{feed.id}", data=edit).status_code == 200
    assert agg.feed(feed.id).user_agent == "Form/2.0"
    assert 'name="user_agent" value="Form/2.0"' in client.get(f"/admin/feeds/{feed.id}").text
    bad = client.post(f"/admin/feeds/{feed.id}", data={**edit, "user_agent": "a\x01b"})
    assert bad.status_code == 400 and "user agent" in bad.text
    assert client.post(f"/admin/feeds/{feed.id}", data={**edit, "user_agent": ""}).is_success
    assert agg.feed(feed.id).user_agent is None


def test_the_health_page_shows_a_feed_s_notice(site: Site, server: FeedServer) -> None:
    agg, client = site
    server.routes["/form.xml"] = Route(RSS)
    token = sign_in(client, agg)
    client.post("/admin/feeds", data={"csrf_token": token, "url": server.url("/form.xml")})
    (feed,) = agg.feeds()
    note = "permanently redirects to http://e.org/f; not adopted: it would drop https"
    now = agg.clock()
    agg.store.apply(UpdatePlan(feed.id, now, now + timedelta(hours=1), notice=note))
    page = client.get("/admin/health").text
    assert note in page and 'class="notice"' in page
    agg.store.apply(UpdatePlan(feed.id, now, now + timedelta(hours=1)))  # gone on the next success
    assert note not in client.get("/admin/health").text
