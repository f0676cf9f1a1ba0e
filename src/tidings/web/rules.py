"""Rules on the pages: the site's (``/admin/rules``, admins only) and a person's own (a section
of ``/read/settings``, changed through ``/read/rules``): list them with their hits and failures,
add, edit (a failing rule runs again), remove, enable again, and run one over the items already
stored.

Every change is a POST with a checked form token, answered by a redirect whose page shows its
notice once, or the page again with the error (a 400): a bad pattern is a message, never a 500.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.arrival import Rule, RuleDraft
from tidings.core import Aggregator
from tidings.errors import NotFoundError, TidingsError
from tidings.i18n import gettext as _
from tidings.web import read_settings
from tidings.web.auth import checked_form, require_admin, require_user
from tidings.web.context import agg_of, render, run
from tidings.web.notices import redirect_with_notice, shown, take_notice
from tidings.web.rule_views import site_rules

ADMIN_RULES = "/admin/rules"
READ_RULES = "/read/rules"


def _int_or_none(value: str, what: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise TidingsError(_("%(what)s is a number") % {"what": what})
    return int(value)


def rule_draft(form: FormData) -> RuleDraft:
    """The rule a form describes (checked by the facade when it is added)."""
    scope = str(form.get("scope", "")).strip()
    feed_id = folder = None
    if scope.startswith("feed:"):
        feed_id = _int_or_none(scope.removeprefix("feed:"), _("the feed"))
    elif scope.startswith("folder:"):
        folder = scope.removeprefix("folder:")
    elif scope not in ("", "all"):
        raise TidingsError(_("the scope is all, a feed or a folder"))
    return RuleDraft(
        name=str(form.get("name", "")),
        field=str(form.get("field", "")),
        match=str(form.get("match", "")),
        pattern=str(form.get("pattern", "")),
        action=str(form.get("action", "")),
        negate=form.get("negate") == "1",
        feed_id=feed_id,
        folder=folder,
        label=str(form.get("label", "")) or None,
    )


def _rule_id(request: Request) -> int:
    return int(request.path_params["rule_id"])


# -- the site's rules ------------------------------------------------------------------------


async def _admin_page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    form: FormData | None = None,
    editing: int | None = None,
) -> Response:
    require_admin(request)
    data = await run(site_rules, request)
    page = render(
        request,
        "admin_rules.html",
        status,
        data=data,
        base=ADMIN_RULES,
        message=take_notice(request),
        error=error,
        typed=form or {},
        editing=editing,
    )
    return shown(request, page)


async def admin_index(request: Request) -> Response:
    return await _admin_page(request)


async def admin_add(request: Request) -> Response:
    require_admin(request)
    form = await checked_form(request)
    try:
        rule = await run_in_threadpool(agg_of(request).add_rule, rule_draft(form))
    except TidingsError as exc:
        error = _("Could not add the rule: %(error)s") % {"error": exc}
        return await _admin_page(request, status=400, error=error, form=form)
    notice = _("Added the rule %(name)s: it runs on the items that arrive from now on.")
    return redirect_with_notice(request, notice % {"name": rule.name}, ADMIN_RULES)


async def admin_edit(request: Request) -> Response:
    """Rewrite one of the site's rules; a refused one comes back with what was typed."""
    require_admin(request)
    form = await checked_form(request)
    rule_id = _rule_id(request)
    try:
        rule = await run_in_threadpool(_edit, agg_of(request), rule_id, form, None)
    except NotFoundError:
        raise
    except TidingsError as exc:
        error = _("Could not save the rule: %(error)s") % {"error": exc}
        return await _admin_page(request, status=400, error=error, form=form, editing=rule_id)
    return redirect_with_notice(request, _saved(rule.name), ADMIN_RULES)


def _edit(agg: Aggregator, rule_id: int, form: FormData, user_id: int | None) -> Rule:
    """The rule saved; not the owner's rule is NotFoundError (a 404), a bad form TidingsError
    (a 400, a feed of the scope that is not there too)."""
    agg.rule(rule_id, user_id)
    try:
        return agg.edit_rule(rule_id, rule_draft(form), user_id)
    except NotFoundError as exc:
        raise TidingsError(str(exc)) from exc


