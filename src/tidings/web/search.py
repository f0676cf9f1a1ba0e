"""The search page: ``/search?q=``, paged like What's new.

The query language (words, "phrases", -exclusions, OR) is explained on the page and parsed in
``store/search.py``; any text is a valid query, so nothing a person types is an error here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.core import Aggregator
from tidings.store.search import RANK_WINDOW
from tidings.types import Item, SearchHit
from tidings.web.context import Web, page_number
from tidings.web.views import Page

MAX_ECHO = 500  # characters of the query shown back in the form and the title


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


def _shown(hit: SearchHit) -> ShownHit:
    # store/search.marks_to_html escaped all the text and added balanced <mark> elements only
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
    problem = agg.search_problem(q)
    if problem:
        return SearchResults(query, (), 0, empty, now, problem)
    offset = (page - 1) * size
    total = agg.search_count(q)
    hits = agg.search(q, limit=size, offset=offset)
    has_next = len(hits) == size and offset + size < min(total, RANK_WINDOW)
    return SearchResults(
        query, tuple(_shown(h) for h in hits), total, Page(page, size, has_next), now, None
    )


def routes(web: Web) -> list[BaseRoute]:
    agg = web.agg

    def search(request: Request) -> Response:
        data = search_results(agg, request.query_params.get("q", ""), page_number(request))
        return web.render("search.html", data=data, request=request)

    return [Route("/search", search)]
