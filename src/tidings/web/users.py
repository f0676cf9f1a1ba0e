"""The admin's page of the people who may sign in: list them with their roles, add a reader or
an admin, change a role, remove someone.

Only admins reach it (``require_admin``). An admin cannot remove themselves nor take away their
own admin role from here, so the site always keeps the admin who is using it. Users are named in
the forms' fields, not in paths (a name may hold any character).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.errors import TidingsError
from tidings.i18n import N_
from tidings.i18n import gettext as _
from tidings.types import Session
from tidings.web.auth import checked_form, require_admin
from tidings.web.context import agg_of, render
from tidings.web.notices import redirect_with_notice, shown, take_notice

ROLES = ("reader", "admin")
ROLE_NAMES = {"reader": N_("reader"), "admin": N_("admin")}  # the roles as sentences name them
USERS = "/admin/users"


async def _page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    require_admin(request)
    agg = agg_of(request)
    accounts = await run_in_threadpool(agg.users)
    page = render(
        request,
        "admin_users.html",
        status,
        accounts=accounts,
        roles=ROLES,
        now=agg.clock(),
        message=take_notice(request),
        error=error,
    )
    return shown(request, page)


def _role(form: FormData) -> str:
    role = str(form.get("role", ""))
    if role not in ROLES:
        raise TidingsError(_("a role is reader or admin"))
    return role


def _name(form: FormData) -> str:
    name = str(form.get("name", "")).strip()
    if not name:
        raise TidingsError(_("say which user"))
    return name


def _not_yourself(session: Session, name: str, what: str) -> None:
    if name == session.user.name:
        raise TidingsError(what)


async def index(request: Request) -> Response:
    return await _page(request)


async def add(request: Request) -> Response:
    """A new reader or admin with a first password (they can change it once signed in)."""
    require_admin(request)
    form = await checked_form(request)
    agg = agg_of(request)
    try:
        role, name = _role(form), _name(form)
        if str(form.get("password", "")) != str(form.get("again", "")):
            raise TidingsError(_("the password and its repetition differ"))
        user = await run_in_threadpool(agg.add_user, name, str(form.get("password", "")), role)
    except TidingsError as exc:
        error = _("Could not add the user: %(error)s.") % {"error": exc}
        return await _page(request, status=400, error=error)
    role_name = _(ROLE_NAMES.get(user.role, user.role))
    notice = _("Added %(name)s as %(role)s.") % {"name": user.name, "role": role_name}
    return redirect_with_notice(request, notice, USERS)


async def set_role(request: Request) -> Response:
    session = require_admin(request)
    form = await checked_form(request)
    try:
        role, name = _role(form), _name(form)
        if role != "admin":
            _not_yourself(session, name, _("you cannot take away your own admin role"))
        await run_in_threadpool(agg_of(request).set_role, name, role)
    except TidingsError as exc:
        error = _("Could not change the role: %(error)s.") % {"error": exc}
        return await _page(request, status=400, error=error)
    notice = _("%(name)s is now %(role)s.") % {"name": name, "role": _(ROLE_NAMES[role])}
    return redirect_with_notice(request, notice, USERS)


async def remove(request: Request) -> Response:
    """Remove a user: their sessions end, their subscriptions and reading state go."""
    session = require_admin(request)
    form = await checked_form(request)
    try:
        name = _name(form)
        _not_yourself(session, name, _("you cannot remove yourself"))
        user = await run_in_threadpool(agg_of(request).remove_user, name)
    except TidingsError as exc:
        error = _("Could not remove the user: %(error)s.") % {"error": exc}
        return await _page(request, status=400, error=error)
    return redirect_with_notice(request, _("Removed %(name)s.") % {"name": user.name}, USERS)


routes: list[BaseRoute] = [
    Route(USERS, index, methods=["GET"]),
    Route(USERS, add, methods=["POST"]),
    Route(f"{USERS}/role", set_role, methods=["POST"]),
    Route(f"{USERS}/remove", remove, methods=["POST"]),
]