def _saved(name: str) -> str:
    return _("Saved the rule %(name)s: it acts on the items that arrive from now on.") % {
        "name": name
    }


async def admin_change(request: Request) -> Response:
    """Remove, enable, disable or apply one of the site's rules (the path's end says which)."""
    require_admin(request)
    await checked_form(request)
    what = request.url.path.rsplit("/", 1)[-1]
    try:
        notice = await run_in_threadpool(_change, agg_of(request), what, _rule_id(request), None)
    except TidingsError as exc:
        return await _admin_page(request, status=400, error=str(exc))
    return redirect_with_notice(request, notice, ADMIN_RULES)


def _change(agg: Aggregator, what: str, rule_id: int, user_id: int | None) -> str:
    """Do ``what`` to the rule; the notice that says what was done."""
    if what == "remove":
        rule = agg.remove_rule(rule_id, user_id)
        return _("Removed the rule %(name)s.") % {"name": rule.name}
    if what in ("enable", "disable"):
        rule = agg.enable_rule(rule_id, what == "enable", user_id)
        if rule.enabled:
            return _("Enabled the rule %(name)s.") % {"name": rule.name}
        return _("Disabled the rule %(name)s.") % {"name": rule.name}
    if what == "apply":
        run_ = agg.apply_rule(rule_id, user_id)
        notice = _("The rule matched %(matched)d of %(checked)d stored items.") % {
            "matched": run_.matched,
            "checked": run_.checked,
        }
        if run_.failing:
            notice += " " + _("It failed and is now marked failing: %(why)s") % {
                "why": run_.failing
            }
        return notice
    raise TidingsError(_("no such change: %(what)s") % {"what": what})


# -- a person's rules (shown on /read/settings) ----------------------------------------------


async def read_add(request: Request) -> Response:
    session = require_user(request)
    form = await checked_form(request)
    try:
        rule = await run_in_threadpool(agg_of(request).add_rule, rule_draft(form), session.user.id)
    except TidingsError as exc:
        error = _("Could not add the rule: %(error)s") % {"error": exc}
        return await read_settings.page(request, status=400, error=error, rule_form=form)
    notice = _("Added the rule %(name)s: it runs on the items that arrive from now on.")
    return redirect_with_notice(request, notice % {"name": rule.name}, read_settings.SETTINGS)


async def read_edit(request: Request) -> Response:
    """Rewrite one of the person's own rules; another's is a 404, as one that never was."""
    session = require_user(request)
    form = await checked_form(request)
    rule_id = _rule_id(request)
    try:
        rule = await run_in_threadpool(_edit, agg_of(request), rule_id, form, session.user.id)
    except NotFoundError:
        raise
    except TidingsError as exc:
        return await read_settings.page(
            request,
            status=400,
            error=_("Could not save the rule: %(error)s") % {"error": exc},
            rule_form=form,
            rule_editing=rule_id,
        )
    return redirect_with_notice(request, _saved(rule.name), read_settings.SETTINGS)


async def read_change(request: Request) -> Response:
    session = require_user(request)
    await checked_form(request)
    what = request.url.path.rsplit("/", 1)[-1]
    try:
        notice = await run_in_threadpool(
            _change, agg_of(request), what, _rule_id(request), session.user.id
        )
    except TidingsError as exc:
        return await read_settings.page(request, status=400, error=str(exc))
    return redirect_with_notice(request, notice, read_settings.SETTINGS)


CHANGES = ("enable", "disable", "apply", "remove")  # the last part of a change's path
routes: list[BaseRoute] = [
    Route(ADMIN_RULES, admin_index, methods=["GET"]),
    Route(ADMIN_RULES, admin_add, methods=["POST"]),
    *(Route(f"{ADMIN_RULES}/{{rule_id:int}}/{w}", admin_change, methods=["POST"]) for w in CHANGES),
    Route(f"{ADMIN_RULES}/{{rule_id:int}}/edit", admin_edit, methods=["POST"]),
    Route(READ_RULES, read_add, methods=["POST"]),
    *(Route(f"{READ_RULES}/{{rule_id:int}}/{w}", read_change, methods=["POST"]) for w in CHANGES),
    Route(f"{READ_RULES}/{{rule_id:int}}/edit", read_edit, methods=["POST"]),
]
