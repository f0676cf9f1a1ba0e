"""The publisher's pings (update/pings.py): the topics a feed's new items change, one ping a
topic per gap however many updates come, nothing for a feed off the site or an update with
nothing new, and a hub that fails costs the update nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from tidings.errors import FetchError
from tidings.types import FetchResult, ItemWrite, ParsedItem, UpdatePlan
from tidings.update.pings import HubPings, topics_of

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BASE = "https://news.example"


class Poster:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[dict[str, str]] = []
        self.fail = fail

    async def post_form(self, url: str, form: dict[str, str]) -> FetchResult:
        self.sent.append({"url": url, **form})
        if self.fail:
            raise FetchError("hub down", kind="connection")
        return FetchResult(url, url, 204, {}, b"", 0.0)


def plan(feed_id: int, new: int = 1) -> UpdatePlan:
    writes = tuple(ItemWrite(f"i{n}", "h", ParsedItem(title="t"), NOW, NOW) for n in range(new))
    return UpdatePlan(feed_id=feed_id, checked_at=NOW, next_check=NOW, new=writes)


async def scopes(feed_id: int) -> Sequence[str]:
    return [] if feed_id == 9 else ["", f"/sources/{feed_id}", "/categories/news"]


def test_topics() -> None:
    assert topics_of(BASE, ["", "/sources/3"]) == [
        f"{BASE}/rss.xml",
        f"{BASE}/atom.xml",
        f"{BASE}/feed.json",
        f"{BASE}/sources/3/rss.xml",
        f"{BASE}/sources/3/atom.xml",
        f"{BASE}/sources/3/feed.json",
    ]


async def test_a_burst_of_updates_is_one_ping_a_topic_per_gap() -> None:
    poster = Poster()
    pings = HubPings("https://hub.example/", BASE + "/", poster, scopes, gap=0.3)
    await pings.arrived(plan(1))
    await pings.arrived(plan(1))
    await pings.arrived(plan(2))
    assert pings._task is not None
    await asyncio.sleep(0.05)
    first = [p["hub.url"] for p in poster.sent]
    assert len(first) == len(set(first)) == 12  # site-wide, category, and two sources' own
    assert all(
        p["hub.mode"] == "publish" and p["url"] == "https://hub.example/" for p in poster.sent
    )
    await pings.arrived(plan(1))  # within the gap: waits for it
    await asyncio.sleep(0.05)
    assert len(poster.sent) == 12
    await asyncio.wait_for(pings._task, 2)
    later = [p["hub.url"] for p in poster.sent[12:]]
    assert sorted(later) == sorted(topics_of(BASE, ["", "/sources/1", "/categories/news"]))
    assert pings.sent == 21
    await pings.aclose()


async def test_nothing_to_ping() -> None:
    poster = Poster()
    pings = HubPings("https://hub.example/", BASE, poster, scopes)
    await pings.arrived(plan(1, new=0))  # nothing new
    await pings.arrived(plan(9))  # off the site
    assert pings._task is None and poster.sent == []
    assert await pings.screen(plan(1)) == plan(1)


async def test_a_failing_hub_is_logged_and_costs_nothing() -> None:
    poster = Poster(fail=True)
    pings = HubPings("https://hub.example/", BASE, poster, scopes)
    await pings.arrived(plan(1))
    assert pings._task is not None
    await asyncio.wait_for(pings._task, 2)
    assert len(poster.sent) == 9 and pings.sent == 0
