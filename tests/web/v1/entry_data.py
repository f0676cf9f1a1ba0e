"""A reader's feeds for the /v1 entry tests, written straight to the store: items whose dates,
titles, authors and enclosures differ, in a folder, without one, and hidden from "all"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.conftest import Clock
from tests.web.helpers import add_items
from tidings.core import Aggregator
from tidings.types import Enclosure, ParsedItem


@dataclass
class Feeds:
    work: int  # folder "Work": 6 items
    loose: int  # no folder: 4 items
    hidden: int  # folder "Play", hidden from all: 2 items

    @property
    def all(self) -> tuple[int, int, int]:
        return (self.work, self.loose, self.hidden)


def item(n: int, when: datetime, **extra: object) -> ParsedItem:
    fields: dict[str, object] = {
        "guid": f"urn:item:{n}",
        "title": f"Story {n:02d}",
        "link": f"https://news.example/{n}",
        "author": f"Author {chr(ord('A') + n % 5)}",
        "published": when,
        "content_html": f"<p>{'word ' * (n * 100)}harbour {n}</p>",
    }
    fields.update(extra)
    return ParsedItem(**fields)  # type: ignore[arg-type]


def add_feeds(agg: Aggregator, clock: Clock, user_id: int) -> Feeds:
    """Three followed feeds, their items first seen an hour apart per feed, published at
    distinct times."""
    day = timedelta(days=1)
    start = clock.now - 30 * day
    work_items = [item(n, start + n * day) for n in range(6)]
    work_items[0] = item(
        0,
        start,
        enclosures=(Enclosure("https://news.example/0.mp3", "audio/mpeg", 1234),),
        categories=("ferries", "harbour"),
        title="Ferry timetable",
    )
    work = add_items(agg, clock.now, *work_items, url="https://a.example/f", title="Alpha")
    clock.now += timedelta(hours=1)
    loose_items = [item(n, start + (n - 5.5) * day) for n in range(6, 10)]
    loose = add_items(agg, clock.now, *loose_items, url="https://b.example/f", title="Beta")
    clock.now += timedelta(hours=1)
    hidden_items = [item(n, start + (n - 11.25) * day) for n in range(10, 12)]
    hidden = add_items(agg, clock.now, *hidden_items, url="https://c.example/f", title="Gamma")
    clock.now += timedelta(hours=1)
    agg.store.add_subscription(user_id, work, now=clock.now, folder="Work")
    agg.store.add_subscription(user_id, loose, now=clock.now)
    agg.store.add_subscription(user_id, hidden, now=clock.now, folder="Play")
    agg.edit_subscription(user_id, hidden, hide_from_all=True)
    return Feeds(work, loose, hidden)
