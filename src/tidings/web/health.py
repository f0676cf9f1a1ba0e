"""``/healthz`` and ``/metrics``: for load balancers and Prometheus; no sign-in, no change.

``/metrics`` gives this process's update counters (fetches by outcome, bytes, new and changed
items, the fetch-duration histogram) and the scheduling gauges (feeds due, the oldest overdue
feed's lag, feeds by health), which the aggregator reads from the store at scrape time so that
they are right even for work done by another process.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.errors import TidingsError
from tidings.web.context import agg_of

METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


async def healthz(request: Request) -> Response:
    """Up when the database answers; ``due`` is 1 when some feed waits for an update."""
    try:
        due = await run_in_threadpool(agg_of(request).any_due)
    except TidingsError as exc:
        return JSONResponse({"status": "error", "error": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", "due": int(due)})


async def metrics(request: Request) -> Response:
    body = await run_in_threadpool(agg_of(request).metrics_text)
    return Response(body, headers={"Content-Type": METRICS_TYPE, "Cache-Control": "no-store"})


routes: list[BaseRoute] = [
    Route("/healthz", healthz),
    Route("/metrics", metrics),
]
