"""The public HTML pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.web import views
from tidings.web.context import Web, page_number


def routes(web: Web) -> list[BaseRoute]:
    def index(request: Request) -> Response:
        data = views.whats_new(web.agg, page_number(request))
        return web.render("index.html", data=data, request=request)

    return [Route("/", index)]
