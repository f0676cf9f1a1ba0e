"""`db copy`: SQLite -> PostgreSQL -> SQLite gives back the same content, row for row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.pg import fresh_schema
from tidings.errors import StoreError
from tidings.store.copy import copy_database
from tidings.store.schema import metadata
from tidings.store.store import Store
from tidings.types import Enclosure, FeedMeta, ItemWrite, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def fill(store: Store) -> None:
    for n in range(3):
        fid = store.add_feed(
            f"https://e.org/{n}", now=NOW, categories_=["Tech", f"C{n}"], user_agent=f"UA/{n}"
        )
        items = [
            ParsedItem(
                guid=f"{n}-{k}",
                title=f"Čačak “{k}”",
                link=f"https://e.org/{n}/{k}",
                published=NOW - timedelta(hours=k),
                summary_html="<p>x</p>",
                enclosures=(Enclosure("https://e.org/a.mp3", "audio/mpeg", 5),),
            )
            for k in range(40)
        ]
        writes = tuple(
            ItemWrite(identity_of(i), content_hash_of(i), i, NOW, i.published or NOW) for i in items
        )
        store.apply(
            UpdatePlan(
                fid,
                NOW,
                NOW + timedelta(hours=1),
                new=writes,
                etag='"e"',
                meta=FeedMeta(f"Feed {n}", None, "about", None),
                expired=("gone-1",),
                notice=f"notice {n}",
            )
        )


def dump(url: str) -> dict[str, list[tuple[object, ...]]]:
    store = Store.open(url)
    with store.engine.connect() as conn:
        data = {
            t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
            for t in metadata.sorted_tables
        }
    store.close()
    return data


@pytest.mark.postgres
def test_round_trip(tmp_path: Path, pg_database: str) -> None:
    fresh_schema(pg_database)
    first = f"sqlite:///{tmp_path / 'a.db'}"
    back = f"sqlite:///{tmp_path / 'b.db'}"
    store = Store.open(first)
    fill(store)
    store.close()
    seen: list[str] = []
    report = copy_database(first, pg_database, progress=lambda t, d, n: seen.append(t))
    assert report.counts["items"] == 120 and report.counts["tombstones"] == 3
    assert "items" in seen
    copy_database(pg_database, back)
    assert dump(first) == dump(pg_database) == dump(back)
    # the copy is a working installation: new ids continue after the copied ones
    pg = Store.open(pg_database)
    assert pg.add_feed("https://e.org/new", now=NOW) == 4
    pg.close()
    with pytest.raises(StoreError, match="not empty"):
        copy_database(first, pg_database)
