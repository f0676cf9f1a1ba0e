"""The Miniflux-compatible JSON API at /v1, so that Miniflux's apps and libraries work.

Each module declares its operations with ``endpoint.Endpoints``; this package gathers their
``routes`` under one mount at /v1 (its 404 and 405 in JSON too) and their ``operations`` for the
OpenAPI document (``openapi.py``) and the ``/api/docs`` page (``docs.py``).
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount

from tidings.web.v1 import (
    categories,
    changes,
    docs,
    entries,
    entry_marks,
    feeds,
    integrations,
    me,
    openapi,
    refresh,
    subscriptions,
)
from tidings.web.v1.endpoint import JsonErrors
from tidings.web.v1.spec import Operation

MODULES = (
    me,
    categories,
    feeds,
    refresh,
    subscriptions,
    entries,
    entry_marks,
    integrations,
    changes,
    openapi,
)

operations: list[Operation] = [op for module in MODULES for op in module.operations]

routes: list[BaseRoute] = [
    Mount(
        "/v1",
        routes=[route for module in MODULES for route in module.routes],
        middleware=[Middleware(JsonErrors)],
    ),
    *docs.routes,
]
