"""The Apps part of a person's settings: the API password that apps sign in with (never the
sign-in password, so that a phone holds nothing that opens the web pages), and the API keys of
apps that take a token.

Every change is a POST with a checked form token, answered like the settings page's other forms:
a redirect whose page shows the notice once, or the settings page again with the reason (a 400).
A new key is the one exception: its secret is on the page that answers the POST, shown once and
kept by nobody (not in a cookie, not in a URL, not in any cache); afterwards only its description
and ages are shown. Another person's key is a 404, the same as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.core import Aggregator
from tidings.errors import NotFoundError, TidingsError
from tidings.i18n import gettext as _
from tidings.synctypes import ApiKey
from tidings.web import read_forms, read_settings
from tidings.web.auth import checked_form, require_user
from tidings.web.context import agg_of
from tidings.web.notices import redirect_with_notice

APP_LOGIN_PATH = "/read/api-password"
KEYS_PATH = "/read/api-keys"


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just made, with the secret the page shows this once."""

    key: ApiKey
    secret: str


def _sentence(exc: TidingsError) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _set_password(agg: Aggregator, user_id: int, password: str) -> bool:
    """Set the API password; whether there was one before (the notice says "changed")."""
    had = agg.has_api_password(user_id)
    agg.set_api_password(user_id, password)
    return had


def _revoke(agg: Aggregator, user_id: int, key_id: int) -> ApiKey:
    """Revoke one of the person's keys, and say which it was."""
    key = next((k for k in agg.api_keys(user_id) if k.id == key_id), None)
    if key is None:
        raise NotFoundError(_("you have no such API key"))
    agg.revoke_api_key(user_id, key_id)
    return key


async def set_api_password(request: Request) -> Response:
    """Set or change the API password (typed twice; the rules of a sign-in password)."""
    session = require_user(request)
    form = await checked_form(request)
    try:
        password = read_forms.new_api_password(form)
        had = await run_in_threadpool(_set_password, agg_of(request), session.user.id, password)
    except TidingsError as exc:
        return await read_settings.page(request, status=400, error=_sentence(exc))
    if had:
        notice = _("Your API password is changed: give the new one to the apps that used the old.")
    else:
        notice = _("Your API password is set: apps sign in with your name and this password.")
    return redirect_with_notice(request, notice, read_settings.SETTINGS)


async def remove_api_password(request: Request) -> Response:
    """Remove the API password: apps that sign in with it are refused from now on."""
    session = require_user(request)
    await checked_form(request)
    await run_in_threadpool(agg_of(request).clear_api_password, session.user.id)
    notice = _("Your API password is removed: apps can no longer sign in with it.")
    return redirect_with_notice(request, notice, read_settings.SETTINGS)


async def create_key(request: Request) -> Response:
    """A new API key, described; the answer is the settings page with its secret, this once."""
    session = require_user(request)
    form = await checked_form(request)
    try:
        description = read_forms.key_description(form)
        key, secret = await run_in_threadpool(
            agg_of(request).create_api_key, session.user.id, description
        )
    except TidingsError as exc:
        return await read_settings.page(request, status=400, error=_sentence(exc))
    response = await read_settings.page(request, created=NewKey(key, secret))
    response.headers["Cache-Control"] = "no-store"
    return response


async def revoke_key(request: Request) -> Response:
    """Revoke one of the person's API keys: apps that use it are refused from now on."""
    session = require_user(request)
    await checked_form(request)
    key = await run_in_threadpool(
        _revoke, agg_of(request), session.user.id, int(request.path_params["id"])
    )
    notice = _("Revoked the API key “%(description)s”.") % {"description": key.description}
    return redirect_with_notice(request, notice, read_settings.SETTINGS)


routes: list[BaseRoute] = [
    Route(APP_LOGIN_PATH, set_api_password, methods=["POST"]),
    Route(APP_LOGIN_PATH + "/remove", remove_api_password, methods=["POST"]),
    Route(KEYS_PATH, create_key, methods=["POST"]),
    Route(KEYS_PATH + "/{id:int}/revoke", revoke_key, methods=["POST"]),
]
