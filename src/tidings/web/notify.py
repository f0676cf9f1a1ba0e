"""Notification targets on the web: the site's on the admin's page ``/admin/notify`` (feed
health, the site's rules), a person's on their settings page (``/read/settings``).

Both lists show a target's URL masked (never its password or token), whether it is on, what
waits for it, its last delivery and its last error; both take the same forms: add (the URL is
checked by Apprise and its host by the address policy: a refusal is the page again with the
reason, a 400), test (a message queued for the sender's next turn), pause or resume, remove.
Every change is a POST with a checked form token, answered with a redirect and a notice; a
target of someone else is a 404, as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.errors import NotFoundError, TidingsError
from tidings.i18n import gettext as _
from tidings.web import read_settings
from tidings.web.auth import checked_form, require_admin, require_user
from tidings.web.context import agg_of, render
from tidings.web.notices import redirect_with_notice, shown, take_notice

ADMIN = "/admin/notify"
PERSON = "/read/notify"
MAX_FIELD = 2000


def _owner(request: Request) -> int | None:
    """Whose targets a request is about: the site's (an admin on /admin) or the person's."""
    if request.url.path.startswith(ADMIN):
        require_admin(request)
        return None
    return require_user(request).user.id


def _back(request: Request) -> str:
    return ADMIN if request.url.path.startswith(ADMIN) else read_settings.SETTINGS + "#notify"


def _target_id(request: Request) -> int:
    return int(request.path_params["target_id"])


def _sentence(exc: TidingsError) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


async def admin_page(
    request: Request, *, status: int = 200, error: str | None = None, form: FormData | None = None
) -> Response:
    require_admin(request)
    agg = agg_of(request)
    targets = await run_in_threadpool(agg.notify_targets, None)
    page = render(
        request,
        "admin_notify.html",
        status,
        targets=targets,
        now=agg.clock(),
        message=take_notice(request),
        error=error,
        typed=form or {},
    )
    return shown(request, page)


async def index(request: Request) -> Response:
    return await admin_page(request)


async def _error(request: Request, error: str, form: FormData) -> Response:
    if request.url.path.startswith(ADMIN):
        return await admin_page(request, status=400, error=error, form=form)
    return await read_settings.page(request, status=400, error=error, notify_typed=form)


def _field(form: FormData, name: str) -> str:
    value = str(form.get(name, ""))
    if len(value) > MAX_FIELD:
        what = _("url") if name == "url" else _("name")
        message = _("the %(field)s has at most %(n)d characters")
        raise TidingsError(message % {"field": what, "n": MAX_FIELD})
    return value


async def add(request: Request) -> Response:
    """A new target, from its Apprise URL (and a name, and whether it gets the digest)."""
    owner = _owner(request)
    form = await checked_form(request)
    try:
        target = await run_in_threadpool(
            lambda: agg_of(request).add_notify_target(
                owner,
                _field(form, "url"),
                name=_field(form, "name"),
                digest=form.get("digest") is not None,
            )
        )
    except TidingsError as exc:
        return await _error(
            request, _("Could not add the target: %(why)s") % {"why": _sentence(exc)}, form
        )
    notice = _("Added %(name)s: send it a test to see that it works.") % {"name": target.name}
    return redirect_with_notice(request, notice, _back(request))


async def _act(request: Request, act: Callable[[int | None, int], object], notice: str) -> Response:
    owner = _owner(request)
    form = await checked_form(request)
    try:
        await run_in_threadpool(act, owner, _target_id(request))
    except NotFoundError as exc:
        raise HTTPException(404, _("No such notification target.")) from exc
    except TidingsError as exc:
        return await _error(request, _sentence(exc), form)
    return redirect_with_notice(request, notice, _back(request))


async def test(request: Request) -> Response:
    """Queue a test message: the sender delivers it within a minute or so."""
    return await _act(
        request,
        agg_of(request).test_notify_target,
        _("A test message is queued: it goes out within a minute. Its result shows here."),
    )


async def remove(request: Request) -> Response:
    return await _act(
        request, agg_of(request).remove_notify_target, _("Removed the notification target.")
    )


async def pause(request: Request) -> Response:
    agg = agg_of(request)
    return await _act(
        request,
        lambda owner, tid: agg.enable_notify_target(owner, tid, False),
        _("The target is paused: nothing is sent to it."),
    )


async def resume(request: Request) -> Response:
    agg = agg_of(request)
    return await _act(
        request,
        lambda owner, tid: agg.enable_notify_target(owner, tid, True),
        _("The target is on again."),
    )


def _routes(base: str) -> list[BaseRoute]:
    return [
        Route(base, add, methods=["POST"]),
        Route(base + "/{target_id:int}/test", test, methods=["POST"]),
        Route(base + "/{target_id:int}/remove", remove, methods=["POST"]),
        Route(base + "/{target_id:int}/pause", pause, methods=["POST"]),
        Route(base + "/{target_id:int}/resume", resume, methods=["POST"]),
    ]


routes: list[BaseRoute] = [
    Route(ADMIN, index, methods=["GET"]),
    *_routes(ADMIN),
    *_routes(PERSON),
]
