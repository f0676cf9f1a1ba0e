"""The web app: What's new, the bundled sample feeds, and health."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tidings.core import Aggregator
from tidings.errors import NotFoundError, TidingsError
from tidings.schedule import run_scheduler
from tidings.web import admin, auth, metrics, outputs, pages, search
from tidings.web.cache import PageCache
from tidings.web.context import Web
from tidings.web.outputs import MAX_ID

log = logging.getLogger("tidings.web")

SAMPLES = {
    "tidings-news.xml": "application/rss+xml; charset=utf-8",
    "feed-formats.atom": "application/atom+xml; charset=utf-8",
    "polite-fetching.json": "application/feed+json; charset=utf-8",
}

CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' https: http: data:; media-src https: http:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    """The same strict headers on every response, error pages included."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        # A route that may be framed (only /embed/latest, see web/outputs.py) opts out by setting
        # its own CSP with a frame-ancestors other than 'none'; X-Frame-Options cannot say
        # "any site", so it is left off there. Everything else keeps DENY.
        csp = response.headers["Content-Security-Policy"]
        if "frame-ancestors" not in csp or "frame-ancestors 'none'" in csp:
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def create_app(
    agg: Aggregator,
    *,
    scheduler: bool = False,
    self_url: str | None = None,
) -> Starlette:
    """The ASGI app over an aggregator.

    With ``scheduler``, the app updates due feeds in the background while it runs; with
    ``self_url`` (the address it is served on), it subscribes its bundled sample feeds on an
    empty database, through the normal fetch pipeline.
    """
    web = Web.create(agg)
    render = web.render

    def healthz(request: Request) -> Response:
        try:
            count = len(agg.store.due_feed_ids(agg.clock(), limit=1))
        except TidingsError as exc:
            return JSONResponse({"status": "error", "error": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "due": count})

    def sample(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in SAMPLES:
            raise HTTPException(404, "no such sample feed")
        body = resources.files("tidings.samples").joinpath(name).read_bytes()
        return Response(
            body, media_type=SAMPLES[name].split(";")[0], headers={"Content-Type": SAMPLES[name]}
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 303 and exc.headers and "Location" in exc.headers:
            return RedirectResponse(exc.headers["Location"], status_code=303)
        return render(
            "error.html",
            status=exc.status_code,
            request=request,
            status_code=exc.status_code,
            message=exc.detail,
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        return render("error.html", status=404, request=request, status_code=404, message=str(exc))

    async def overflow(request: Request, exc: Exception) -> Response:
        # a path id beyond SQLite's 64-bit integers names nothing: 404, as a smaller unknown id
        if any(isinstance(v, int) and v > MAX_ID for v in request.path_params.values()):
            return await not_found(request, NotFoundError("no such item: the number is too large"))
        return await server_error(request, exc)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path, exc_info=exc)
        return render(
            "error.html",
            status=500,
            status_code=500,
            message="Something went wrong on our side. It has been logged.",
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        async with agg:  # the fetch client, for "add" and "update now" too
            tasks = [asyncio.create_task(run_scheduler(agg, stop))] if scheduler else []
            if scheduler and self_url and agg.settings.samples:
                tasks.append(asyncio.create_task(_subscribe_samples(agg, self_url)))
            try:
                yield
            finally:
                stop.set()
                for task in tasks[1:]:  # the scheduler stops by itself, at once
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    static = Path(str(resources.files("tidings.web").joinpath("static")))
    return Starlette(
        routes=[
            *pages.routes(web),
            *auth.routes(web),
            *admin.routes(web),
            *search.routes(web),
            *outputs.routes(web),
            *metrics.routes(web),
            Route("/healthz", healthz),
            Route("/samples/{name}", sample),
            Mount("/static", StaticFiles(directory=static), name="static"),
        ],
        middleware=[
            Middleware(PageCache, seconds=agg.settings.page_cache_seconds),
            Middleware(SecurityHeaders),
            Middleware(auth.SameOrigin, agg=agg),
        ],
        exception_handlers={
            HTTPException: http_error,
            NotFoundError: not_found,
            OverflowError: overflow,
            500: server_error,
        },
        lifespan=lifespan,
    )


async def _subscribe_samples(agg: Aggregator, base: str) -> None:
    """On a database that never had feeds, subscribe the bundled samples over HTTP."""
    marker = agg.settings.data_dir / "samples-subscribed"
    if marker.exists() or agg.feeds():
        return
    for attempt in range(50):  # the server starts listening just after the lifespan starts
        await asyncio.sleep(0.1 * (attempt + 1))
        try:
            for name in SAMPLES:
                url = f"{base.rstrip('/')}/samples/{name}"
                if agg.store.find_feed(url) is None:
                    await agg.add_feed(url, categories=["tidings"])
        except TidingsError as exc:
            log.debug("sample feeds not ready yet: %s", exc)
            continue
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(secrets.token_hex(4))
        log.info("subscribed the %d sample feeds", len(SAMPLES))
        return
    log.warning("could not subscribe the sample feeds from %s", base)
