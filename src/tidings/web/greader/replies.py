"""What every GReader endpoint answers: JSON, the plain ``OK`` of a write, and errors as text.

Errors are raised as ``ApiError`` and answered by ``endpoint`` as short plain-text bodies with
their status (never the site's HTML error page: the callers are apps, which show the text).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from tidings.errors import NotFoundError, TidingsError
from tidings.i18n import gettext as _

BAD_TOKEN = {"X-Reader-Google-Bad-Token": "true"}


class ApiError(Exception):
    """An answer other than 200: its status, a message for people, and headers."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def unauthorized(bad_token: bool = False) -> ApiError:
    return ApiError(401, "Unauthorized", BAD_TOKEN if bad_token else None)


def ok() -> Response:
    """A write's answer: exactly ``OK`` (News+ and Newsboat compare the body)."""
    return PlainTextResponse("OK")


def json_reply(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status, media_type="application/json")


def tagged_json(request: Request, data: Any) -> Response:
    """JSON with an ETag, and a 304 to a request that already has it (NetNewsWire asks for the
    subscription and tag lists with ``If-None-Match`` and takes 304 as unchanged)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    sent = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if etag in sent or f"W/{etag}" in sent:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


Handler = Callable[[Request], Awaitable[Response]]


def endpoint(handler: Handler, *, write: bool = False) -> Handler:
    """``handler`` with its errors answered as text; a write sent as GET is a 405 (a GET that
    answered ``OK`` and changed nothing would mislead the app)."""

    async def answer(request: Request) -> Response:
        if write and request.method != "POST":
            return PlainTextResponse(
                _("Method Not Allowed: this call changes something; send it as POST"),
                405,
                headers={"Allow": "POST"},
            )
        try:
            return await handler(request)
        except ApiError as error:
            return PlainTextResponse(error.message, error.status, headers=error.headers)
        except HTTPException as error:  # the body's size and form checks of api_common
            return PlainTextResponse(str(error.detail), error.status_code)
        except NotFoundError as error:
            return PlainTextResponse(str(error), 404)
        except TidingsError as error:
            return PlainTextResponse(str(error), 400)

    return functools.wraps(handler)(answer)  # the route's endpoint is the handler, wrapped
