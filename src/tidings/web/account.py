"""The signed-in user's own account: change my password (``/admin/password`` for an admin,
``/read/password`` for anyone signed in, the same form).

The current password is asked for (a browser left signed in does not let anyone take the
account), the new one twice; wrong current passwords are limited per user like guesses
(``attempts``). A change ends every other session of the user; this browser stays signed in.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.people import WrongPasswordError
from tidings.types import Session
from tidings.web.attempts import attempts_of, in_minutes
from tidings.web.auth import checked_form, require_admin, require_user
from tidings.web.context import SESSION_COOKIE, agg_of, render
from tidings.web.notices import redirect_with_notice


def _back(request: Request) -> str:
    """The page the form came from: the admin's feeds, or the reader's settings."""
    return "/admin" if request.url.path.startswith("/admin/") else "/read/settings"


def _session(request: Request) -> Session:
    return require_admin(request) if _back(request) == "/admin" else require_user(request)


def _form(request: Request, status: int = 200, error: str | None = None) -> Response:
    here, back = request.url.path, _back(request)
    return render(request, "admin_password.html", status, error=error, here=here, back=back)


async def password_form(request: Request) -> Response:
    _session(request)
    return _form(request)


async def change_password(request: Request) -> Response:
    session = _session(request)
    form = await checked_form(request)
    agg, attempts, key = agg_of(request), attempts_of(request, "password"), session.user.name
    wait = attempts.wait(key, agg.clock())
    if wait is not None:
        message = _("Too many wrong passwords; try again in %(wait)s.")
        return _form(request, 429, message % {"wait": in_minutes(wait)})
    current, new = str(form.get("current", "")), str(form.get("new", ""))
    if new != str(form.get("again", "")):
        return _form(request, 400, _("The new password and its repetition differ."))
    token = request.cookies.get(SESSION_COOKIE, "")
    try:
        await run_in_threadpool(agg.change_password, token, current, new)
    except TidingsError as exc:
        if isinstance(exc, WrongPasswordError):
            attempts.failed(key, agg.clock())
        return _form(request, 400, str(exc)[:1].upper() + str(exc)[1:] + ".")
    attempts.succeeded(key)
    notice = _("Your password is changed; your other sessions have ended.")
    return redirect_with_notice(request, notice, _back(request))


routes: list[BaseRoute] = [
    Route("/admin/password", password_form, methods=["GET"]),
    Route("/admin/password", change_password, methods=["POST"]),
    Route("/read/password", password_form, methods=["GET"]),
    Route("/read/password", change_password, methods=["POST"]),
]
