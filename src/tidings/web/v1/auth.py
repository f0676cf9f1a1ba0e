"""Who is asking /v1: an API key in ``X-Auth-Token``, or HTTP Basic with the API password.

Never the sign-in password and never a cookie: apps hold the credentials a person made for them
(``/read/settings``), which that person can revoke. Every refusal is Miniflux's error shape,
``{"error_message": "..."}``; failed credentials are counted per name and per address, so that
guessing through the API is as slow as guessing through the sign-in form.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse

from tidings.core import Aggregator
from tidings.i18n import N_
from tidings.i18n import gettext as _
from tidings.types import User
from tidings.web.api_common import Refused, api_secret_user, api_sign_in, basic_credentials

UNAUTHORIZED = N_(
    "Access Unauthorized: send an API key in X-Auth-Token, or your name and API password"
)
CHALLENGE = {"WWW-Authenticate": 'Basic realm="tidings API", charset="UTF-8"'}


class V1Error(Exception):
    """A refusal with its status and message; ``endpoint`` answers it as JSON."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def error(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """Miniflux's error body, which its clients show to people."""
    return JSONResponse({"error_message": message}, status_code=status, headers=headers)


def _api_key_user(agg: Aggregator, secret: str) -> User | None:
    return agg.user_for_api_key(secret)


async def v1_user(request: Request) -> User:
    """The person the request's credentials name; else a 401 (a 429 after too many failures).

    An ``X-Auth-Token`` header is taken before Basic, as Miniflux does."""
    token = request.headers.get("x-auth-token")
    if token is not None:
        found = await api_secret_user(request, _api_key_user, token)
    elif (credentials := basic_credentials(request)) is not None:
        found = await api_sign_in(request, *credentials)
    else:
        raise V1Error(401, _(UNAUTHORIZED), CHALLENGE)
    if isinstance(found, Refused):
        message = _("Access Unauthorized: %(reason)s") % {"reason": found.message}
        if found.throttled:
            raise V1Error(429, message, {"Retry-After": "60"})
        raise V1Error(401, message, CHALLENGE)
    return found
