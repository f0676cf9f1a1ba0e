"""The WebSub callback, ``/websub/{token}``: where hubs verify requests and push content.

GET is the hub's verification of a subscribe or unsubscribe tidings asked for: the challenge is
echoed (200) only for a token that exists, the subscription's own topic and the request it has
pending; anything else, a replayed verification included, is a 404. ``hub.mode=denied`` marks
the subscription denied, with the hub's reason.

POST is content distribution, checked in this order: an unknown token, or a subscription that
is not active or whose lease ended, is a 404; past the subscription's rate (a token bucket:
``BURST`` at once, ``RATE`` a second after that) a 429 with Retry-After; a body over
``TIDINGS_WEBSUB_MAX_BODY``, counted as it streams in, a 413. A body whose ``X-Hub-Signature``
is missing or wrong is answered 202 as the Recommendation asks (a hub must not learn from the
answer whether a forgery passed) but is not processed, and the refusal is logged. A signed body
is answered 202 at once and stored in the background through the pipeline, as a fetch is.

Like the apps' APIs, the path skips the page cache and the same-origin check (``api_common``):
a hub has no cookie and is no browser.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.web.context import agg_of

log = logging.getLogger("tidings.websub")

BURST = 20.0  # pushes a subscription may send at once ...
RATE = 1.0  # ... and a second after that
TOKEN_MAX = 64  # the longest callback token there is (schema: String(64))


@dataclass
class Buckets:
    """A token bucket per subscription, in memory: pushes flooding one subscription are
    refused before their bodies are read."""

    burst: float = BURST
    rate: float = RATE
    clock: Callable[[], float] = time.monotonic
    levels: dict[int, tuple[float, float]] = field(default_factory=dict)  # id: (tokens, at)

    def wait(self, key: int) -> float:
        """0 when a push may go now (and takes its token), else the seconds until it may."""
        now = self.clock()
        tokens, at = self.levels.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1:
            self.levels[key] = (tokens - 1, now)
            return 0.0
        self.levels[key] = (tokens, now)
        if len(self.levels) > 100_000:  # subscriptions come and go: forget the full ones
            self.levels = {k: v for k, v in self.levels.items() if v[0] < self.burst}
        return (1 - tokens) / self.rate


def _buckets(request: Request) -> Buckets:
    state = request.app.state
    if not hasattr(state, "websub_buckets"):
        state.websub_buckets = Buckets()
    found: Buckets = state.websub_buckets
    return found


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)


async def verify(request: Request) -> Response:
    token = request.path_params["token"]
    if len(token) > TOKEN_MAX:
        return _not_found()
    params = dict(request.query_params)
    answer = await run_in_threadpool(agg_of(request).push_verify, token, params)
    if answer is None:
        return _not_found()
    return PlainTextResponse(answer, headers={"Cache-Control": "no-store"})


async def _capped_body(request: Request, cap: int) -> bytes | None:
    """The body, or None as soon as it passes ``cap`` bytes (read no further)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > cap):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def receive(request: Request) -> Response:
    agg = agg_of(request)
    token = request.path_params["token"]
    target = await run_in_threadpool(agg.push_target, token) if len(token) <= TOKEN_MAX else None
    refusal = agg.push_refusal(target)
    if refusal is not None or target is None:
        log.warning("websub: push refused (404): %s", refusal)
        return _not_found()
    wait = _buckets(request).wait(target.id)
    if wait:
        log.warning("websub: push to subscription %s refused (429): over its rate", target.id)
        return PlainTextResponse(
            "Too Many Requests", status_code=429, headers={"Retry-After": str(math.ceil(wait))}
        )
    cap = agg.settings.websub_max_body
    body = await _capped_body(request, cap)
    if body is None:
        log.warning("websub: push to subscription %s refused (413): over %d bytes", target.id, cap)
        return PlainTextResponse(f"the body is over {cap} bytes", status_code=413)
    problem = agg.push_signature_problem(target, request.headers.get("x-hub-signature"), body)
    if problem is not None:
        log.warning(
            "websub: push to subscription %s ignored: %s", target.id, problem,
            extra={"feed_id": target.feed_id},
        )  # fmt: skip
        return Response(status_code=202)
    headers = {"content-type": request.headers.get("content-type", "")}
    agg.push_received(target, body, headers)
    return Response(status_code=202)


routes: list[BaseRoute] = [
    Route("/websub/{token}", verify, methods=["GET"]),
    Route("/websub/{token}", receive, methods=["POST"]),
]
