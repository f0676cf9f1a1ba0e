"""The admin pages: feeds (add, edit, delete, update now, remove items), OPML, site settings.

Every route needs a signed-in user; every change is a POST with a checked form token.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.core import SiteSettings
from tidings.errors import NotFoundError, TidingsError
from tidings.parse import ALLOWED_TAGS
from tidings.timefmt import parse_duration
from tidings.web.auth import checked_form, require_user
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
        return web.render(
            "admin.html",
            status=status,
            request=request,
            feeds=agg.feeds(),
            now=agg.clock(),
            message=message or request.query_params.get("done"),
            error=error,
        )

    def done(message: str) -> Response:
        from urllib.parse import quote

        return RedirectResponse(f"/admin?done={quote(message)}", status_code=303)

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
        feed = agg.feed(feed_id(request))
        return web.render(
            "admin_feed.html",
            request=request,
            feed=feed,
            error=None,
            history=agg.store.fetch_history(feed.id, 20),
            now=agg.clock(),
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
            return web.render(
                "admin_feed.html",
                status=400,
                request=request,
                feed=agg.feed(fid),
                error=str(exc),
                history=agg.store.fetch_history(fid, 20),
                now=agg.clock(),
            )
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
        Route("/admin/opml", opml_import, methods=["POST"]),
        Route("/admin/settings", settings_form, methods=["GET"]),
        Route("/admin/settings", save_settings, methods=["POST"]),
    ]
