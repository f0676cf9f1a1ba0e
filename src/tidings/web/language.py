"""Which language a request is answered in, chosen once before anything is rendered.

The first that names one of tidings' languages (``tidings.i18n.LANGUAGES``) wins:

1. ``?lang=`` (the footer's links): it also sets a cookie, so the next pages stay in it;
2. that cookie;
3. the signed-in person's own language (reading settings; ``auth.SameOrigin`` applies it once
   the session is known, and the API's sign-ins once the app is known);
4. the browser's or app's ``Accept-Language``;
5. the site's default language (site settings).

The choice is kept in the request's scope (``language``, with ``language_from`` saying which of
the five gave it), so that the page cache keeps one copy of a page per language.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings import i18n
from tidings.core import Aggregator

LANGUAGE_COOKIE = "tidings_lang"
COOKIE_DAYS = 365
# What each choice comes from, strongest first: a person's setting overrides only the last two.
WEAKER_THAN_PERSON = frozenset({"browser", "site"})
MAX_KEPT_QUERY = 300  # characters of this page's query the footer's links repeat
# the parameters that choose what a page shows, which the footer's links keep (and no other:
# a page never repeats what a stranger's link put in its address)
VIEW_PARAMS = frozenset({"q", "page", "status", "order", "label", "after", "category", "source"})


def choose(
    *, query: str | None, cookie: str | None, accept: str | None, site: str
) -> tuple[str, str]:
    """The language and where it came from ("query", "cookie", "browser", "site")."""
    for source, language in (
        ("query", i18n.normalize(query)),
        ("cookie", i18n.normalize(cookie)),
        ("browser", i18n.negotiate(accept)),
    ):
        if language is not None:
            return language, source
    return site, "site"


class Language:
    """Pure ASGI middleware: speak the chosen language for the rest of the request."""

    def __init__(self, app: ASGIApp, agg: Aggregator) -> None:
        self.app = app
        self.agg = agg

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        language, source = choose(
            query=conn.query_params.get("lang"),
            cookie=conn.cookies.get(LANGUAGE_COOKIE),
            accept=conn.headers.get("accept-language"),
            site=self.agg.site().language,
        )
        state = scope.setdefault("state", {})
        state["language"], state["language_from"] = language, source
        i18n.use(language)
        remember = source == "query"
        secure = scope.get("scheme") == "https"

        async def send_varied(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.add_vary_header("Accept-Language")
                headers.add_vary_header("Cookie")
                if remember:
                    flags = "; Secure" if secure else ""
                    headers.append(
                        "set-cookie",
                        f"{LANGUAGE_COOKIE}={language}; Max-Age={COOKIE_DAYS * 86400}; Path=/; "
                        f"SameSite=Lax{flags}",
                    )
            await send(message)

        await self.app(scope, receive, send_varied)


def prefer_person(conn: HTTPConnection, language: str | None) -> None:
    """Speak the signed-in person's own language, unless the request chose one itself."""
    if language is None or language not in i18n.LANGUAGES:
        return
    state = conn.scope.setdefault("state", {})
    if state.get("language_from", "site") in WEAKER_THAN_PERSON:
        state["language"], state["language_from"] = language, "person"
        i18n.use(language)


def language_links(conn: HTTPConnection) -> list[tuple[str, str, str]]:
    """The footer's links: (language, its name in itself, this page's address in it)."""
    kept = [(k, v) for k, v in conn.query_params.multi_items() if k in VIEW_PARAMS]
    if sum(len(k) + len(v) for k, v in kept) > MAX_KEPT_QUERY:
        kept = []  # a long search is not repeated in fourteen links: the page's address is enough
    links = []
    for language in i18n.LANGUAGES:
        query = urlencode([*kept, ("lang", language)])
        links.append((language, i18n.language_name(language), f"{conn.url.path}?{query}"))
    return links
