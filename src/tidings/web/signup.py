"""Sign up: when ``TIDINGS_OPEN_SIGNUP`` is true, anyone may create a reader's account (a name,
a password twice) and is signed in at once; when it is false the page does not exist (404).

Attempts are limited per address like guesses at the sign-in form (``attempts``): every try
counts, a successful one too, so one address cannot make accounts in bulk.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.web.attempts import attempts_of, in_minutes
from tidings.web.auth import checked_form, set_session_cookie
from tidings.web.context import SESSION_COOKIE, agg_of, render


def _open(request: Request) -> None:
    if not agg_of(request).settings.open_signup:
        raise HTTPException(404, _("Not found: this site does not take sign-ups."))


def _form(
    request: Request, status: int = 200, error: str | None = None, name: str = ""
) -> Response:
    return render(request, "signup.html", status, error=error, typed_name=name)


async def signup_form(request: Request) -> Response:
    _open(request)
    return _form(request)


async def signup(request: Request) -> Response:
    """A new reader, signed in, on their way to their settings to subscribe."""
    form = await checked_form(request)  # first, as on every unsafe route
    _open(request)
    agg, attempts = agg_of(request), attempts_of(request, "signup")
    key = request.client.host if request.client else ""
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    wait = attempts.wait(key, agg.clock())
    if wait is not None:
        message = _("Too many sign-ups from here; try again in %(wait)s.")
        return _form(request, 429, message % {"wait": in_minutes(wait)}, name)
    attempts.failed(key, agg.clock())  # every try counts
    if password != str(form.get("again", "")):
        return _form(request, 400, _("The password and its repetition differ."), name)
    try:
        await run_in_threadpool(agg.sign_up, name, password)
    except TidingsError as exc:
        return _form(request, 400, str(exc)[:1].upper() + str(exc)[1:] + ".", name)
    token = await run_in_threadpool(
        agg.sign_in, name, password, request.cookies.get(SESSION_COOKIE)
    )
    response = RedirectResponse("/read/settings", status_code=303)
    if token is not None:
        set_session_cookie(response, request, token)
    return response


routes: list[BaseRoute] = [
    Route("/signup", signup_form, methods=["GET"]),
    Route("/signup", signup, methods=["POST"]),
]
