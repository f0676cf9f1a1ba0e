"""The callback's rate per subscription, the site's own feeds naming their hub, the pings the
hub gets when they change, and the admin's health page showing each feed's push state; tidings
served on loopback with the tests' hub (tests/websubhub.py)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.websubhub import Hub, Site, entry, serve_site, until
from tidings.web.websub import Buckets


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_token_bucket_per_subscription() -> None:
    ticks = Ticks()
    buckets = Buckets(burst=3, rate=0.5, clock=ticks)
    assert [buckets.wait(1) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.wait(1) == pytest.approx(2.0)  # one token a 2 s
    assert buckets.wait(2) == 0.0  # another subscription has its own
    ticks.now += 2
    assert buckets.wait(1) == 0.0
    assert buckets.wait(1) > 0
    ticks.now += 1000
    assert [buckets.wait(1) for _ in range(4)][-1] > 0  # never more than the burst


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    started = await Hub().start()
    yield started
    await started.stop()


pytestmark = pytest.mark.slow


async def test_the_site_feeds_name_their_hub_and_it_is_pinged(tmp_path: Path, hub: Hub) -> None:
    async with serve_site(tmp_path / "data", websub_hub=hub.url) as site:
        rss = (await site.get("/rss.xml")).text
        assert f'<atom:link rel="self" href="{site.base}/rss.xml"' in rss
        assert f'<atom:link rel="hub" href="{hub.url}"' in rss
        atom = (await site.get("/atom.xml")).text
        assert f'<link rel="self" type="application/atom+xml" href="{site.base}/atom.xml"' in atom
        assert f'<link rel="hub" href="{hub.url}"' in atom
        document = json.loads((await site.get("/feed.json")).text)
        assert document["feed_url"] == f"{site.base}/feed.json"
        assert document["hubs"] == [{"type": "WebSub", "url": hub.url}]
        assert "hubs" not in json.loads((await site.get("/search/feed.json?q=x")).text)
        # new items of an on-site feed: the hub hears of the site's feeds and the source's
        feed = await site.agg.add_feed(hub.feed_url, categories=["News"])
        wanted = {
            f"{site.base}{scope}/{name}"
            for scope in ("", f"/sources/{feed.id}", "/categories/news")
            for name in ("rss.xml", "atom.xml", "feed.json")
        }
        await until(lambda: set(hub.pings) == wanted)
        source = (await site.get(f"/sources/{feed.id}/atom.xml")).text
        assert f'<link rel="hub" href="{hub.url}"' in source
        assert f'href="{site.base}/sources/{feed.id}/atom.xml"' in source
        category = (await site.get("/categories/news/rss.xml")).text
        assert f'<atom:link rel="hub" href="{hub.url}"' in category
        assert len(hub.pings) == 9  # once each
        # an update that brings nothing new pings nothing
        await site.agg.update([feed.id])
        hub.entries.append(entry(7, "Later"))
        assert len(hub.pings) == 9


async def test_no_hub_no_hub_link(tmp_path: Path) -> None:
    async with serve_site(tmp_path / "data") as site:
        assert 'rel="hub"' not in (await site.get("/rss.xml")).text
        assert "hubs" not in json.loads((await site.get("/feed.json")).text)


async def sign_in(site: Site, http: httpx.AsyncClient) -> None:
    site.agg.add_user("ada", "correct horse battery", role="admin")
    page = await http.get(site.base + "/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = await http.post(
        site.base + "/signin",
        data={"csrf_token": token.group(1), "name": "ada", "password": "correct horse battery"},
    )
    assert answer.status_code == 303, answer.text


async def test_the_health_page_shows_push_state(tmp_path: Path, hub: Hub) -> None:
    async with serve_site(tmp_path / "data") as site:
        feed = await site.agg.add_feed(hub.feed_url)
        await site.agg.push_tick()
        await hub.settle()
        hub.entries.append(entry(8, "Pushed"))
        assert await hub.distribute(hub.feed_url, hub.document()) == [202]
        await site.agg.push_settled()
        async with httpx.AsyncClient(timeout=5) as http:
            await sign_in(site, http)
            page = (await http.get(site.base + "/admin/health")).text
        section = page.split('<table class="health push">', 1)[1].split("</table>", 1)[0]
        (row,) = re.findall(r"<tr class=\"active\">.*?</tr>", section, re.S)
        assert f'<a href="/admin/feeds/{feed.id}">Pushed</a>' in row and hub.url in row
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", row, re.S)]
        assert cells[1] == "active" and cells[4] == "1" and cells[5] == "-"
        assert "in " in cells[2]  # active until: in an hour
        assert "ago" in cells[3] or "now" in cells[3]  # the last push
