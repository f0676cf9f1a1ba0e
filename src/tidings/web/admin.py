"""The admin pages: feeds (add, edit, delete, update now, remove items, enable), their health and
fetch history, OPML, site settings.

Every route needs a signed-in user; every change is a POST with a checked form token.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.core import SiteSettings
from tidings.errors import NotFoundError, TidingsError
from tidings.parse import ALLOWED_TAGS
from tidings.timefmt import gettext as _
from tidings.timefmt import parse_duration
from tidings.web import views
from tidings.web.auth import checked_form, local_path, require_user
from tidings.web.charts import history_svg
from tidings.web.context import Web

MAX_OPML_BYTES = 5 * 1024 * 1024


def _categories(form: FormData) -> list[str]:
    return [c.strip() for c in str(form.get("categories", "")).split(",") if c.strip()]


def _refresh(form: FormData) -> int | None:
    raw = str(form.get("refresh", "")).strip()
    if not raw:
        return None
    try:
        return parse_duration(raw)
    except ValueError as exc:
        raise TidingsError(f"refresh interval: {exc}") from exc


def _days(raw: str, what: str) -> int | None:
    raw = raw.strip()
    if not raw or raw == "0":
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 36500:
        raise TidingsError(f"{what} must be a number of days, or empty for never")
    return int(raw)


def _tags(raw: str) -> frozenset[str]:
    """A subset of the sanitizer's allowlist; empty means all of it, unknown tags are an error."""
    chosen = frozenset(t.strip().lower().strip("<>") for t in raw.replace(" ", ",").split(","))
    chosen -= {""}
    if not chosen:
        return ALLOWED_TAGS
    unknown = sorted(chosen - ALLOWED_TAGS)
    if unknown:
        raise TidingsError(
            f"not allowed in item HTML: {', '.join(unknown)} "
            "(tidings only lets you narrow its own safe list)"
        )
    return chosen


