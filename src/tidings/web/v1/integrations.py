"""Miniflux's third-party integrations (saving an entry to Wallabag, Pocket...): tidings has
none, and says so the way Miniflux does for a person who set none up, so that apps hide their
"save" button or show why it did nothing (Flux News looks for this very message)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from tidings.types import User
from tidings.web.v1.auth import V1Error
from tidings.web.v1.endpoint import Endpoints, answer, path_int
from tidings.web.v1.spec import BOOLEAN, Operation, obj, path_id, schema

# Miniflux's words, which Flux News matches: the same in every language, not translated
NO_INTEGRATION = "no third-party integration enabled"
STATUS = schema(
    "IntegrationsStatus",
    obj({"has_integrations": {**BOOLEAN, "description": "false: tidings saves to no service"}}),
)

endpoints = Endpoints()


@endpoints(
    Operation(
        "GET",
        "/v1/integrations/status",
        "Whether entries can be saved to a third-party service: never, in tidings",
        "integrations",
        responses={200: STATUS},
    )
)
async def integrations_status(request: Request, user: User) -> Response:
    return answer({"has_integrations": False})


@endpoints(
    Operation(
        "POST",
        "/v1/entries/{entry_id}/save",
        f'Save an entry to a third-party service: always a 400, "{NO_INTEGRATION}"',
        "integrations",
        parameters=(path_id("entry_id", "entry"),),
        responses={400: "Error"},
    )
)
async def save_entry(request: Request, user: User) -> Response:
    path_int(request, "entry_id")  # an id too large is a 404, as everywhere
    raise V1Error(400, NO_INTEGRATION)


routes = endpoints.routes
operations = endpoints.operations
