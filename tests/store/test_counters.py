"""The installation's fetch counters: added in the transaction of each stored update, by
outcome, summed over the processes' shards, on both backends."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from tests.store.plans import NOW, failed, ok, write
from tidings.store.counters import SHARDS, FetchTotals
from tidings.store.schema import fetch_counts
from tidings.store.store import Store
from tidings.types import ParsedItem


def test_each_stored_update_is_counted_by_outcome(store: Store) -> None:
    assert store.fetch_totals() == {}
    fid = store.add_feed("https://e.org/f", now=NOW)
    new = (write(ParsedItem(guid="a", title="A")), write(ParsedItem(guid="b", title="B")))
    store.apply(replace(ok(fid, NOW), new=new, bytes=1200))
    store.apply(replace(ok(fid, NOW + timedelta(hours=1)), not_modified=True, status=304))
    store.apply(failed(fid, NOW + timedelta(hours=2), 1))
    store.apply(failed(fid, NOW + timedelta(hours=3), 2))
    assert store.fetch_totals() == {
        "ok": FetchTotals(1, 1200, 2, 0),
        "not_modified": FetchTotals(1, 0, 0, 0),
        "http": FetchTotals(2, 0, 0, 0),
    }


def test_other_processes_shards_are_summed(store: Store) -> None:
    fid = store.add_feed("https://e.org/f", now=NOW)
    store.apply(replace(ok(fid, NOW), bytes=10))
    with store.engine.begin() as conn:  # as if another process had written it
        conn.execute(update(fetch_counts).values(shard=(fetch_counts.c.shard + 1) % SHARDS))
    store.apply(replace(ok(fid, NOW + timedelta(hours=1)), bytes=5))
    assert store.fetch_totals() == {"ok": FetchTotals(2, 15, 0, 0)}


def test_a_write_that_may_not_happen_is_not_counted(store: Store) -> None:
    fid = store.add_feed("https://e.org/f", now=NOW)
    store.remove_feed(fid)
    assert store.apply(ok(fid, NOW)) is False
    assert store.fetch_totals() == {}
