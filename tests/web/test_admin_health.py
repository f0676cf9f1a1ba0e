"""The admin's feed health page, a feed's fetch history and enabling a disabled feed, in-process
against a loopback feed server that serves one good feed, one failing with 500 and one gone (410).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tests.update.test_pipeline import rss
from tests.web.helpers import form_token, sign_in
from tidings.core import Aggregator
from tidings.timefmt import short_age
from tidings.types import UpdatePlan

# slow together (about 9 s here): a site with a fetch history for each test
pytestmark = pytest.mark.slow

HOSTILE_TITLE = '<script>alert("title")</script> Broken & "quoted"'
HOSTILE_ERROR = "<img src=x onerror=alert(1)> went <b>wrong</b>"


@dataclass
class Site:
    agg: Aggregator
    client: TestClient
    clock: Clock
    good: int
    bad: int
    gone: int

    def update(self, *ids: int) -> None:
        """An update in the app's own event loop, as the scheduler would run it."""
        self.client.portal.call(self.agg.update, list(ids))  # type: ignore[union-attr]


@pytest.fixture
def site(site: tuple[Aggregator, TestClient], clock: Clock, server: FeedServer) -> Site:
    """The shared app, subscribed to one good feed, one failing with 500 and one gone."""
    agg, client = site
    server.routes["/good.xml"] = Route(rss("One", "Two"))
    server.routes["/bad.xml"] = Route(b"down", status=500, content_type="text/plain")
    server.routes["/gone.xml"] = Route(b"", status=410)
    now = clock()
    good = agg.store.add_feed(server.url("/good.xml"), now=now, title="Good Feed")
    bad = agg.store.add_feed(server.url("/bad.xml"), now=now, title=HOSTILE_TITLE)
    gone = agg.store.add_feed(server.url("/gone.xml"), now=now, title="Gone Feed")
    return Site(agg, client, clock, good, bad, gone)


