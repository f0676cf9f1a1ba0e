"""The site's icon: ``/static/favicon.svg``, linked from every page, and at ``/favicon.ico``,
where browsers look for it on their own (so that they never log a 404)."""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

ICON = resources.files("tidings.web").joinpath("static", "favicon.svg")


async def favicon(request: Request) -> Response:
    return Response(
        ICON.read_bytes(),
        media_type="image/svg+xml",
        headers={
            "Content-Type": "image/svg+xml; charset=utf-8",  # SVG is text, like every answer
            "Cache-Control": "public, max-age=86400",
        },
    )


routes: list[BaseRoute] = [Route("/favicon.ico", favicon)]
