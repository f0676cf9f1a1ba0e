"""The admin pages: feeds (add, edit, delete, update now, remove items, enable), their health and
fetch history, OPML, site settings.

Every route needs a signed-in admin (a reader gets a 403); every change is a POST with a checked
form token and answers with a redirect whose page shows its notice once (``notices``: from the
session, never the URL), or the form again with its error (a 400).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.errors import NotFoundError, TidingsError
from tidings.i18n import gettext as _
from tidings.i18n import ngettext
from tidings.web import admin_forms, admin_views
from tidings.web.auth import checked_form, local_path, require_admin
from tidings.web.charts import history_svg
from tidings.web.context import agg_of, render, run
from tidings.web.notices import redirect_with_notice, shown, take_notice

MAX_OPML_BYTES = 5 * 1024 * 1024


def _feed_id(request: Request) -> int:
    return int(request.path_params["feed_id"])


def _done(request: Request, message: str, to: str = "/admin") -> Response:
    """Back to a page, which shows ``message`` as its notice, once."""
    return redirect_with_notice(request, message, to)


# -- pages -------------------------------------------------------------------------------------


async def _dashboard(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    """The feeds table, with the notice of the change just made or the error of a failed one."""
    data = await run(admin_views.dashboard, request)
    page = render(
        request,
        "admin.html",
        status,
        feeds=data.feeds,
        health=data.health,
        now=data.now,
        message=take_notice(request),
        error=error,
    )
    return shown(request, page)


async def _feed_page(
    request: Request, feed_id: int, *, status: int = 200, error: str | None = None
) -> Response:
    """The feed's form, with its fetch history as a chart and a table."""
    data = await run(admin_views.fetch_history, request, feed_id)
    articles = await run_in_threadpool(agg_of(request).article_counts, [feed_id])
    # history_svg escapes every piece of text that comes from the data
    chart = Markup(history_svg(data.fetches, title=_("Fetch history")))  # noqa: S704
    page = render(
        request,
        "admin_feed.html",
        status,
        feed=data.feed,
        error=error,
        message=take_notice(request),
        history=data.fetches,
        chart=chart,
        now=data.now,
        articles=articles.get(feed_id),
    )
    return shown(request, page)


async def _settings_page(
    request: Request, *, status: int = 200, error: str | None = None
) -> Response:
    data = await run(admin_views.site_settings, request)
    return render(
        request, "admin_settings.html", status, site=data.site, error=error, all_tags=data.all_tags
    )


async def index(request: Request) -> Response:
    require_admin(request)
    return await _dashboard(request)


async def edit_form(request: Request) -> Response:
    require_admin(request)
    return await _feed_page(request, _feed_id(request))


async def history_json(request: Request) -> Response:
    """The data of the feed page's history, for scripts and monitoring."""
    require_admin(request)
    data = await run(admin_views.fetch_history, request, _feed_id(request))
    return JSONResponse(admin_views.fetch_history_json(data))


async def health(request: Request) -> Response:
    require_admin(request)
    data = await run(admin_views.feed_health, request)
    page = render(request, "admin_health.html", data=data, message=take_notice(request))
    return shown(request, page)


async def settings_form(request: Request) -> Response:
    require_admin(request)
    return await _settings_page(request)


# -- changes -----------------------------------------------------------------------------------


async def add(request: Request) -> Response:
    require_admin(request)
    form = await checked_form(request)
    try:
        fields = admin_forms.feed_fields(form, retention=False)
        feed = await agg_of(request).add_feed(
            fields.url,
            title=fields.title,
            categories=fields.categories,
            refresh_seconds=fields.refresh_seconds,
            anyway=fields.anyway,
        )
    except TidingsError as exc:
        error = _("Could not add the feed: %(error)s") % {"error": exc}
        return await _dashboard(request, status=400, error=error)
    if feed.last_error:
        notice = _(
            "Added %(title)s, but it fails for now (%(error)s): "
            "it is tried again on a growing backoff."
        )
        return _done(request, notice % {"title": feed.display_title, "error": feed.last_error})
    notice = ngettext(
        "Added %(title)s with %(n)d item.", "Added %(title)s with %(n)d items.", feed.item_count
    )
    return _done(request, notice % {"title": feed.display_title, "n": feed.item_count})


async def edit(request: Request) -> Response:
    require_admin(request)
    form = await checked_form(request)
    feed_id = _feed_id(request)
    try:
        fields = admin_forms.feed_fields(form, retention=True)
        feed = await run_in_threadpool(
            agg_of(request).edit_feed,
            feed_id,
            url=fields.url,
            title=fields.title,
            categories=fields.categories,
            refresh_seconds=fields.refresh_seconds,
            retention_days=fields.retention_days,
            user_agent=fields.user_agent,
        )
        if fields.unread_cap != feed.unread_cap:
            feed = await run_in_threadpool(
                agg_of(request).set_unread_cap, feed_id, fields.unread_cap
            )
    except NotFoundError:
        raise
    except TidingsError as exc:
        return await _feed_page(request, feed_id, status=400, error=str(exc))
    return _done(request, _("Saved %(title)s.") % {"title": feed.display_title})


