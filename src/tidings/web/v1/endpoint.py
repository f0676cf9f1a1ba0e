"""How a /v1 handler is declared: one ``Operation`` makes both the route and its documentation.

``Endpoints`` collects a module's ``routes`` and ``operations``. Its handlers take the request
and the person (``v1_user``) and return a response; what they raise becomes Miniflux's error
shape: ``V1Error`` as it says, ``NotFoundError`` a 404, any other ``TidingsError`` (a duplicate,
a bad value, a feed that cannot be read) a 400. Never a page of HTML, never a 500 for bad input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tidings.errors import NotFoundError, TidingsError
from tidings.i18n import N_
from tidings.i18n import gettext as _
from tidings.types import User
from tidings.web.api_common import capped_body
from tidings.web.feeddata import MAX_ID
from tidings.web.v1.auth import V1Error, error, v1_user
from tidings.web.v1.spec import Operation

Handler = Callable[[Request, User], Awaitable[Response]]
PublicHandler = Callable[[Request], Awaitable[Response]]

NOT_FOUND = N_("Resource not found")  # Miniflux's words; translated where answered
ZERO_TIME = "0001-01-01T00:00:00Z"  # Miniflux's "never" (Go's zero time), which its clients parse


def rfc3339(when: datetime | None) -> str:
    """A time as Miniflux writes it: UTC, whole seconds, ``Z``."""
    if when is None:
        return ZERO_TIME
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def route_path(op: Operation) -> str:
    """The route under the /v1 mount: ``/v1/feeds/{feed_id}`` -> ``/feeds/{feed_id:int}``."""
    integers = {
        p["name"]
        for p in op.parameters
        if p.get("in") == "path" and p.get("schema", {}).get("type") == "integer"
    }

    def convert(match: re.Match[str]) -> str:
        name = match.group(1)
        return "{" + name + (":int}" if name in integers else "}")

    return re.sub(r"\{(\w+)\}", convert, op.path.removeprefix("/v1"))


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (at most 10 MB); anything else is a 400 saying what."""
    body = await capped_body(request)
    try:
        value = json.loads(body or b"{}")
    except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, 5,000-digit numbers
        raise V1Error(400, _("the request body is not JSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(value, dict):
        raise V1Error(400, _("the request body must be a JSON object"))
    return value


def field(body: dict[str, Any], name: str, kind: type, *, required: bool = False) -> Any:
    """``body[name]`` if it has the type asked (an int is never a bool here); None if absent."""
    value = body.get(name)
    if value is None:
        if required:
            raise V1Error(400, _("%(name)s is required") % {"name": name})
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise V1Error(400, _wrong_type(name, kind))
    if isinstance(value, str) and ("\x00" in value or _unencodable(value)):
        message = _("%(name)s must be text (no NUL, no lone surrogates)") % {"name": name}
        raise V1Error(400, message)
    return value


def _wrong_type(name: str, kind: type) -> str:
    if kind is int:
        return _("%(name)s must be an integer") % {"name": name}
    return _("%(name)s must be a %(kind)s") % {"name": name, "kind": kind.__name__}


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def path_int(request: Request, name: str) -> int:
    """An id of the path (the route only matches digits); one too large names nothing."""
    value = int(request.path_params[name])
    if not 1 <= value <= MAX_ID:
        raise V1Error(404, _(NOT_FOUND))
    return value


def answer(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def no_content() -> Response:
    return Response(status_code=204)


class Endpoints:
    """A module's routes and operations, declared together: ``@endpoints(Operation(...))``."""

    def __init__(self) -> None:
        self.routes: list[BaseRoute] = []
        self.operations: list[Operation] = []

    def __call__(self, op: Operation) -> Callable[[Handler], Handler]:
        """Register a handler that needs the person (``op.auth``)."""

        def register(handler: Handler) -> Handler:
            async def with_user(request: Request) -> Response:
                return await handler(request, await v1_user(request))

            self._add(op, with_user, handler.__name__)
            return handler

        return register

    def public(self, op: Operation) -> Callable[[PublicHandler], PublicHandler]:
        """Register a handler anyone may call (the API's own description)."""

        def register(handler: PublicHandler) -> PublicHandler:
            self._add(op, handler, handler.__name__)
            return handler

        return register

    def _add(self, op: Operation, handler: PublicHandler, name: str) -> None:
        self.operations.append(op)

        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except V1Error as exc:
                return error(exc.status, exc.message, exc.headers)
            except NotFoundError as exc:
                return error(404, str(exc) or _(NOT_FOUND))
            except TidingsError as exc:
                return error(400, str(exc))
            except HTTPException as exc:  # a body over the limit, while it is read
                return error(exc.status_code, exc.detail, exc.headers)

        self.routes.append(Route(route_path(op), endpoint, methods=[op.method], name=f"v1.{name}"))


class JsonErrors:
    """The /v1 mount's own 404 and 405 (no such path, no such method): JSON, not the site's
    error page, so that an app shows the message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except HTTPException as exc:
            message = _(NOT_FOUND) if exc.status_code == 404 else exc.detail
            await error(exc.status_code, message, exc.headers)(scope, receive, send)
