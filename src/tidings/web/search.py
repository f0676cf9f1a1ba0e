"""Search data: ``find`` is the one search behind the search page and the search feeds.

The query language (words, "phrases", -exclusions, OR) is explained on the page and parsed by the
aggregator; any text is a valid query, so nothing a person types is an error on the page (the
feeds, which cannot show a message, answer 400 to a query that can find nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from tidings.core import RANK_WINDOW, Aggregator
from tidings.types import Item, SearchHit
from tidings.web.views import Page

MAX_ECHO = 500  # characters of the query shown back in the form and the title


@dataclass(frozen=True, slots=True)
class Found:
    """The hits for a query, or why it can find nothing."""

    hits: tuple[SearchHit, ...]
    problem: str | None


@dataclass(frozen=True, slots=True)
class ShownHit:
    """A hit ready for the template: its title and snippet are escaped text with <mark> only."""

    item: Item
    title: Markup
    snippet: Markup


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    hits: tuple[ShownHit, ...]
    total: int
    page: Page
    now: datetime
    problem: str | None  # why the query finds nothing, when it cannot find anything

    @property
    def more_than(self) -> int | None:
        """The window, when more items match than are ranked ("more than 1000 results")."""
        return RANK_WINDOW if self.total > RANK_WINDOW else None


def find(
    agg: Aggregator, q: str, *, limit: int, offset: int = 0, newest_first: bool = False
) -> Found:
    """The items matching ``q``: best first, or newest first as a subscribed search wants."""
    problem = agg.search_problem(q)
    if problem:
        return Found((), problem)
    return Found(tuple(agg.search(q, limit=limit, offset=offset, newest_first=newest_first)), None)


def _shown(hit: SearchHit) -> ShownHit:
    # the store escaped all the text and added balanced <mark> elements only
    title, snippet = Markup(hit.title_html), Markup(hit.snippet_html)  # noqa: S704
    return ShownHit(hit.item, title, snippet)


def search_results(agg: Aggregator, q: str, page: int) -> SearchResults:
    """One page of the items matching ``q``, best first; an empty ``q`` is just the form."""
    query = q.strip()[:MAX_ECHO]
    size = agg.site().items_per_page
    now = agg.clock()
    empty = Page(page, size, has_next=False)
    if not query:
        return SearchResults("", (), 0, empty, now, None)
    offset = (page - 1) * size
    found = find(agg, q, limit=size, offset=offset)
    if found.problem:
        return SearchResults(query, (), 0, empty, now, found.problem)
    total = agg.search_count(q)
    has_next = len(found.hits) == size and offset + size < min(total, RANK_WINDOW)
    shown = tuple(_shown(h) for h in found.hits)
    return SearchResults(query, shown, total, Page(page, size, has_next), now, None)
