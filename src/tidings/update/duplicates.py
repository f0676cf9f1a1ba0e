"""The same story under another guid: which stored item a parsed item with a new identity is.

Publishers change guids they promised never to change (a new one at every fetch, http to https,
tracking parameters, a new path scheme); without this each change is the story again, unread.
Pure: the decider (``decide.py``) asks, for a parsed item whose identity is not stored, which
stored item of the same feed it is. docs/arrival.md (Duplicates) states the rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from tidings.storykeys import same_title
from tidings.types import ParsedItem, StoredItem


def is_same_story(item: ParsedItem, stored: StoredItem) -> bool:
    """The rule: the same link key and (the same title or the same text); or the same title
    key (title and publication date) and the same text. Two publication dates that both exist
    and differ are two stories, whatever else they share (a status page's "all clear", a
    weekly column at one address)."""
    if None not in (item.published, stored.published) and item.published != stored.published:
        return False
    link, titled, text = item.keys()
    same_text = text is not None and text == stored.content_key
    if (
        link is not None
        and link == stored.link_key
        and (same_title(item.title, stored.title) or same_text)
    ):
        return True
    return titled is not None and titled == stored.title_key and same_text


class Finder:
    """The stored items a parsed item may turn out to be, each claimed at most once.

    A stored item whose own identity is in this fetch is never a candidate (it is its own
    story), nor one that retention takes now; the indexes are built on the first question, so
    a fetch whose identities are all known costs nothing.
    """

    def __init__(
        self,
        stored: Mapping[str, StoredItem],
        present: Iterable[str],
        leaving: Iterable[str] = (),
    ) -> None:
        self._stored = stored
        self._excluded = set(present) | set(leaving)
        self._by_link: dict[str, list[StoredItem]] | None = None
        self._by_title: dict[str, list[StoredItem]] = {}

    def _index(self) -> dict[str, list[StoredItem]]:
        by_link: dict[str, list[StoredItem]] = defaultdict(list)
        by_title: dict[str, list[StoredItem]] = defaultdict(list)
        for ident, stored in self._stored.items():
            if ident in self._excluded:
                continue
            if stored.link_key:
                by_link[stored.link_key].append(stored)
            if stored.title_key:
                by_title[stored.title_key].append(stored)
        self._by_title = by_title
        return by_link

    def claim(self, item: ParsedItem) -> StoredItem | None:
        """The stored item ``item`` is (now claimed, so no other item of the fetch gets it)."""
        if not self._stored:
            return None
        if self._by_link is None:
            self._by_link = self._index()
        link, titled, _ = item.keys()
        candidates = (self._by_link.get(link, []) if link else []) + (
            self._by_title.get(titled, []) if titled else []
        )
        for stored in candidates:
            if stored.identity not in self._excluded and is_same_story(item, stored):
                self._excluded.add(stored.identity)
                return stored
        return None
