"""The bundled sample feeds: served at ``/samples/{name}``, and subscribed over HTTP (through
the normal fetch pipeline) when ``tidings serve`` starts on a database that never had feeds."""

from __future__ import annotations

import asyncio
import logging
import secrets
from importlib import resources

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.core import Aggregator
from tidings.errors import TidingsError

log = logging.getLogger("tidings.web")

SAMPLES = {
    "tidings-news.xml": "application/rss+xml; charset=utf-8",
    "feed-formats.atom": "application/atom+xml; charset=utf-8",
    "polite-fetching.json": "application/feed+json; charset=utf-8",
}


async def sample(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in SAMPLES:
        raise HTTPException(404, "no such sample feed")
    body = resources.files("tidings.samples").joinpath(name).read_bytes()
    return Response(
        body, media_type=SAMPLES[name].split(";")[0], headers={"Content-Type": SAMPLES[name]}
    )


async def subscribe_samples(agg: Aggregator, base: str) -> None:
    """On a database that never had feeds, subscribe the bundled samples over HTTP."""
    marker = agg.settings.data_dir / "samples-subscribed"
    if marker.exists() or agg.feeds():
        return
    for attempt in range(50):  # the server starts listening just after the lifespan starts
        await asyncio.sleep(0.1 * (attempt + 1))
        try:
            for name in SAMPLES:
                url = f"{base.rstrip('/')}/samples/{name}"
                if not agg.is_subscribed(url):
                    await agg.add_feed(url, categories=["tidings"])
        except TidingsError as exc:
            log.debug("sample feeds not ready yet: %s", exc)
            continue
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(secrets.token_hex(4))
        log.info("subscribed the %d sample feeds", len(SAMPLES))
        return
    log.warning("could not subscribe the sample feeds from %s", base)


routes: list[BaseRoute] = [Route("/samples/{name}", sample)]
