"""The bundled sample feeds: served at ``/samples/{name}`` for people to read, and subscribed
when ``tidings serve`` starts on a database that never had feeds. Their subscriptions are not
to this server: they are read from the package by any process (``fetch/samples.py``)."""

from __future__ import annotations

import logging
import secrets

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.core import SAMPLES, Aggregator, sample_body
from tidings.errors import TidingsError
from tidings.i18n import gettext as _

log = logging.getLogger("tidings.web")


async def sample(request: Request) -> Response:
    name = request.path_params["name"]
    body = sample_body(name)
    if body is None:
        raise HTTPException(404, _("no such sample feed"))
    return Response(
        body, media_type=SAMPLES[name].split(";")[0], headers={"Content-Type": SAMPLES[name]}
    )


async def subscribe_samples(agg: Aggregator) -> None:
    """On a database that never had feeds, subscribe the bundled samples (once: a person who
    deletes them does not get them back)."""
    marker = agg.settings.data_dir / "samples-subscribed"
    if marker.exists() or agg.feeds():
        return
    try:
        added = await agg.subscribe_samples()
    except TidingsError as exc:
        log.warning("could not subscribe the sample feeds: %s", exc)
        return
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(secrets.token_hex(4))
    log.info("subscribed the %d sample feeds", added)


routes: list[BaseRoute] = [Route("/samples/{name}", sample)]
