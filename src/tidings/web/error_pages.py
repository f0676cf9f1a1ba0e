"""Error pages: every error is the site's own page (with its headers), never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tidings.errors import NotFoundError
from tidings.i18n import N_
from tidings.i18n import gettext as _
from tidings.web.context import render, web_of
from tidings.web.feeddata import MAX_ID

log = logging.getLogger("tidings.web")

# Starlette's reason phrase is the detail of an error raised without one: worded here instead.
REASONS = {
    400: N_("Bad Request"),
    401: N_("Unauthorized"),
    403: N_("Forbidden"),
    404: N_("Not Found"),
    405: N_("Method Not Allowed"),
    409: N_("Conflict"),
    413: N_("Content Too Large"),
    415: N_("Unsupported Media Type"),
    429: N_("Too Many Requests"),
}


async def http_error(request: Request, exc: Exception) -> Response:
    """A 4xx page; a 303 raised by ``require_user`` is the redirect to the sign-in page."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 303 and exc.headers and "Location" in exc.headers:
        return RedirectResponse(exc.headers["Location"], status_code=303)
    message = exc.detail
    if exc.status_code in REASONS and message == HTTPStatus(exc.status_code).phrase:
        message = _(REASONS[exc.status_code])
    return render(
        request, "error.html", exc.status_code, status_code=exc.status_code, message=message
    )


async def not_found(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", 404, status_code=404, message=str(exc))


async def overflow(request: Request, exc: Exception) -> Response:
    """A path id beyond SQLite's 64-bit integers names nothing: 404, as a smaller unknown id."""
    if any(isinstance(v, int) and v > MAX_ID for v in request.path_params.values()):
        too_large = _("no such item: the number is too large")
        return await not_found(request, NotFoundError(too_large))
    return await server_error(request, exc)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("error serving %s", request.url.path, exc_info=exc)
    # no request in the context: the page neither shows the user nor makes a form token
    return web_of(request).render(
        "error.html",
        status=500,
        status_code=500,
        message=_("Something went wrong on our side. It has been logged."),
    )


HANDLERS: Mapping[int | type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
    HTTPException: http_error,
    NotFoundError: not_found,
    OverflowError: overflow,
    500: server_error,
}