def routes(web: Web) -> list[BaseRoute]:
    agg = web.agg

    def feed_id(request: Request) -> int:
        raw = request.path_params["feed_id"]
        return int(raw)

    def dashboard(
        request: Request, *, status: int = 200, message: str | None = None, error: str | None = None
    ) -> Response:
        require_user(request)
        feeds = agg.feeds()
        return web.render(
            "admin.html",
            status=status,
            request=request,
            feeds=feeds,
            health=views.health_counts(feeds),
            now=agg.clock(),
            message=message or request.query_params.get("done"),
            error=error,
        )

    def done(message: str, to: str = "/admin") -> Response:
        return RedirectResponse(f"{to}?done={quote(message)}", status_code=303)

    def feed_page(
        request: Request, fid: int, *, status: int = 200, error: str | None = None
    ) -> Response:
        """The feed's form, with its fetch history as a chart and a table."""
        data = views.fetch_history(agg, fid)
        return web.render(
            "admin_feed.html",
            status=status,
            request=request,
            feed=data.feed,
            error=error,
            message=request.query_params.get("done"),
            history=data.fetches,
            # history_svg escapes every piece of text that comes from the data
            chart=Markup(history_svg(data.fetches, title=_("Fetch history"))),  # noqa: S704
            now=data.now,
        )

    async def add(request: Request) -> Response:
        require_user(request)
        form = await checked_form(request)
        try:
            feed = await agg.add_feed(
                str(form.get("url", "")),
                title=str(form.get("title", "")).strip() or None,
                categories=_categories(form),
                refresh_seconds=_refresh(form),
            )
        except TidingsError as exc:
            return await run_in_threadpool(
                dashboard, request, status=400, error=f"Could not add the feed: {exc}"
            )
        return done(f"Added {feed.display_title} with {feed.item_count} items.")

    def edit_form(request: Request) -> Response:
        require_user(request)
        return feed_page(request, feed_id(request))

    def history_json(request: Request) -> Response:
        require_user(request)
        data = views.fetch_history(agg, feed_id(request))
        return JSONResponse(views.fetch_history_json(data))

    def health(request: Request) -> Response:
        require_user(request)
        return web.render(
            "admin_health.html",
            request=request,
            data=views.feed_health(agg),
            message=request.query_params.get("done"),
        )

    async def enable(request: Request) -> Response:
        """Enable a disabled feed; it is due at once. A feed that is not disabled is left as it
        is: enabling clears the error count, which must not hide a feed that is still failing."""
        require_user(request)
        form = await checked_form(request)
        fid = feed_id(request)
        # back to the page the form was on (its path only: the notice is the one query)
        back = urlsplit(local_path(str(form.get("next", "")))).path
        feed = await run_in_threadpool(agg.feed, fid)
        if not feed.disabled_reason:
            return done(_("%(title)s is not disabled.") % {"title": feed.display_title}, back)
        feed = await run_in_threadpool(agg.enable_feed, fid)
        return done(
            _("Enabled %(title)s: it is fetched at the next update.")
            % {"title": feed.display_title},
            back,
        )

    async def edit(request: Request) -> Response:
        require_user(request)
        form = await checked_form(request)
        fid = feed_id(request)
        try:
            feed = await run_in_threadpool(
                agg.edit_feed,
                fid,
                url=str(form.get("url", "")),
                title=str(form.get("title", "")).strip() or None,
                categories=_categories(form),
                refresh_seconds=_refresh(form),
                retention_days=_days(str(form.get("retention", "")), "retention"),
            )
        except NotFoundError:
            raise
        except TidingsError as exc:
            return await run_in_threadpool(feed_page, request, fid, status=400, error=str(exc))
        return done(f"Saved {feed.display_title}.")

    async def delete(request: Request) -> Response:
        require_user(request)
        await checked_form(request)
        feed = await run_in_threadpool(agg.remove_feed, feed_id(request))
        return done(f"Deleted {feed.display_title}.")

    async def update_now(request: Request) -> Response:
        require_user(request)
        await checked_form(request)
        (result,) = await agg.update([feed_id(request)])
        if result.error:
            return done(f"Update failed: {result.error}")
        return done(f"Updated: {result.new} new, {result.changed} changed.")

    async def clear(request: Request) -> Response:
        require_user(request)
        await checked_form(request)
        count = await run_in_threadpool(agg.remove_items, feed_id(request))
        return done(f"Removed {count} items; the next update reads the feed again.")

    async def opml_import(request: Request) -> Response:
        require_user(request)
        form = await checked_form(request)
        upload, url = form.get("file"), str(form.get("url", "")).strip()
        try:
            if isinstance(upload, UploadFile) and upload.filename:
                data = await upload.read(MAX_OPML_BYTES + 1)
                if len(data) > MAX_OPML_BYTES:
                    raise TidingsError("the OPML file is over 5 MB")
            elif url:
                data = await agg.fetch_bytes(url)
            else:
                raise TidingsError("choose an OPML file or give its URL")
            report = await run_in_threadpool(agg.import_opml, data)
        except TidingsError as exc:
            return await run_in_threadpool(
                dashboard, request, status=400, error=f"Could not import: {exc}"
            )
        return done(
            f"Imported {len(report.added)} feeds, skipped {len(report.skipped)}; "
            "they are fetched by the next update."
        )

    def settings_form(request: Request) -> Response:
        require_user(request)
        return web.render(
            "admin_settings.html",
            request=request,
            site=agg.site(),
            error=None,
            all_tags=sorted(ALLOWED_TAGS),
        )

    async def save_settings(request: Request) -> Response:
        require_user(request)
        form = await checked_form(request)
        try:
            per_page = str(form.get("items_per_page", ""))
            if not per_page.isdigit():
                raise TidingsError("items per page must be a whole number")
            try:
                zone = ZoneInfo(str(form.get("timezone", "")).strip())
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise TidingsError("unknown time zone (e.g. UTC, Europe/Ljubljana)") from exc
            site = SiteSettings(
                site_title=str(form.get("site_title", "")),
                items_per_page=int(per_page),
                timezone=zone,
                retention_days=_days(str(form.get("retention", "")), "retention"),
                allowed_tags=_tags(str(form.get("allowed_tags", ""))),
            )
            await run_in_threadpool(agg.save_site, site)
        except TidingsError as exc:
            return web.render(
                "admin_settings.html",
                status=400,
                request=request,
                site=agg.site(),
                error=str(exc),
                all_tags=sorted(ALLOWED_TAGS),
            )
        return done("Settings saved.")

    async def index(request: Request) -> Response:
        return await run_in_threadpool(dashboard, request)

    return [
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
