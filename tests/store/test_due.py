"""The due scans: which enabled feeds are due, the longest overdue first, and the next wake."""

from __future__ import annotations

from datetime import timedelta

from tests.store.plans import NOW, failed
from tidings.store.store import Store


def test_due_queries(store: Store) -> None:
    a = store.add_feed("https://a.example/f", now=NOW, next_check=NOW - timedelta(minutes=30))
    b = store.add_feed("https://b.example/f", now=NOW, next_check=NOW - timedelta(minutes=5))
    c = store.add_feed("https://c.example/f", now=NOW, next_check=NOW + timedelta(hours=2))
    off = store.add_feed("https://d.example/f", now=NOW, next_check=NOW - timedelta(days=1))
    store.apply(failed(off, NOW - timedelta(days=1), 1, disabled_reason="gone"))
    assert store.due_feeds(NOW) == [(a, "https://a.example/f"), (b, "https://b.example/f")]
    assert store.due_feeds(NOW, limit=1) == [(a, "https://a.example/f")]
    count, oldest = store.due_summary(NOW)
    assert (count, oldest) == (2, NOW - timedelta(minutes=30))
    assert store.next_due() == NOW - timedelta(minutes=30)
    assert store.next_due(exclude={a, b}) == NOW + timedelta(hours=2)
    assert store.next_due(exclude={a, b, c}) is None
