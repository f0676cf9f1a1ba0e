"""Who is calling: the ``GoogleLogin`` header, or for a POST the auth token as ``T``; and the
edit token (``GET token``) that writes may carry.

Apps differ: most send the header on every call; Liferea sends the auth token as ``T`` in the
body instead; FeedMe sends ``T=`` empty, Reeder ``T=x``, Fluent Reader no ``T`` at all. So a
header-authenticated write is accepted with a missing, blank or ``x`` token, and refused (401
with ``X-Reader-Google-Bad-Token: true``, on which apps fetch a new one) only when it carries a
token that is neither the edit token nor the auth token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from starlette.requests import Request

from tidings.core import Aggregator
from tidings.types import User
from tidings.web.api_common import Params, Refused, api_secret_user
from tidings.web.greader.replies import ApiError, unauthorized

EDIT_TOKEN_LENGTH = 57  # FreshRSS's length, which some apps expect
_HEADER = re.compile(r"\s*GoogleLogin\s+auth\s*=\s*\"?([^\s\",]+)\"?", re.IGNORECASE)
LENIENT_TOKENS = ("", "x")


@dataclass(frozen=True, slots=True)
class Caller:
    user: User
    auth: str  # the auth token the call came with


def edit_token(auth: str) -> str:
    """The edit token of an auth token: derived from it, so stable while it is (until the API
    password changes), and worth no more than the auth token it comes from."""
    digest = hmac.new(b"tidings greader edit token", auth.encode(), hashlib.sha256)
    return digest.hexdigest()[:EDIT_TOKEN_LENGTH]


def header_token(request: Request) -> str | None:
    matched = _HEADER.match(request.headers.get("authorization", ""))
    return matched.group(1) if matched else None


def _lookup(agg: Aggregator, token: str) -> User | None:
    return agg.user_for_greader_auth(token)


async def _user(request: Request, token: str) -> User:
    found = await api_secret_user(request, _lookup, token)
    if isinstance(found, Refused):
        if found.throttled:
            raise ApiError(429, found.message)
        raise unauthorized()
    return found


async def caller(request: Request, params: Params | None = None) -> Caller:
    """The caller of a read (``params`` None: the header only) or of a write (the header, else
    ``T`` = the auth token; a foreign ``T`` beside the header is a bad token)."""
    token = header_token(request)
    sent = None if params is None else (params.get("T") or "").strip()
    if token is None:
        if not sent or sent in LENIENT_TOKENS:
            raise unauthorized()
        return Caller(await _user(request, sent), sent)
    user = await _user(request, token)
    if sent is not None and sent not in LENIENT_TOKENS:
        good = (edit_token(token), token)
        if not any(hmac.compare_digest(sent.encode(), g.encode()) for g in good):
            raise unauthorized(bad_token=True)
    return Caller(user, token)