async def enable(request: Request) -> Response:
    """Enable a disabled feed; it is due at once. A feed that is not disabled is left as it is:
    enabling clears the error count, which must not hide a feed that is still failing."""
    require_admin(request)
    form = await checked_form(request)
    # back to the page the form was on (its path only)
    back = urlsplit(local_path(str(form.get("next", "")))).path
    agg = agg_of(request)
    feed = await run_in_threadpool(agg.feed, _feed_id(request))
    if not feed.disabled_reason:
        return _done(request, _("%(title)s is not disabled.") % {"title": feed.display_title}, back)
    feed = await run_in_threadpool(agg.enable_feed, feed.id)
    notice = _("Enabled %(title)s: it is fetched at the next update.")
    return _done(request, notice % {"title": feed.display_title}, back)


async def delete(request: Request) -> Response:
    require_admin(request)
    await checked_form(request)
    feed = await run_in_threadpool(agg_of(request).remove_feed, _feed_id(request))
    return _done(request, _("Deleted %(title)s.") % {"title": feed.display_title})


async def update_now(request: Request) -> Response:
    require_admin(request)
    await checked_form(request)
    (result,) = await agg_of(request).update([_feed_id(request)])
    if result.error:
        return _done(request, _("Update failed: %(error)s") % {"error": result.error})
    notice = _("Updated: %(new)d new, %(changed)d changed.")
    return _done(request, notice % {"new": result.new, "changed": result.changed})


async def clear(request: Request) -> Response:
    require_admin(request)
    await checked_form(request)
    n = await run_in_threadpool(agg_of(request).remove_items, _feed_id(request))
    notice = ngettext(
        "Removed %(n)d item; the next update reads the feed again.",
        "Removed %(n)d items; the next update reads the feed again.",
        n,
    )
    return _done(request, notice % {"n": n})


async def opml_import(request: Request) -> Response:
    require_admin(request)
    form = await checked_form(request)
    try:
        data = await _opml_bytes(request, form)
        report = await run_in_threadpool(agg_of(request).import_opml, data)
    except TidingsError as exc:
        error = _("Could not import: %(error)s") % {"error": exc}
        return await _dashboard(request, status=400, error=error)
    finally:
        await form.close()  # the upload's temporary file
    notice = ngettext(
        "Imported %(n)d feed, skipped %(skipped)d; they are fetched by the next update.",
        "Imported %(n)d feeds, skipped %(skipped)d; they are fetched by the next update.",
        len(report.added),
    )
    return _done(request, notice % {"n": len(report.added), "skipped": len(report.skipped)})


async def _opml_bytes(request: Request, form: FormData) -> bytes:
    """The uploaded file (at most 5 MB), else the document at the given URL."""
    upload, url = form.get("file"), str(form.get("url", "")).strip()
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_OPML_BYTES + 1)
        if len(data) > MAX_OPML_BYTES:
            raise TidingsError(_("the OPML file is over 5 MB"))
        return data
    if url:
        return await agg_of(request).fetch_bytes(url)
    raise TidingsError(_("choose an OPML file or give its URL"))


async def save_settings(request: Request) -> Response:
    require_admin(request)
    form = await checked_form(request)
    try:
        await run_in_threadpool(agg_of(request).save_site, admin_forms.site_settings(form))
    except TidingsError as exc:
        return await _settings_page(request, status=400, error=str(exc))
    return _done(request, _("Settings saved."))


routes: list[BaseRoute] = [
    Route("/admin", index, methods=["GET"]),
    Route("/admin/feeds", add, methods=["POST"]),
    Route("/admin/feeds/{feed_id:int}", edit_form, methods=["GET"]),
    Route("/admin/feeds/{feed_id:int}", edit, methods=["POST"]),
    Route("/admin/feeds/{feed_id:int}/delete", delete, methods=["POST"]),
    Route("/admin/feeds/{feed_id:int}/update", update_now, methods=["POST"]),
    Route("/admin/feeds/{feed_id:int}/clear", clear, methods=["POST"]),
    Route("/admin/feeds/{feed_id:int}/enable", enable, methods=["POST"]),
    Route("/admin/feeds/{feed_id:int}/history.json", history_json, methods=["GET"]),
    Route("/admin/health", health, methods=["GET"]),
    Route("/admin/opml", opml_import, methods=["POST"]),
    Route("/admin/settings", settings_form, methods=["GET"]),
    Route("/admin/settings", save_settings, methods=["POST"]),
]
