"""A person's own settings: their subscriptions (subscribe, rename, move to a folder, hide from
"All", unsubscribe), OPML in and out, how long unread items are kept, marking read on scroll,
the token of their private feeds, and which folders show a story their feeds share once; and the
Apps part (``app_access`` and ``app_passwords``).

Every route needs a signed-in person and reads or changes only that person's things; every change
is a POST with a checked form token and answers with a redirect whose page shows its notice once,
or the page again with its error (a 400). Unsubscribing asks first, on a page of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.arrival import NotifyTarget
from tidings.core import Aggregator
from tidings.errors import DuplicateError, TidingsError
from tidings.i18n import gettext as _
from tidings.i18n import ngettext
from tidings.types import ReadingSettings, Subscription
from tidings.web import read_forms
from tidings.web.app_access import AppAccess, app_access
from tidings.web.auth import checked_form, require_user
from tidings.web.conditional import respond
from tidings.web.context import agg_of, render, run
from tidings.web.notices import redirect_with_notice, shown, take_notice
from tidings.web.private_feeds import PRIVATE_HEADERS, PrivateLinks, private_links
from tidings.web.rule_views import RulesPage, person_rules

SETTINGS = "/read/settings"
MAX_OPML_BYTES = 5 * 1024 * 1024  # as the admin's import
OPML_TYPE = "text/x-opml; charset=utf-8"


@dataclass(frozen=True, slots=True)
class SettingsPage:
    subscriptions: tuple[Subscription, ...]
    folders: tuple[str, ...]
    reading: ReadingSettings
    links: PrivateLinks
    apps: AppAccess
    folding: frozenset[str] = frozenset()  # the folders that show each story once
    rules: RulesPage | None = None  # the person's rules (web/rules.py changes them)
    notify: tuple[NotifyTarget, ...] = ()  # their notification targets (web/notify.py)


def settings_data(agg: Aggregator, user_id: int, base: str) -> SettingsPage:
    """Everything the settings page shows of one person."""
    folders = tuple(agg.folders(user_id))
    return SettingsPage(
        tuple(agg.subscriptions(user_id)),
        folders,
        agg.reading_settings(user_id),
        private_links(base, agg.feed_token(user_id), folders),
        app_access(agg, user_id, base),
        frozenset(agg.folding(user_id)),
        rules=person_rules(agg, user_id),
        notify=tuple(agg.notify_targets(user_id)),
    )


def _feed_id(request: Request) -> int:
    return int(request.path_params["feed_id"])


def _done(request: Request, message: str) -> Response:
    return redirect_with_notice(request, message, SETTINGS)


async def page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    form: FormData | None = None,
    **extra: Any,
) -> Response:
    """The settings page, with the notice of the change just made or the error of a failed one
    (and then what the person typed into the subscribe form); ``extra`` for the template (a new
    API key's secret)."""
    session = require_user(request)
    data = await run(settings_data, request, session.user.id, str(request.base_url))
    page = render(
        request,
        "read_settings.html",
        status,
        data=data,
        message=take_notice(request),
        error=error,
        typed=form or {},
        rule_typed=extra.pop("rule_form", None) or {},
        rule_editing=extra.pop("rule_editing", None),  # the rule whose edit was refused
        **extra,
    )
    return shown(request, page)


async def settings_page(request: Request) -> Response:
    return await page(request)


# -- subscriptions -----------------------------------------------------------------------------


async def subscribe(request: Request) -> Response:
    """Subscribe by the address of a feed or of a page that links to one (a missing scheme is
    tried as https, then http)."""
    session = require_user(request)
    form = await checked_form(request)
    try:
        fields = read_forms.subscribe_fields(form)
        sub = await agg_of(request).subscribe(
            session.user.id, fields.url, title=fields.title, folder=fields.folder
        )
    except DuplicateError as exc:
        error = str(exc)[:1].upper() + str(exc)[1:] + "."  # "Already subscribed: ..."
        return await page(request, status=400, error=error, form=form)
    except TidingsError as exc:
        error = _("Could not subscribe: %(error)s") % {"error": exc}
        return await page(request, status=400, error=error, form=form)
    notice = ngettext(
        "Subscribed to %(title)s: %(n)d unread item.",
        "Subscribed to %(title)s: %(n)d unread items.",
        sub.unread,
    )
    return _done(request, notice % {"title": sub.title, "n": sub.unread})


async def edit(request: Request) -> Response:
    """Rename a subscription, move it to a folder (or none), hide it from "All" or show it."""
    session = require_user(request)
    form = await checked_form(request)
    try:
        fields = read_forms.subscription_fields(form)
    except TidingsError as exc:
        return await page(request, status=400, error=str(exc))
    sub = await run_in_threadpool(
        agg_of(request).edit_subscription,
        session.user.id,
        _feed_id(request),
        title=fields.title,
        folder=fields.folder,
        hide_from_all=fields.hide_from_all,
    )
    return _done(request, _("Saved %(title)s.") % {"title": sub.title})


async def unsubscribe_form(request: Request) -> Response:
    """The question before unsubscribing (a GET changes nothing)."""
    session = require_user(request)
    sub = await run_in_threadpool(agg_of(request).subscription, session.user.id, _feed_id(request))
    return render(request, "read_unsubscribe.html", sub=sub)


async def unsubscribe(request: Request) -> Response:
    """Unsubscribe: the person's state of that feed goes, except their starred items."""
    session = require_user(request)
    await checked_form(request)
    sub = await run_in_threadpool(agg_of(request).unsubscribe, session.user.id, _feed_id(request))
    return _done(request, _("Unsubscribed from %(title)s.") % {"title": sub.title})


# -- OPML --------------------------------------------------------------------------------------


async def _upload(form: FormData) -> bytes:
    """The uploaded OPML file (at most 5 MB, as the admin's import)."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise TidingsError(_("choose an OPML file"))
    data = await upload.read(MAX_OPML_BYTES + 1)
    if len(data) > MAX_OPML_BYTES:
        raise TidingsError(_("the OPML file is over 5 MB"))
    return data


async def opml_import(request: Request) -> Response:
    """Subscribe to the feeds of an OPML file, in the folders of its outlines; new feeds are
    fetched by the schedule."""
    session = require_user(request)
    form = await checked_form(request)
    try:
        data = await _upload(form)
        report = await run_in_threadpool(
            agg_of(request).import_subscriptions, session.user.id, data
        )
    except TidingsError as exc:
        return await page(
            request, status=400, error=_("Could not import: %(error)s") % {"error": exc}
        )
    finally:
        await form.close()  # the upload's temporary file
    notice = ngettext(
        "Imported %(n)d feed, skipped %(skipped)d.",
        "Imported %(n)d feeds, skipped %(skipped)d.",
        len(report.added),
    )
    return _done(request, notice % {"n": len(report.added), "skipped": len(report.skipped)})


async def opml_export(request: Request) -> Response:
    """The person's own subscriptions as OPML 2.0, their folders as outlines."""
    session = require_user(request)
    body = await run_in_threadpool(agg_of(request).export_subscriptions, session.user.id)
    headers = {
        **PRIVATE_HEADERS,
        "Content-Disposition": 'attachment; filename="my-subscriptions.opml"',
    }
    return respond(request, body, OPML_TYPE, headers=headers)


# -- reading settings and the private feeds' token ---------------------------------------------


async def save_reading(request: Request) -> Response:
    """How long unread items are kept, and whether scrolling past an item marks it read."""
    session = require_user(request)
    form = await checked_form(request)
    try:
        chosen = read_forms.reading_settings(form)
    except TidingsError as exc:
        return await page(request, status=400, error=str(exc))
    await run_in_threadpool(agg_of(request).save_reading_settings, session.user.id, chosen)
    return _done(request, _("Reading settings saved."))


def _save_folding(agg: Aggregator, user_id: int, chosen: set[str]) -> None:
    known = agg.folders(user_id)
    unknown = sorted(chosen - set(known))
    if unknown:
        raise TidingsError(_("you have no folder named %(name)r") % {"name": unknown[0]})
    for name in known:
        agg.fold_duplicates(user_id, name, name in chosen)


async def save_folding(request: Request) -> Response:
    """Which folders show a story their feeds share once (its copies read with it)."""
    session = require_user(request)
    form = await checked_form(request)
    chosen = {str(v) for v in form.getlist("fold")}
    try:
        await run_in_threadpool(_save_folding, agg_of(request), session.user.id, chosen)
    except TidingsError as exc:
        return await page(request, status=400, error=str(exc))
    return _done(request, _("Folders saved."))


async def rotate(request: Request) -> Response:
    """New addresses for the person's private feeds; the old ones stop working at once."""
    session = require_user(request)
    await checked_form(request)
    await run_in_threadpool(agg_of(request).rotate_feed_token, session.user.id)
    return _done(request, _("Your private feeds have new addresses; the old ones no longer work."))


routes: list[BaseRoute] = [
    Route(SETTINGS, settings_page, methods=["GET"]),
    Route(SETTINGS, save_reading, methods=["POST"]),
    Route("/read/subscriptions", subscribe, methods=["POST"]),
    Route("/read/subscriptions/{feed_id:int}", edit, methods=["POST"]),
    Route("/read/subscriptions/{feed_id:int}/unsubscribe", unsubscribe_form, methods=["GET"]),
    Route("/read/subscriptions/{feed_id:int}/unsubscribe", unsubscribe, methods=["POST"]),
    Route("/read/opml", opml_import, methods=["POST"]),
    Route("/read/opml.xml", opml_export, methods=["GET"]),
    Route("/read/token", rotate, methods=["POST"]),
    Route("/read/folding", save_folding, methods=["POST"]),
]
