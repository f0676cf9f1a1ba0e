"""Sources, one source with its block, categories: in-process."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items, sign_in
from tidings.core import Aggregator
from tidings.types import FeedMeta, ParsedItem, UpdatePlan


def nato(agg: Aggregator, clock: Clock) -> int:
    fid = add_items(
        agg,
        clock.now,
        *[
            ParsedItem(
                guid=str(n),
                title=f"Story {n}",
                link=f"https://nato.int/{n}",
                published=clock.now - timedelta(days=n),
                summary_html=f"<p>Sum {n}</p>",
            )
            for n in range(5)
        ],
        url="https://nato.int/rss.xml",
        title=None,
        categories=("World", "Défense"),
    )
    agg.store.apply(
        UpdatePlan(
            fid,
            clock.now - timedelta(hours=1, minutes=8),
            clock.now,
            meta=FeedMeta(
                "NATO News",
                "https://nato.int/",
                "News from NATO´s headquarters – “Allies” in Zagreb, Niš and Čačak",
                None,
            ),
        )
    )
    return fid


def test_source_page_has_items_and_the_source_block(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    fid = nato(agg, clock)
    html = client.get(f"/sources/{fid}").text
    assert "Story 0" in html and "Story 4" in html
    assert "News from NATO´s headquarters – “Allies” in Zagreb, Niš and Čačak" in html
    assert "Updated: <time" in html and "1 hour 8 minutes ago</time>" in html
    assert "Subscribe to NATO News feed" in html
    assert 'href="https://nato.int/rss.xml"' in html
    assert f'href="http://testserver/sources/{fid}/rss.xml"' in html
    assert html.index("Story 4") < html.index("source-block")  # the block after the items


def test_failing_reason_only_for_signed_in_users(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    fid = nato(agg, clock)
    agg.store.apply(
        UpdatePlan(
            fid,
            clock.now,
            clock.now,
            error="HTTP 503 Service Unavailable",
            error_count=2,
            error_since=clock.now - timedelta(hours=3),
        )
    )
    assert "503" not in client.get(f"/sources/{fid}").text
    sign_in(client, agg)
    html = client.get(f"/sources/{fid}").text
    assert "Failing: HTTP 503 Service Unavailable (2 errors, since" in html
    assert "3 hours ago" in html


def test_sources_lists_latest_three(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    nato(agg, clock)
    add_items(
        agg, clock.now, ParsedItem(guid="x", title="Lonely"), url="https://b.org/f", title="Another"
    )
    html = client.get("/sources").text
    assert "Story 0" in html and "Story 2" in html and "Story 3" not in html
    assert html.index("Another") < html.index("NATO News")
    assert "Lonely" in html and html.count(">More</a>") == 2


def test_categories(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    nato(agg, clock)
    html = client.get("/categories").text
    assert 'href="/categories/defense"' in html and "Défense" in html and "1 source" in html
    page = client.get("/categories/world")
    assert page.status_code == 200 and "Story 0" in page.text and "NATO News" in page.text
    assert client.get("/categories/nope").status_code == 404


@pytest.mark.parametrize(
    "path", ["/sources/999", "/sources/abc", "/categories/x%00y", "/sources/1?page=0"]
)
def test_not_found_and_bad_requests(site: tuple[Aggregator, TestClient], path: str) -> None:
    _, client = site
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert "Traceback" not in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_source_pages_page(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    agg.save_site(agg.site().__class__(agg.site().site_title, 2, agg.site().timezone, None))
    fid = nato(agg, clock)
    second = client.get(f"/sources/{fid}?page=2").text
    assert "Story 2" in second and "Story 1" not in second
    assert f'href="/sources/{fid}?page=3"' in second and "source-block" in second


def test_ages_are_worded_by_the_server_for_the_refresh_script(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    nato(agg, clock)
    page = client.get("/sources")
    assert '<script src="/static/ages.js" defer></script>' in page.text
    stamp = (clock.now - timedelta(days=4)).isoformat(timespec="seconds")
    assert f'datetime="{stamp}"' in client.get("/").text
    clock.now += timedelta(days=1)
    ages = client.get("/ages.json", params=[("t", stamp), ("t", "2026-01-01T00:00:00")])
    assert ages.status_code == 200
    assert ages.json()[stamp] == "5 days ago"
    assert ages.json()["2026-01-01T00:00:00"].endswith(" ago")
    later = (clock.now + timedelta(hours=23, minutes=50)).isoformat(timespec="seconds")
    short = client.get("/ages.json", params=[("form", "short"), ("t", stamp), ("t", later)])
    assert short.json() == {stamp: "5 days ago", later: "in 23 hours"}  # the admin's one unit
    script = client.get("/static/ages.js")
    assert script.status_code == 200 and "/ages.json?" in script.text
    assert '"form=" + form' in script.text and 'data-age="short"' not in page.text


@pytest.mark.parametrize(
    "params",
    [[("t", "yesterday")], [("t", "2026-13-01T00:00:00")], [("t", "1")] * 501],
)
def test_ages_refuses_what_is_not_a_time(
    site: tuple[Aggregator, TestClient], params: list[tuple[str, str]]
) -> None:
    _, client = site
    response = client.get("/ages.json", params=params)
    assert response.status_code == 400


def test_pages_allow_only_their_own_script(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_main_menu_marks_the_page_it_is_on(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    for path, current in (
        ("/", ["/"]),
        ("/sources", ["/sources"]),
        ("/search?q=ferry", ["/search"]),
        ("/signin", ["/signin"]),
        ("/nowhere", []),
    ):
        html = client.get(path).text
        assert re.findall(r'<a href="([^"]+)" aria-current="page">', html) == current, path
