"""Sign-in, sessions and CSRF.

Every unsafe request must come from our own origin (Origin / Sec-Fetch-Site, checked for all of
them in ``SameOrigin``) and carry a form token: the session's own token when signed in, else a
double-submit token bound to a cookie (for the sign-in form itself).
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.types import Session
from tidings.web.api_common import without_session
from tidings.web.attempts import attempts_of, in_minutes
from tidings.web.context import CSRF_COOKIE, SESSION_COOKIE, agg_of, render
from tidings.web.language import prefer_person

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM_BYTES = 5 * 1024 * 1024


class SameOrigin(BaseHTTPMiddleware):
    """Refuse unsafe methods sent by another site, and load the session for every request."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if without_session(request.url.path):  # no cookies there: each request carries its key
            request.state.session = request.state.user = None
            return await call_next(request)
        if request.method in UNSAFE:
            problem = cross_site(request)
            if problem:
                forbidden = _("Forbidden: %(problem)s") % {"problem": problem}
                return PlainTextResponse(forbidden, status_code=403)
        token = request.cookies.get(SESSION_COOKIE)
        session = await run_in_threadpool(agg_of(request).session, token) if token else None
        request.state.session = session
        request.state.user = session.user if session else None
        if session is not None:
            prefer_person(request, session.user.language)
        response = await call_next(request)
        # only a page that rendered a form token sets the cookie it is checked against: the
        # public pages stay free of cookies, and so can be cached
        new_token = getattr(request.state, "new_csrf", None)
        if new_token and CSRF_COOKIE not in request.cookies and session is None:
            response.set_cookie(
                CSRF_COOKIE,
                new_token,
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
            )
        return response


def cross_site(request: Request) -> str | None:
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return _("cross-site request (%(site)s)") % {"site": site}
    origin = request.headers.get("origin")
    if origin is not None:
        own = f"{request.url.scheme}://{request.url.netloc}"
        if origin == "null" or origin.rstrip("/") != own:
            return _("the request came from another origin")
    return None


async def checked_form(request: Request) -> FormData:
    """The form of an unsafe request, after its CSRF token has been checked (else 403)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_FORM_BYTES):
        raise HTTPException(413, _("the form is too large"))
    form = await request.form(max_files=1, max_fields=200)
    sent = form.get("csrf_token")
    session: Session | None = getattr(request.state, "session", None)
    expected = session.csrf_token if session else request.cookies.get(CSRF_COOKIE)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(
            403,
            _("the form has expired or did not come from this site; reload the page and try again"),
        )
    return form


def require_user(request: Request) -> Session:
    session: Session | None = getattr(request.state, "session", None)
    if session is None:
        raise HTTPException(303, headers={"Location": "/signin"})
    return session


def require_admin(request: Request) -> Session:
    """The session of an admin: signed out goes to the sign-in page, a reader gets a 403 (whose
    page links to their reading)."""
    session = require_user(request)
    if not session.user.is_admin:
        raise HTTPException(403, _("These pages are for the site's admins."))
    return session


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/",
        max_age=14 * 86400,
        secure=request.url.scheme == "https",
    )


def local_path(target: str | None) -> str:
    """Only same-origin relative redirects: anything else goes to /admin."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/admin"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/admin"


# -- sign-in and sign-out ----------------------------------------------------------------------


async def signin_form(request: Request) -> Response:
    has_users = await run_in_threadpool(agg_of(request).has_users)
    next_page = local_path(request.query_params.get("next"))
    return render(request, "signin.html", error=None, next=next_page, no_users=not has_users)


async def signin(request: Request) -> Response:
    """A new session (the old one ends: sessions rotate at sign-in), then the page asked for."""
    form = await checked_form(request)
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    agg, attempts = agg_of(request), attempts_of(request, "signin")
    key = f"{name.strip()}|{request.client.host if request.client else ''}"
    wait = attempts.wait(key, agg.clock())
    if wait is not None:
        error = _("Too many failed sign-ins; try again in %(wait)s.") % {"wait": in_minutes(wait)}
        return render(request, "signin.html", 429, next="/admin", error=error, no_users=False)
    old = request.cookies.get(SESSION_COOKIE)
    token = await run_in_threadpool(agg.sign_in, name, password, old)
    if token is None:
        attempts.failed(key, agg.clock())
        error = _("Wrong user name or password.")
        return render(request, "signin.html", 400, next="/admin", error=error, no_users=False)
    attempts.succeeded(key)
    response = RedirectResponse(await _landing(agg, token, form), status_code=303)
    set_session_cookie(response, request, token)
    return response


async def _landing(agg: Aggregator, token: str, form: FormData) -> str:
    """Where a new session goes: the page asked for, but a reader's way into /admin is /read."""
    target = local_path(str(form.get("next", "")))
    session = await run_in_threadpool(agg.session, token)
    path = urlsplit(target).path
    admin_page = path == "/admin" or path.startswith("/admin/")
    if admin_page and session is not None and not session.user.is_admin:
        return "/read"
    return target


async def signout(request: Request) -> Response:
    await checked_form(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_in_threadpool(agg_of(request).sign_out, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


routes: list[BaseRoute] = [
    Route("/signin", signin_form, methods=["GET"]),
    Route("/signin", signin, methods=["POST"]),
    Route("/signout", signout, methods=["POST"]),
]
