"""``/metrics``: the update counters and the scheduling gauges in the Prometheus text format.

Counters (fetches by outcome, bytes, new and changed items, the fetch-duration histogram) come
from the process's registry, which the pipeline updates; the gauges (feeds due, the oldest overdue
feed's lag, feeds by health) are read from the store at scrape time, so they are right even for
work done by another process. Like ``/healthz`` it needs no sign-in and changes nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.core import Aggregator
from tidings.update.metrics import Gauge
from tidings.web.context import Web

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def gauges(agg: Aggregator) -> list[Gauge]:
    """The gauges read from the store now."""
    now = agg.clock()
    due, oldest = agg.store.due_summary(now)
    lag = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    states = agg.store.feed_states()
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
            [({"state": name}, count) for name, count in states.items()],
        ),
    ]


def routes(web: Web) -> list[BaseRoute]:
    agg = web.agg

    def metrics(request: Request) -> Response:
        body = agg.metrics.render(gauges(agg))
        return Response(body, headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"})

    return [Route("/metrics", metrics)]