def rows(html: str, table: str) -> list[str]:
    """The body rows of the table of class ``table``."""
    match = re.search(rf'<table class="{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert match, f"no {table} table on the page"
    return re.findall(r"<tr\b.*?</tr>", match.group(1), re.S)


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", row, re.S)]


def test_health_lists_failing_and_disabled_feeds(site: Site) -> None:
    sign_in(site.client, site.agg)
    empty = site.client.get("/admin/health")
    assert empty.status_code == 200
    assert "All feeds are healthy" in empty.text and '<table class="health">' not in empty.text

    site.update(site.good, site.bad, site.gone)
    page = site.client.get("/admin/health")
    assert page.status_code == 200 and "All feeds are healthy" not in page.text
    listed = rows(page.text, "health")
    assert len(listed) == 2  # the good feed is not listed
    gone, bad = listed  # disabled first
    assert f'<a href="/admin/feeds/{site.gone}">Gone Feed</a>' in gone
    assert cells(gone)[1] == "HTTP 410 Gone: the publisher has removed this feed"
    assert cells(gone)[3] == "1"
    assert "disabled" in cells(gone)[4] and "Enable again" in gone
    assert f'action="/admin/feeds/{site.gone}/enable"' in gone
    assert 'name="csrf_token"' in gone

    assert f'href="/admin/feeds/{site.bad}"' in bad and "/bad.xml" in cells(bad)[0]
    assert cells(bad)[1] == "HTTP 500 Internal Server Error" and cells(bad)[3] == "1"
    assert "Enable again" not in bad
    (health,) = (h for h in site.agg.health() if h.feed_id == site.bad)
    assert health.next_check is not None
    next_try = short_age(health.next_check, site.clock())
    assert next_try.startswith("in ") and next_try.endswith(" min")  # one unit: "in 15 min"
    assert f'data-age="short">{next_try}</time>' in bad
    assert "just now</time>" in bad  # failing since this very update

    site.clock.now += timedelta(hours=3, minutes=5)
    later = rows(site.client.get("/admin/health").text, "health")
    assert re.search(r'<time datetime="2026-11-28T12:00:00\+00:00" title="[^"]+"', later[1])
    assert ">3 hours ago</time>" in later[1]
    assert cells(later[1])[4] == "due now"  # overdue: the scheduler takes it at once


def test_admin_page_counts_failing_feeds_and_links_health(site: Site) -> None:
    sign_in(site.client, site.agg)
    assert "feeds are failing" not in site.client.get("/admin").text
    site.update(site.good, site.bad, site.gone)
    page = site.client.get("/admin").text
    assert '<a href="/admin/health">Feed health (1 failing, 1 disabled)</a>' in page
    assert "1 feed is failing; 1 is disabled" in page
    assert '<a href="/admin/health"' in site.client.get("/admin/health").text


def test_enable_again(site: Site) -> None:
    token = sign_in(site.client, site.agg)
    site.update(site.good, site.bad, site.gone)
    assert site.agg.feed(site.gone).disabled_reason
    path = f"/admin/feeds/{site.gone}/enable"

    refused = [
        site.client.post(path, data={}, follow_redirects=False),
        site.client.post(path, data={"csrf_token": "forged"}, follow_redirects=False),
        site.client.post(
            path,
            data={"csrf_token": token},
            headers={"Origin": "https://evil.example"},
            follow_redirects=False,
        ),
        site.client.post(
            path,
            data={"csrf_token": token},
            headers={"Sec-Fetch-Site": "cross-site"},
            follow_redirects=False,
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert site.agg.feed(site.gone).disabled_reason  # still disabled
    assert site.client.get(path).status_code == 405

    done = site.client.post(
        path, data={"csrf_token": token, "next": "/admin/health"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/health"
    feed = site.agg.feed(site.gone)
    assert feed.disabled_reason is None and feed.error_count == 0
    assert feed.next_check == site.clock()  # due at once
    page = site.client.get(done.headers["location"]).text
    assert "Enabled Gone Feed: it is fetched at the next update." in page
    assert [h.feed_id for h in site.agg.health()] == [site.bad]
    assert len(rows(page, "health")) == 1

    # the next fetch decides again: still gone, so disabled again
    site.update(site.gone)
    assert site.agg.feed(site.gone).disabled_reason


def test_enable_goes_back_only_to_this_site_and_leaves_failing_feeds_alone(site: Site) -> None:
    token = sign_in(site.client, site.agg)
    site.update(site.good, site.bad, site.gone)
    off_site = site.client.post(
        f"/admin/feeds/{site.gone}/enable",
        data={"csrf_token": token, "next": "https://evil.example/x"},
        follow_redirects=False,
    )
    assert off_site.headers["location"] == "/admin"
    from_feed = site.client.post(
        f"/admin/feeds/{site.bad}/enable",
        data={"csrf_token": token, "next": f"/admin/feeds/{site.bad}?x=1"},
        follow_redirects=False,
    )
    assert from_feed.headers["location"] == f"/admin/feeds/{site.bad}"
    assert site.agg.feed(site.bad).error_count == 1  # not disabled: nothing cleared
    assert "is not disabled." in site.client.get(from_feed.headers["location"]).text
    missing = site.client.post("/admin/feeds/999/enable", data={"csrf_token": token})
    assert missing.status_code == 404


def test_the_feed_page_shows_its_fetch_history(site: Site) -> None:
    sign_in(site.client, site.agg)
    site.update(site.good, site.bad, site.gone)
    site.clock.now += timedelta(hours=2)
    site.update(site.good, site.bad)  # the good one answers 304 to its validators

    good = site.client.get(f"/admin/feeds/{site.good}")
    assert good.status_code == 200
    history = [cells(r) for r in rows(good.text, "history")]
    assert [h[1] for h in history] == ["304", "200"]  # newest first
    assert [h[4] for h in history] == ["0", "2"]  # new items
    assert history[1][3] == str(len(rss("One", "Two")))
    assert all(h[2].endswith(" ms") and h[6] == "" for h in history)
    assert "Recent fetches (2), newest first" in good.text
    assert "2 hours ago</time>" in history_html(good.text)
    svg = re.search(r"<svg\b.*?</svg>", good.text, re.S)
    assert svg and 'class="history-chart"' in svg.group(0)
    assert "New items per day" in svg.group(0) and "<polyline" in svg.group(0)

    bad = site.client.get(f"/admin/feeds/{site.bad}").text
    history = [cells(r) for r in rows(bad, "history")]
    assert [h[1] for h in history] == ["500", "500"]
    assert {h[6] for h in history} == {"HTTP 500 Internal Server Error"}
    assert "2 errors: HTTP 500 Internal Server Error" in bad

    gone = site.client.get(f"/admin/feeds/{site.gone}").text
    assert [cells(r)[1] for r in rows(gone, "history")] == ["410"]
    assert "Enable again" in gone and f'value="/admin/feeds/{site.gone}"' in gone

    fresh = site.agg.store.add_feed("https://example.org/never.xml", now=site.clock())
    never = site.client.get(f"/admin/feeds/{fresh}").text
    assert "Not fetched yet." in never and "No fetches yet." in never


def history_html(html: str) -> str:
    match = re.search(r'<table class="history">.*?</table>', html, re.S)
    assert match
    return match.group(0)


def test_history_json_is_the_same_data(site: Site) -> None:
    sign_in(site.client, site.agg)
    site.update(site.good, site.bad)
    site.clock.now += timedelta(minutes=30)
    site.update(site.good)
    response = site.client.get(f"/admin/feeds/{site.good}/history.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert data["feed"] == {
        "id": site.good,
        "title": "Good Feed",
        "url": site.agg.feed(site.good).url,
        "disabled_reason": None,
        "error_count": 0,
    }
    assert [(f["at"], f["status"], f["new_items"], f["error"]) for f in data["fetches"]] == [
        ("2026-11-28T12:30:00+00:00", 304, 0, None),
        ("2026-11-28T12:00:00+00:00", 200, 2, None),
    ]
    bad = site.client.get(f"/admin/feeds/{site.bad}/history.json").json()
    assert bad["fetches"][0]["error"] == "HTTP 500 Internal Server Error"
    assert site.client.get("/admin/feeds/999/history.json").status_code == 404


def test_history_keeps_the_last_100_fetches(site: Site) -> None:
    sign_in(site.client, site.agg)
    for n in range(103):
        now = site.clock() + timedelta(minutes=n)
        site.agg.store.apply(
            UpdatePlan(site.bad, now, now, status=500, duration_ms=n, error=f"failure {n}")
        )
    page = site.client.get(f"/admin/feeds/{site.bad}").text
    history = [cells(r) for r in rows(page, "history")]
    assert len(history) == 100
    assert history[0][6] == "failure 102" and history[-1][6] == "failure 3"
    assert len(site.client.get(f"/admin/feeds/{site.bad}/history.json").json()["fetches"]) == 100


def test_hostile_titles_and_errors_are_escaped(site: Site) -> None:
    sign_in(site.client, site.agg)
    now = site.clock()
    site.agg.store.apply(
        UpdatePlan(
            site.bad,
            now,
            now + timedelta(minutes=15),
            status=599,
            error_kind="http",
            error=HOSTILE_ERROR,
            error_count=1,
            error_since=now,
        )
    )
    for path in ("/admin/health", f"/admin/feeds/{site.bad}", "/admin"):
        html = site.client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "<b>wrong" not in html, path
        assert "&lt;img src=x onerror=alert(1)&gt; went &lt;b&gt;wrong&lt;/b&gt;" in html, path
    health = site.client.get("/admin/health").text
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; Broken &amp; &#34;quoted&#34;" in (
        health
    )
    data = site.client.get(f"/admin/feeds/{site.bad}/history.json").json()
    assert data["feed"]["title"] == HOSTILE_TITLE  # JSON carries the text as it is
    assert data["fetches"][0]["error"] == HOSTILE_ERROR


def test_pages_obey_the_content_security_policy(site: Site) -> None:
    sign_in(site.client, site.agg)
    site.update(site.good, site.bad, site.gone)
    for path in ("/admin", "/admin/health", f"/admin/feeds/{site.good}"):
        response = site.client.get(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "style-src 'self'" in response.headers["content-security-policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), path
        assert not re.search(r"\sstyle=|<style\b|\son[a-z]+=", response.text), path


def test_gets_change_nothing(site: Site) -> None:
    sign_in(site.client, site.agg)
    site.update(site.good, site.bad, site.gone)

    def state() -> object:
        ids = (site.good, site.bad, site.gone)
        return (
            site.agg.feeds(),
            site.agg.health(),
            [site.agg.fetch_history(i) for i in ids],
        )

    before = state()
    for path in (
        "/admin/health",
        "/admin/health?done=x",
        f"/admin/feeds/{site.gone}",
        f"/admin/feeds/{site.gone}/history.json",
        f"/admin/feeds/{site.gone}/enable",
        f"/admin/feeds/{site.gone}/enable?csrf_token=x",
    ):
        site.client.get(path)
        site.client.head(path)
    assert state() == before


def test_signed_out_users_are_sent_to_sign_in(site: Site) -> None:
    site.update(site.good, site.bad, site.gone)
    for path in ("/admin/health", f"/admin/feeds/{site.gone}/history.json"):
        response = site.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/signin", path
    # a sign-in form's token is a valid token for a visitor, and still enables nothing
    token = form_token(site.client.get("/signin").text)
    response = site.client.post(
        f"/admin/feeds/{site.gone}/enable", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    assert site.agg.feed(site.gone).disabled_reason
