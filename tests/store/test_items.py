"""Items as readers get them: newest first, paged, by feed and by category."""

from __future__ import annotations

from datetime import timedelta

from tests.store.plans import NOW, write
from tidings.store.store import Store
from tidings.types import ParsedItem, UpdatePlan


def test_items_newest_first_paged_and_by_category(store: Store) -> None:
    f1 = store.add_feed("https://e.org/1", now=NOW, categories_=["Tech"])
    f2 = store.add_feed("https://e.org/2", now=NOW)
    for n in range(5):
        store.apply(
            UpdatePlan(
                f1 if n % 2 else f2,
                NOW,
                NOW,
                new=(
                    write(
                        ParsedItem(guid=f"i{n}", title=f"i{n}", published=NOW - timedelta(hours=n))
                    ),
                ),
            )
        )
    assert [i.title for i in store.items()] == ["i0", "i1", "i2", "i3", "i4"]
    assert [i.title for i in store.items(limit=2, offset=2)] == ["i2", "i3"]
    assert [i.title for i in store.items(category="tech")] == ["i1", "i3"]
    assert [i.title for i in store.items(category="Tech")] == ["i1", "i3"]
    assert store.count_items() == 5 and store.count_items(feed_id=f1) == 2
