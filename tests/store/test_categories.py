"""Categories: readable slugs, unique however alike the names."""

from __future__ import annotations

from tests.store.plans import NOW
from tidings.store.categories import slugify
from tidings.store.store import Store


def test_slugs_are_unique_and_readable(store: Store) -> None:
    assert slugify("Čudoviti svet & más") == "cudoviti-svet-mas"
    assert slugify("???") == "category"
    store.add_feed("https://e.org/1", now=NOW, categories_=["C++"])
    store.add_feed("https://e.org/2", now=NOW, categories_=["C"])
    assert sorted(c.slug for c in store.list_categories()) == ["c", "c-2"]
