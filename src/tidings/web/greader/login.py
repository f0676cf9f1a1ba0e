"""Signing in: ``accounts/ClientLogin`` (name and API password for the auth token), ``token``
(the edit token) and ``user-info``.

ClientLogin takes its fields from a urlencoded or multipart body or from the query string (Capy
Reader posts them in the URL), an ``Email`` that is the name or "name@anything", and answers
Google's text lines, or JSON with ``output=json`` (Read You asks for it).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from tidings.web.api_common import Refused, api_sign_in
from tidings.web.context import run
from tidings.web.greader.auth import edit_token
from tidings.web.greader.common import call_of, params_of
from tidings.web.greader.params import text
from tidings.web.greader.replies import json_reply

FAILED = "Error=BadAuthentication\n"


async def client_login(request: Request) -> Response:
    """The auth token of a name and API password; 401 ``Error=BadAuthentication`` else."""
    params = await params_of(request)
    name, password = text(params, "Email") or "", params.get("Passwd") or ""
    if not name or not password:
        return PlainTextResponse(FAILED, 401)
    found = await api_sign_in(request, name, password)
    if isinstance(found, Refused):
        status = 429 if found.throttled else 401
        return PlainTextResponse(f"{FAILED}Info={found.message}\n", status)
    auth = await run(lambda agg, user: agg.greader_auth(user), request, found)
    if (text(params, "output") or "").lower() == "json":
        return json_reply({"SID": auth, "LSID": auth, "Auth": auth})
    return PlainTextResponse(f"SID={auth}\nLSID={auth}\nAuth={auth}\n")


async def token(request: Request) -> Response:
    """The edit token writes may carry as ``T``: 57 characters and a newline."""
    who, _ = await call_of(request)
    return PlainTextResponse(edit_token(who.auth) + "\n")


async def user_info(request: Request) -> Response:
    who, _ = await call_of(request)
    user = who.user
    return json_reply(
        {
            "userId": str(user.id),
            "userName": user.name,
            "userProfileId": str(user.id),
            "userEmail": user.name,
            "isBloggerUser": False,
            "isMultiLoginEnabled": False,
        }
    )
