"""What every handler shares: the app's state (aggregator, templates) and request helpers.

The state lives on ``app.state.web``; handlers reach it through ``web_of(request)`` so that each
handler is a plain module-level function, testable on its own.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse

from tidings import i18n
from tidings.arrival import RULE_WORDS
from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.types import Session
from tidings.web.filters import age_html, number, safe_url
from tidings.web.language import language_links

SESSION_COOKIE = "tidings_session"
CSRF_COOKIE = "tidings_csrf"

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Web:
    """The app's state: the aggregator, the templates, and what the app runs beside its routes."""

    agg: Aggregator
    env: Environment
    scheduler: bool = False  # update due feeds in the background while serving

    @classmethod
    def create(cls, agg: Aggregator, *, scheduler: bool = False) -> Web:
        return cls(agg, templates(agg), scheduler)

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """Render with what every page needs: the site title, the user and the form token."""
        request: Request | None = context.get("request")
        context.setdefault("site_title", self.agg.site().site_title)
        for key, value in language_context().items():
            context.setdefault(key, value)
        if request is not None:
            context.setdefault("language_links", language_links(request))
            context.setdefault("user", getattr(request.state, "user", None))
            # absolute links: from the address visitors use (web/proxy.py, TIDINGS_BASE_URL)
            site_url = str(request.base_url).rstrip("/")
            # the canonical address keeps only what names the content (a search, a page)
            kept = [(k, v) for k, v in request.query_params.multi_items() if k in ("q", "page")]
            query = f"?{urlencode(kept)}" if kept else ""
            context.setdefault("site_url", site_url)
            context.setdefault("canonical", site_url + request.url.path + query)
            context.setdefault("csrf_token", LazyToken(request))
        return HTMLResponse(self.env.get_template(name).render(**context), status_code=status)


def language_context() -> dict[str, str]:
    """``<html lang dir>`` of a page in the language being spoken."""
    language = i18n.current()
    return {"lang": i18n.html_lang(language), "dir": i18n.direction(language)}


def templates(agg: Aggregator) -> Environment:
    """The Jinja environment: autoescaped, translated, with the URL and age filters."""
    env = Environment(
        loader=PackageLoader("tidings.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # every user-visible string goes through the one translation hook, in the request's language
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    env.filters["safe_url"] = safe_url
    env.filters["number"] = number
    env.filters["html_lang"] = i18n.html_lang
    env.globals["rule_words"] = RULE_WORDS
    env.globals["languages"] = [(code, i18n.language_name(code)) for code in i18n.LANGUAGES]
    env.globals["open_signup"] = agg.settings.open_signup  # the sign-in page links to /signup
    env.globals["age"] = lambda when, now, short=False: age_html(
        when, now, agg.site().timezone, short=short
    )
    return env


def web_of(conn: HTTPConnection | Starlette) -> Web:
    """The state of the app serving ``conn`` (or of ``app`` itself)."""
    app = conn if isinstance(conn, Starlette) else conn.app
    web = app.state.web
    if not isinstance(web, Web):
        raise TypeError("the app was not built by tidings.web.app.create_app")
    return web


def agg_of(conn: HTTPConnection) -> Aggregator:
    """The aggregator of the app serving ``conn``."""
    return web_of(conn).agg


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page for ``request`` (its user and form token included)."""
    return web_of(request).render(name, status, request=request, **context)


async def run(
    fn: Callable[Concatenate[Aggregator, P], T], request: Request, *a: P.args, **kw: P.kwargs
) -> T:
    """``fn(agg, ...)`` in a worker thread, so that its queries do not hold up the event loop."""
    return await run_in_threadpool(fn, web_of(request).agg, *a, **kw)


class LazyToken:
    """The form token, made only when a template prints it (a page without a form sets no
    cookie)."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        return csrf_token(self.request)

    __html__ = __str__


def csrf_token(request: Request) -> str:
    """The token forms on this page must carry."""
    session: Session | None = getattr(request.state, "session", None)
    if session is not None:
        return session.csrf_token
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if token is None:
        token = request.state.new_csrf = secrets.token_urlsafe(32)
    return token


def page_number(request: Request) -> int:
    """The ``page`` query parameter, 1 by default; anything else is a 400 with a message."""
    raw = request.query_params.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100_000:
        message = _("page must be a whole number from 1 to 100000, not %(raw)r")
        raise HTTPException(400, message % {"raw": raw})
    return int(raw)
