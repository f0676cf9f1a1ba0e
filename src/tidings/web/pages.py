"""The public HTML pages: What's new, sources, categories, search, and the ages script's JSON.

Each handler reads one data function of ``views`` (or ``search``) in a worker thread and renders
its template; the same data functions feed the outgoing feeds and JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tidings import agelocale, i18n
from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.web import views
from tidings.web.context import page_number, render, run
from tidings.web.search import search_results

MAX_AGES = 500


async def index(request: Request) -> Response:
    data = await run(views.whats_new, request, page_number(request))
    return render(request, "index.html", data=data)


async def sources(request: Request) -> Response:
    summaries, now = await run(views.sources, request)
    return render(request, "sources.html", sources=summaries, now=now)


async def source(request: Request) -> Response:
    data = await run(views.source, request, request.path_params["feed_id"], page_number(request))
    return render(request, "source.html", data=data)


async def categories(request: Request) -> Response:
    return render(request, "categories.html", categories=await run(views.categories, request))


async def category(request: Request) -> Response:
    data = await run(views.category, request, request.path_params["slug"], page_number(request))
    return render(request, "category.html", data=data)


async def search(request: Request) -> Response:
    q = request.query_params.get("q", "")
    data = await run(search_results, request, q, page_number(request))
    return render(request, "search.html", data=data)


async def ages(request: Request) -> Response:
    """The ages the refresh script shows, worded by the server (so they are translated);
    ``form=short`` words them in one unit, as the admin's tables show them."""
    times = request.query_params.getlist("t")
    if len(times) > MAX_AGES:
        too_many = _("at most %(max)d times at once, not %(n)d")
        raise HTTPException(400, too_many % {"max": MAX_AGES, "n": len(times)})
    instants = [_instant(t) for t in times]
    short = request.query_params.get("form") == "short"
    worded = await run(worded_ages, request, instants, i18n.current(), short=short)
    return JSONResponse(dict(zip(times, worded, strict=True)))


def worded_ages(
    agg: Aggregator, instants: list[datetime], language: str, *, short: bool = False
) -> list[str]:
    """Each instant's age now, in the site's time zone and ``language`` (the page's: the
    script asks with ``lang=``), in one unit when ``short``."""
    now, tz = agg.clock(), agg.site().timezone
    return [agelocale.age(language, when, now, tz, short=short) for when in instants]


def _instant(text: str) -> datetime:
    """An ISO-8601 time as the pages print it in ``<time datetime>``; else a 400."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        not_time = _("not an ISO-8601 time: %(text)r") % {"text": text[:40]}
        raise HTTPException(400, not_time) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


routes: list[BaseRoute] = [
    Route("/", index),
    Route("/ages.json", ages),
    Route("/sources", sources),
    Route("/sources/{feed_id:int}", source),
    Route("/categories", categories),
    Route("/categories/{slug}", category),
    Route("/search", search),
]
