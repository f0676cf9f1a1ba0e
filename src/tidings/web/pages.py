"""The public HTML pages."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.timefmt import relative_age
from tidings.web import views
from tidings.web.context import Web, page_number


def routes(web: Web) -> list[BaseRoute]:
    agg = web.agg

    def index(request: Request) -> Response:
        data = views.whats_new(agg, page_number(request))
        return web.render("index.html", data=data, request=request)

    def sources(request: Request) -> Response:
        summaries, now = views.sources(agg)
        return web.render("sources.html", sources=summaries, now=now, request=request)

    def source(request: Request) -> Response:
        data = views.source(agg, request.path_params["feed_id"], page_number(request))
        return web.render("source.html", data=data, request=request)

    def categories(request: Request) -> Response:
        return web.render("categories.html", categories=views.categories(agg), request=request)

    def category(request: Request) -> Response:
        data = views.category(agg, request.path_params["slug"], page_number(request))
        return web.render("category.html", data=data, request=request)

    def ages(request: Request) -> Response:
        times = request.query_params.getlist("t")
        if len(times) > MAX_AGES:
            raise HTTPException(400, f"at most {MAX_AGES} times at once, not {len(times)}")
        now, tz = agg.clock(), agg.site().timezone
        return JSONResponse({t: relative_age(_instant(t), now, tz) for t in times})

    return [
        Route("/", index),
        Route("/ages.json", ages),
        Route("/sources", sources),
        Route("/sources/{feed_id:int}", source),
        Route("/categories", categories),
        Route("/categories/{slug}", category),
    ]


MAX_AGES = 500


def _instant(text: str) -> datetime:
    """An ISO-8601 time as the pages print it in ``<time datetime>``; else a 400."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise HTTPException(400, f"not an ISO-8601 time: {text[:40]!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
