"""Handlers and the data functions behind them, one at a time: each route is a module-level
function that reads one data function, and a route's HTML and JSON (or feed) forms show the
same data."""

from __future__ import annotations

import inspect
import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from starlette.datastructures import FormData
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items, request_for, sign_in
from tidings.core import ALLOWED_TAGS, Aggregator
from tidings.errors import NotFoundError, TidingsError
from tidings.types import ParsedItem
from tidings.web import admin_forms, admin_views, health, pages
from tidings.web.app import create_app, route_table
from tidings.web.conditional import respond
from tidings.web.feeddata import latest, latest_json
from tidings.web.search import find, search_results

AREAS = {
    "tidings.web.pages",
    "tidings.web.outputs",
    "tidings.web.auth",
    "tidings.web.admin",
    "tidings.web.account",
    "tidings.web.health",
    "tidings.web.samples",
    "tidings.web.icons",
    "tidings.web.reading",
    "tidings.web.users",
    "tidings.web.signup",
    "tidings.web.read_settings",
    "tidings.web.app_passwords",
    "tidings.web.private_feeds",
    "tidings.web.fever",
    "tidings.web.articles",
    "tidings.web.websub",
    "tidings.web.rules",
    "tidings.web.notify",
}
# the apps' APIs: each protocol a package of its own modules
API_PACKAGES = ("tidings.web.greader", "tidings.web.v1")


def stories(agg: Aggregator, clock: Clock, n: int = 6) -> int:
    return add_items(
        agg,
        clock.now,
        *[
            ParsedItem(
                guid=str(i),
                title=f"Ferry story {i}",
                link=f"https://e.org/{i}",
                published=clock.now - timedelta(hours=i + 1),
                summary_html=f"<p>Ferry timetable {i}</p>",
            )
            for i in range(n)
        ],
    )


def test_every_route_is_a_module_level_coroutine_of_its_area() -> None:
    for route in route_table():
        if not isinstance(route, Route):
            continue
        endpoint = route.endpoint
        module = endpoint.__module__
        assert module in AREAS or module.startswith(API_PACKAGES), route.path
        assert "<locals>" not in endpoint.__qualname__, route.path
        assert inspect.iscoroutinefunction(endpoint), route.path


def test_embed_html_and_json_show_the_data_of_one_function(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    stories(agg, clock)
    data = latest(agg, "http://testserver/", 4, category=None, source=None)
    assert [i.title for i in data.items] == [f"Ferry story {i}" for i in range(4)]
    html = client.get("/embed/latest?count=4").text
    shown = [html.index(f">{item.title}</a>") for item in data.items]
    assert shown == sorted(shown) and "Ferry story 4" not in html
    got = client.get("/embed/latest.json?count=4").json()
    assert got == json.loads(json.dumps(latest_json(data)))


def test_search_page_and_feed_read_the_same_search(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    stories(agg, clock, 3)
    newest = find(agg, "ferry", limit=50, newest_first=True)
    feed = client.get("/search/feed.json?q=ferry").json()
    assert [i["url"] for i in feed["items"]] == [h.item.link for h in newest.hits]
    page = search_results(agg, "ferry", 1)
    assert {h.item.id for h in page.hits} == {h.item.id for h in newest.hits}
    assert page.total == 3 and page.problem is None
    void = find(agg, "-ferry", limit=50)
    assert void.hits == () and void.problem
    assert search_results(agg, "-ferry", 1).problem == void.problem
    assert client.get("/search/feed.json?q=-ferry").status_code == 400


def test_fetch_history_feeds_the_page_and_its_json(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    fid = stories(agg, clock, 1)
    sign_in(client, agg)
    data = admin_views.fetch_history(agg, fid)
    got = client.get(f"/admin/feeds/{fid}/history.json").json()
    assert got == admin_views.fetch_history_json(data)
    assert (
        got["feed"]["id"] == fid
        and data.feed.display_title in client.get(f"/admin/feeds/{fid}").text
    )


async def test_a_page_handler_alone(agg: Aggregator, clock: Clock) -> None:
    fid = stories(agg, clock, 2)
    app = create_app(agg)
    response = await pages.source(request_for(app, f"/sources/{fid}", path_params={"feed_id": fid}))
    assert response.status_code == 200
    assert b"Ferry story 1" in response.body and b"NATO News" in response.body
    with pytest.raises(NotFoundError):  # the app's error pages turn it into a 404
        await pages.source(request_for(app, "/sources/99", path_params={"feed_id": 99}))


async def test_ages_and_health_handlers_alone(agg: Aggregator, clock: Clock) -> None:
    app = create_app(agg)
    when = (clock.now - timedelta(days=18)).isoformat()
    ages = await pages.ages(request_for(app, "/ages.json", urlencode({"t": when})))
    assert json.loads(bytes(ages.body)) == {when: "2 weeks 4 days ago"}
    assert pages.worded_ages(agg, [clock.now - timedelta(minutes=3)], "en") == ["3 minutes ago"]
    assert pages.worded_ages(agg, [clock.now - timedelta(minutes=3)], "de") == ["vor 3 Minuten"]
    stories(agg, clock, 1)
    healthz = await health.healthz(request_for(app, "/healthz"))
    assert json.loads(bytes(healthz.body)) == {"status": "ok", "due": 1}
    metrics = await health.metrics(request_for(app, "/metrics"))
    assert b"tidings_feeds_due 1" in metrics.body


def test_respond_answers_304_to_its_own_etag(agg: Aggregator) -> None:
    app = create_app(agg)
    first = respond(request_for(app, "/x"), b"body", "text/plain")
    assert first.status_code == 200 and first.body == b"body"
    etag = first.headers["etag"]
    again = respond(request_for(app, "/x", headers={"If-None-Match": etag}), b"body", "text/plain")
    assert again.status_code == 304 and again.headers["etag"] == etag
    changed = respond(request_for(app, "/x", headers={"If-None-Match": etag}), b"new", "text/plain")
    assert changed.status_code == 200


def test_admin_forms_read_fields_and_refuse_bad_ones() -> None:
    form = FormData(
        {
            "site_title": "Planet",
            "items_per_page": "20",
            "timezone": "Europe/Ljubljana",
            "retention": "30",
            "allowed_tags": "<b>, i",
        }
    )
    site = admin_forms.site_settings(form)
    assert site.items_per_page == 20 and site.retention_days == 30
    assert site.allowed_tags == frozenset({"b", "i"}) and str(site.timezone) == "Europe/Ljubljana"
    assert admin_forms.tags(" , ") == ALLOWED_TAGS
    with pytest.raises(TidingsError, match="script"):
        admin_forms.tags("b, script")
    with pytest.raises(TidingsError, match="time zone"):
        admin_forms.site_settings(FormData({"items_per_page": "5", "timezone": "Mars/Base"}))
    fields = admin_forms.feed_fields(
        FormData({"url": "https://e.org/f", "title": " ", "categories": "a, ,b", "refresh": "2h"}),
        retention=False,
    )
    assert fields.title is None and fields.categories == ["a", "b"]
    assert fields.refresh_seconds == 7200 and fields.retention_days is None
