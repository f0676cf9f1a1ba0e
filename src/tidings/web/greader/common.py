"""What the GReader handlers share: the merged parameters, the caller, the facade in a thread."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from tidings.web.api_common import Params, api_params
from tidings.web.greader.auth import Caller, caller
from tidings.web.greader.replies import ApiError


async def params_of(request: Request) -> Params:
    """The query string and the body's form, merged (a 400 or 413 with a message if the
    body cannot be read)."""
    try:
        return await api_params(request)
    except HTTPException as error:
        raise ApiError(error.status_code, str(error.detail)) from error


async def call_of(request: Request) -> tuple[Caller, Params]:
    """The parameters and the caller: a POST may carry the auth token as ``T`` instead of the
    header (a GET only the header)."""
    params = await params_of(request)
    found = await caller(request, params if request.method == "POST" else None)
    return found, params
