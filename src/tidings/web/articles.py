"""Full articles on the web: the admin turns them on or off for any feed (and may queue its
latest items), a person for a feed they follow that is not the site's.

Both are POSTs with a checked form token answered by a redirect whose page shows the notice,
or the page again with the error (a 400).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.errors import NotFoundError, TidingsError
from tidings.i18n import gettext as _
from tidings.web import admin, read_settings
from tidings.web.auth import checked_form, require_admin, require_user
from tidings.web.context import agg_of
from tidings.web.notices import redirect_with_notice

LATEST_MAX = 500


def latest_field(form: FormData) -> int:
    """The form's "also fetch the latest N items": empty is none."""
    raw = str(form.get("latest", "")).strip()
    if not raw:
        return 0
    if not raw.isdigit() or int(raw) > LATEST_MAX:
        raise TidingsError(
            _("The latest items to fetch are a number from 0 to %(n)d.") % {"n": LATEST_MAX}
        )
    return int(raw)


def _feed_id(request: Request) -> int:
    return int(request.path_params["feed_id"])


def _turned(on: bool, title: str) -> str:
    if on:
        return _("Full articles on for %(title)s: the pages of its new items are fetched.") % {
            "title": title
        }
    return _("Full articles off for %(title)s.") % {"title": title}


async def admin_save(request: Request) -> Response:
    """The admin's choice for one feed, with the latest items to fetch as well."""
    require_admin(request)
    form = await checked_form(request)
    feed_id = _feed_id(request)
    on = form.get("full_articles") is not None
    try:
        latest = latest_field(form) if on else 0
        feed = await run_in_threadpool(
            agg_of(request).set_full_articles, feed_id, on, latest=latest
        )
    except NotFoundError:
        raise
    except TidingsError as exc:
        return await admin._feed_page(request, feed_id, status=400, error=str(exc))
    return redirect_with_notice(request, _turned(on, feed.display_title), f"/admin/feeds/{feed_id}")


async def person_save(request: Request) -> Response:
    """A person's choice for a feed they follow (the site's feeds are the admin's to set)."""
    session = require_user(request)
    form = await checked_form(request)
    on = form.get("full_articles") is not None
    try:
        feed = await run_in_threadpool(
            agg_of(request).set_followed_full_articles, session.user.id, _feed_id(request), on
        )
    except NotFoundError:
        raise
    except TidingsError as exc:
        return await read_settings.page(request, status=400, error=str(exc))
    return redirect_with_notice(request, _turned(on, feed.display_title), read_settings.SETTINGS)


routes: list[BaseRoute] = [
    Route("/admin/feeds/{feed_id:int}/articles", admin_save, methods=["POST"]),
    Route("/read/subscriptions/{feed_id:int}/articles", person_save, methods=["POST"]),
]
