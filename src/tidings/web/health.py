"""``/healthz`` and ``/metrics``: for load balancers and Prometheus; no sign-in, no change.

``/metrics`` gives the installation's fetch counters (fetches by outcome, bytes, new and changed
items: every process adds to them in the database), this process's fetch-duration histogram,
and the scheduling gauges (feeds due, the oldest overdue feed's lag, feeds by health), all read
from the store at scrape time so that they count the work of every process.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.core import Aggregator, Gauge
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


def gauges(agg: Aggregator) -> list[Gauge]:
    """The scheduling gauges, read from the store now."""
    now = agg.clock()
    due, oldest = agg.due_summary()
    lag = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return [
        Gauge("tidings_feeds_due", "Enabled feeds whose next check has come.", [({}, due)]),
        Gauge(
            "tidings_oldest_overdue_seconds",
            "How long the most overdue feed has been due (0 when none is).",
            [({}, lag)],
        ),
        Gauge(
            "tidings_feeds",
            "Feeds by health: ok, failing (retrying on backoff) or disabled.",
            [({"state": name}, count) for name, count in agg.feed_states().items()],
        ),
    ]


def metrics_text(agg: Aggregator) -> str:
    """The process's counters with the gauges, as Prometheus reads them."""
    return agg.metrics_text(gauges(agg))


async def metrics(request: Request) -> Response:
    body = await run_in_threadpool(metrics_text, agg_of(request))
    return Response(body, headers={"Content-Type": METRICS_TYPE, "Cache-Control": "no-store"})


routes: list[BaseRoute] = [
    Route("/healthz", healthz),
    Route("/metrics", metrics),
]
