"""What the three sync APIs (Google Reader, Fever, Miniflux's /v1) share: their paths, the
middleware that serves them to apps, their parameters and their credential checks.

Apps never use cookies, so these paths skip the page cache and the same-origin check of the
pages (there is no session to ride on); they answer CORS for browser-based apps, and gzip when
asked. Failed credentials are counted per name and per address, so guessing a password through
an API is as slow as through the sign-in form.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.synctypes import SYNC_MAX
from tidings.types import User
from tidings.web.attempts import Attempts, in_minutes
from tidings.web.context import agg_of
from tidings.web.language import prefer_person

API_PREFIXES = ("/api/greader.php", "/api/fever.php", "/reader/", "/accounts/", "/fever", "/v1/")
MAX_BODY = 10 * 1024 * 1024
CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", b"Authorization, X-Auth-Token, Content-Type"),
    (b"access-control-allow-methods", b"GET, POST, PUT, DELETE, OPTIONS"),
    (b"access-control-expose-headers", b"X-Reader-Google-Bad-Token"),
]
NAME_LIMIT = 5  # failures per name in the window, as the sign-in form
ADDRESS_LIMIT = 20  # failures per address (keys and tokens have no name)

Params = ImmutableMultiDict[str, str]


# paths only servers call (WebSub hubs): like the APIs, no session and no page cache
SERVER_PREFIXES = ("/websub/",)


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path == "/fever"


def without_session(path: str) -> bool:
    """Whether ``path`` skips the pages' session and same-origin check: an app's API or a
    server's callback, whose requests carry their own credential and no cookie."""
    return is_api_path(path) or path.startswith(SERVER_PREFIXES)


class ApiMiddleware:
    """CORS and gzip for the API paths; everything else passes as it is. A path that starts
    with several slashes is read with one: apps join a server address typed with a trailing
    slash to their own paths (newsboat asks for ``//v1/feeds``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # zlib's default level: 9 costs twice the CPU on JSON for a few % smaller answers
        self.gzip = GZipMiddleware(app, minimum_size=1024, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("//"):
            scope = {**scope, "path": "/" + scope["path"].lstrip("/")}
        if scope["type"] != "http" or not is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": CORS_HEADERS})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *CORS_HEADERS]
            await send(message)

        await self.gzip(scope, receive, with_cors)


def _too_large() -> HTTPException:
    return HTTPException(
        413, _("the request body is over %(size)d MB") % {"size": MAX_BODY // 1024 // 1024}
    )


async def capped_body(request: Request) -> bytes:
    """The request's body, at most 10 MB (else a 413 with a message)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large()
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # the form parser reads it from here
    return body


async def api_params(request: Request) -> Params:
    """The query string and a urlencoded or multipart body, as one multi-dict: apps put the
    same parameters in either (repeated keys kept, ``getlist("i")``)."""
    items = list(request.query_params.multi_items())
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method in ("POST", "PUT") and kind in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        await capped_body(request)
        try:
            form = await request.form(max_files=0, max_fields=SYNC_MAX)
        except HTTPException:
            raise
        except Exception as exc:  # the multipart parser's own errors
            message = _("the form cannot be read: %(error)s") % {"error": exc}
            raise HTTPException(400, message) from exc
        items += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return ImmutableMultiDict(items)


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """The name and password of an ``Authorization: Basic`` header, if there is one."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        name, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (name, password) if sep else None


# -- credentials -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refused:
    """Why credentials were not taken; ``throttled``: too many failures, try later."""

    message: str
    throttled: bool = False


def _attempts(request: Request) -> tuple[Attempts, Attempts]:
    state = request.app.state
    if not hasattr(state, "api_attempts"):
        state.api_attempts = (Attempts(NAME_LIMIT), Attempts(ADDRESS_LIMIT))
    found: tuple[Attempts, Attempts] = state.api_attempts
    return found


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


def _throttled(request: Request, name: str | None) -> Refused | None:
    by_name, by_address = _attempts(request)
    now = agg_of(request).clock()
    waits = [by_address.wait(_address(request), now)]
    if name is not None:
        waits.append(by_name.wait(name.strip().casefold(), now))
    longest = max((w for w in waits if w is not None), default=None)
    if longest is None:
        return None
    wait = in_minutes(longest)
    return Refused(_("too many failed sign-ins; try again in %(wait)s") % {"wait": wait}, True)


def _failed(request: Request, name: str | None) -> None:
    by_name, by_address = _attempts(request)
    now = agg_of(request).clock()
    by_address.failed(_address(request), now)
    if name is not None:
        by_name.failed(name.strip().casefold(), now)


async def api_sign_in(request: Request, name: str, password: str) -> User | Refused:
    """The person of a name and API password (ClientLogin, HTTP Basic), or why not."""
    refused = _throttled(request, name)
    if refused is not None:
        return refused
    user = await run_in_threadpool(agg_of(request).api_sign_in, name, password)
    if user is None:
        _failed(request, name)
        return Refused(_("wrong user name or API password"))
    prefer_person(request, user.language)
    return user


async def api_secret_user(
    request: Request,
    lookup: Callable[[Aggregator, str], User | None],
    secret: str,
    *,
    guessable: bool = False,
) -> User | Refused:
    """The person of a secret (an API key, a Google Reader token, a Fever key), or why not.
    Only a ``guessable`` one (a Fever key is md5 of a name and password) counts failures per
    address: nobody guesses a random 256-bit key or token, and counting an app that retries
    with one made stale by a new password would lock its address out of signing in again."""
    if guessable and (refused := _throttled(request, None)) is not None:
        return refused
    user = await run_in_threadpool(lookup, agg_of(request), secret)
    if user is None:
        if guessable:
            _failed(request, None)
        return Refused(_("the key or token is not valid"))
    prefer_person(request, user.language)
    return user
