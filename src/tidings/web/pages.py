"""The public HTML pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

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

    return [
        Route("/", index),
        Route("/sources", sources),
        Route("/sources/{feed_id:int}", source),
        Route("/categories", categories),
        Route("/categories/{slug}", category),
    ]
