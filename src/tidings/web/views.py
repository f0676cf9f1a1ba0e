"""The data behind each page: one function per page, feeding the HTML and (later) the JSON alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tidings.core import Aggregator
from tidings.types import Item


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True, slots=True)
class ItemList:
    items: tuple[Item, ...]
    page: Page
    now: datetime


def whats_new(agg: Aggregator, page: int) -> ItemList:
    """All items of all feeds, newest first, one page of them."""
    size = agg.settings.items_per_page
    rows = agg.items(limit=size + 1, offset=(page - 1) * size)
    return ItemList(tuple(rows[:size]), Page(page, size, len(rows) > size), agg.clock())
