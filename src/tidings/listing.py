"""The facade's Miniflux-style listing of a person's entries (``EntryFilter``): a page and the
number of matches, or a page of ids. ``Listing`` is a part of ``core.Aggregator``, as
``Reading`` is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tidings.entryfilter import EntryFilter
from tidings.types import Entry

if TYPE_CHECKING:
    from tidings.store.store import Store


class Listing:
    """Entries filtered, ordered and counted as Miniflux's API does."""

    store: Store

    def list_entries(self, user_id: int, f: EntryFilter) -> tuple[int, list[Entry]]:
        """How many of the person's entries ``f`` matches, and its page of them."""
        return self.store.entry_list(user_id, f)

    def list_entry_ids(self, user_id: int, f: EntryFilter) -> tuple[int, list[int]]:
        """How many of the person's entries ``f`` matches, and its page of their ids."""
        return self.store.entry_id_list(user_id, f)
