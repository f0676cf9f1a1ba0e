"""Sign-in, sessions, CSRF, clickjacking, headers and query injection (A01-A20, S01-S09).

The route table is enumerated from the app itself, so a route added later is checked too:
security headers on every route and every error page, no side effect on any GET, every unsafe
route refused cross-site and without a token.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.hostile.oracles import page_problems
from tests.web.helpers import add_items, form_token, sign_in
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.logs import KeyValueFormatter
from tidings.types import ParsedItem
from tidings.web.api_common import is_api_path
from tidings.web.app import create_app
from tidings.web.auth import local_path
from tidings.web.context import CSRF_COOKIE, SESSION_COOKIE

# slow together (about 12 s here): every route against hostile input
pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"
EVIL = "https://evil.example"


@dataclass
class Site:
    agg: Aggregator
    client: TestClient
    feed_id: int
    slug: str
    token: str  # the signed-in session's form token


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One site for the module (signing in costs an argon2 hash); tests that sign in or out
    use clients of their own, and every state check compares before and after itself."""
    clock = Clock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    settings = Settings.load(
        {"TIDINGS_DATA_DIR": str(tmp_path_factory.mktemp("web") / "data"), "TIDINGS_SAMPLES": "0"}
    )
    agg = make_aggregator(settings, clock=clock)
    fid = add_items(
        agg,
        clock.now,
        *[
            ParsedItem(
                guid=str(n),
                title=f"Ferry timetable {n}",
                link=f"https://e.org/{n}",
                published=clock.now - timedelta(hours=n),
                summary_html="<p>boats</p>",
            )
            for n in range(3)
        ],
        categories=("Harbour",),
    )
    with TestClient(create_app(agg)) as client:
        token = sign_in(client, agg)
        yield Site(agg, client, fid, agg.categories()[0].slug, token)
    agg.close()


def routes(site: Site) -> list[tuple[str, frozenset[str]]]:
    """Every route of the app as (a concrete path, its methods)."""
    out: list[tuple[str, frozenset[str]]] = []
    for route in site.client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Mount):
            out.append(("/static/style.css", frozenset({"GET", "HEAD"})))
            continue
        assert isinstance(route, Route)
        path = (
            route.path.replace("{slug}", site.slug)
            .replace("{name}", "tidings-news.xml")
            .replace("{name:path}", "Harbour")
        )
        path = re.sub(r"\{\w+:int\}", str(site.feed_id), path)  # a feed's, a rule's, a target's
        out.append((path, frozenset(route.methods or {"GET", "HEAD"})))
    return out


def state(agg: Aggregator) -> dict[str, object]:
    """What a request could change: every table's rows (O-NOSTATE)."""
    with agg.store.engine.connect() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite%'"
                )
            )
        ]
        return {
            t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr)
            for t in tables
            if "fts" not in t and t != "fetch_log"
        }


def assert_security_headers(response: object, path: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    csp = headers.get("content-security-policy", "")
    assert csp, f"{path}: no CSP"
    assert "default-src 'none'" in csp, (path, csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, (path, csp)
    assert headers.get("x-content-type-options") == "nosniff", path
    assert headers.get("referrer-policy"), path
    framed = path == "/embed/latest" or path.startswith("/embed/latest?")
    if framed and response.status_code == 200:  # type: ignore[attr-defined]
        assert "frame-ancestors *" in csp and "sandbox" in csp
    else:
        assert "frame-ancestors 'none'" in csp, (path, csp)
        assert headers.get("x-frame-options") == "DENY", path
    ctype = headers.get("content-type", "")
    # (JSON is UTF-8 by definition and has no charset parameter; it may carry one)
    if ctype.startswith(("text/", "application/xml")) or "+xml" in ctype:
        assert "charset=utf-8" in ctype.lower(), (path, ctype)


# --- headers and clickjacking, every route, every error page ------------------------------


def test_security_headers_on_every_route(site: Site) -> None:
    seen = 0
    for path, methods in routes(site):
        if "GET" in methods:
            response = site.client.get(path)
            assert response.status_code < 500, path
            assert_security_headers(response, path)
            seen += 1
    assert seen >= 25


ERROR_PAGES = {
    "404-unknown-path": ("GET", "/nowhere", 404),
    "404-unknown-source": ("GET", "/sources/999999", 404),
    "404-unknown-category": ("GET", "/categories/nope", 404),
    "404-unknown-feed-output": ("GET", "/sources/999999/rss.xml", 404),
    "404-static": ("GET", "/static/nope.css", 404),
    "404-sample": ("GET", "/samples/nope.xml", 404),
    "404-huge-id": ("GET", "/sources/99999999999999999999999", 404),
    "405-post-page": ("POST", "/", 405),
    "405-put-feed": ("PUT", "/rss.xml", 405),
    "405-delete-admin": ("DELETE", "/admin", 405),
    "405-get-signout": ("GET", "/signout", 405),
    "400-page": ("GET", "/?page=x", 400),
    "400-embed-count": ("GET", "/embed/latest?count=abc", 400),
    "400-embed-count-json": ("GET", "/embed/latest.json?count=999", 400),
    "400-ages": ("GET", "/ages.json?t=yesterday", 400),
    "403-no-token": ("POST", "/signin", 403),
}


@pytest.mark.parametrize("case", list(ERROR_PAGES))
def test_error_pages_carry_the_headers(site: Site, case: str) -> None:
    """404, 405, 400 and 403 answers: the same headers, a readable message, no traceback."""
    method, path, status = ERROR_PAGES[case]
    client = TestClient(site.client.app)  # signed out, no cookies
    response = client.request(method, path)
    assert response.status_code == status, (path, response.status_code)
    assert_security_headers(response, path)
    assert "Traceback" not in response.text


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "TRACE", "PATCH", "PUT", "DELETE"])
def test_odd_methods_on_every_route(site: Site, method: str) -> None:
    """Never a 500, never a CORS grant, always the headers."""
    for path, _methods in routes(site):
        response = site.client.request(method, path, headers={"Origin": site_origin()})
        assert response.status_code < 500, (method, path)
        assert "access-control-allow-credentials" not in response.headers
        assert_security_headers(response, path)


def site_origin() -> str:
    return "http://testserver"


# --- GET has no side effects (A01) ---------------------------------------------------------


def test_no_get_changes_anything(site: Site) -> None:
    before = state(site.agg)
    for path, methods in routes(site):
        site.client.get(path)
        if methods - {"GET", "HEAD"}:
            for suffix in ("", "?csrf_token=" + site.token):
                site.client.get(path + suffix)
    for path in ("/signout", "/admin/feeds/1/delete", "/admin/feeds/1/clear", "/logout"):
        site.client.get(path)
    assert state(site.agg) == before
    assert site.client.get("/admin").status_code == 200, "the session must still be valid"


def test_item_content_pointing_at_our_routes_changes_nothing(site: Site) -> None:
    """X31: an <img src="/signout"> in an item is the publisher's /signout after sanitizing;
    even fetched against our own origin, GET does nothing."""
    from tidings.parse import sanitize_html

    html = sanitize_html('<img src="/signout"><img src="//testserver/signout">', "https://e.org/f")
    assert "testserver" in html or "e.org/signout" in html
    assert 'src="/signout"' not in html
    before = state(site.agg)
    site.client.get("/signout")
    site.client.get(f"/admin/feeds/{site.feed_id}/delete")
    assert state(site.agg) == before
    assert site.client.get("/admin").status_code == 200


# --- cross-site and tokenless POST (A02) -------------------------------------------------------

CROSS_SITE = {
    "origin-evil": {"Origin": EVIL},
    "origin-null": {"Origin": "null"},
    "origin-lookalike": {"Origin": "http://testserver.evil.example"},
    "origin-other-port": {"Origin": "http://testserver:8080"},
    "origin-https-downgrade": {"Origin": "https://testserver"},
    "fetch-site-cross": {"Sec-Fetch-Site": "cross-site"},
    "fetch-site-same-site": {"Sec-Fetch-Site": "same-site"},
}


def unsafe_routes(site: Site, api: bool = False) -> list[str]:
    """The POST routes of the pages (or, with ``api``, of the apps' APIs, which take no
    cookie session and so no form token: each request carries its own credential)."""
    return [
        path
        for path, methods in routes(site)
        if "POST" in methods
        and is_api_path(path) == api
        and not path.startswith("/websub/")  # a hub's callback: its token and signature
    ]


@pytest.mark.parametrize("case", list(CROSS_SITE))
def test_cross_site_posts_are_refused(site: Site, case: str) -> None:
    """Even with a valid token and session: another origin gets 403 and changes nothing."""
    before = state(site.agg)
    for path in unsafe_routes(site):
        response = site.client.post(
            path,
            data={
                "csrf_token": site.token,
                "url": "https://e.org/x",
                "name": "ada",
                "password": PASSWORD,
                "site_title": "pwned",
                "items_per_page": "5",
                "timezone": "UTC",
            },
            headers=CROSS_SITE[case],
            follow_redirects=False,
        )
        assert response.status_code == 403, (path, response.status_code)
        assert_security_headers(response, path)
    assert state(site.agg) == before


@pytest.mark.parametrize("token", ["missing", "empty", "wrong", "other-session", "cookie-value"])
def test_posts_without_the_right_token_are_refused(site: Site, token: str) -> None:
    before = state(site.agg)
    value = {
        "missing": None,
        "empty": "",
        "wrong": "x" * 43,
        "other-session": "A" * 43,
        "cookie-value": site.client.cookies.get(SESSION_COOKIE),
    }[token]
    for path in unsafe_routes(site):
        data = {"site_title": "pwned", "items_per_page": "5", "timezone": "UTC", "url": "x"}
        if value is not None:
            data["csrf_token"] = value
        response = site.client.post(path, data=data, follow_redirects=False)
        assert response.status_code == 403, (path, response.status_code)
    assert state(site.agg) == before


@pytest.mark.parametrize("case", list(CROSS_SITE))
def test_the_apis_ignore_the_session_cookie(site: Site, case: str) -> None:
    """A signed-in browser's cookies (and its form token) sign nobody in to the apps' APIs:
    another site's POST there is an API's own refusal, and changes nothing."""
    before = state(site.agg)
    paths = unsafe_routes(site, api=True)
    assert {"/fever/", "/accounts/ClientLogin", "/api/greader.php/reader/api/0/{call:path}"} <= (
        set(paths)
    )
    for path in paths:
        response = site.client.post(
            path.replace("{call:path}", "edit-tag"),
            data={"csrf_token": site.token, "i": "1", "a": "user/-/state/com.google/read"},
            headers=CROSS_SITE[case],
            follow_redirects=False,
        )
        if response.status_code == 200:  # Fever answers every refusal with a 200
            assert response.json() == {"api_version": 3, "auth": 0}, path
        else:
            assert response.status_code in (401, 403), (path, response.status_code)
        assert_security_headers(response, path)
    assert state(site.agg) == before


def test_signed_out_users_reach_no_admin_route(site: Site) -> None:
    """Per-route authorization: every /admin route wants a session, GET or POST."""
    client = TestClient(site.client.app)
    before = state(site.agg)
    for path, methods in routes(site):
        if not path.startswith("/admin"):
            continue
        for method in methods & {"GET", "POST"}:
            token = form_token(client.get("/signin").text)
            response = client.request(
                method, path, data={"csrf_token": token} if method == "POST" else None,
                follow_redirects=False,
            )  # fmt: skip
            assert response.status_code in (303, 403), (method, path)
            if response.status_code == 303:
                assert response.headers["location"] == "/signin"
    assert state(site.agg) == before


# --- sessions and cookies (A06, A12) ----------------------------------------------------------


def test_session_cookie_flags(site: Site) -> None:
    client = TestClient(site.client.app, base_url="https://testserver")
    token = form_token(client.get("/signin").text)
    csrf_cookie = client.cookies.get(CSRF_COOKIE)
    assert csrf_cookie
    response = client.post(
        "/signin",
        data={"csrf_token": token, "name": "ada", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if SESSION_COOKIE in c)
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "secure" in lowered
    assert "path=/" in lowered


def test_session_rotates_at_sign_in_and_ends_at_sign_out(site: Site) -> None:
    client = TestClient(site.client.app)
    fixation = "attacker-chosen-token"
    client.cookies.set(SESSION_COOKIE, fixation, domain="testserver.local")
    token = form_token(client.get("/signin").text)
    client.post("/signin", data={"csrf_token": token, "name": "ada", "password": PASSWORD})
    first = client.cookies.get(SESSION_COOKIE)
    assert first and first != fixation
    assert site.agg.session(fixation) is None
    token = form_token(client.get("/admin").text)
    client.post("/signin", data={"csrf_token": token, "name": "ada", "password": PASSWORD})
    second = client.cookies.get(SESSION_COOKIE)
    assert second and second != first
    assert site.agg.session(first) is None, "the old session must end at a new sign-in"
    token = form_token(client.get("/admin").text)
    client.post("/signout", data={"csrf_token": token})
    assert site.agg.session(second) is None


def test_long_passwords_are_not_truncated(site: Site) -> None:
    """A12: two 100-byte passwords differing only at byte 90 (the bcrypt 72-byte trap)."""
    first = "p" * 89 + "A" + "p" * 10
    second = "p" * 89 + "B" + "p" * 10
    site.agg.add_user("long", first, role="admin")
    assert site.agg.sign_in("long", first) is not None
    assert site.agg.sign_in("long", second) is None


def test_wrong_passwords_are_not_logged(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    """A13: a failed sign-in leaves no password in the logs."""
    secret = "hunter2-very-secret"
    client = TestClient(site.client.app)
    with caplog.at_level(logging.DEBUG):
        token = form_token(client.get("/signin").text)
        response = client.post(
            "/signin", data={"csrf_token": token, "name": "ada", "password": secret}
        )
    assert response.status_code == 400
    assert secret not in caplog.text
    assert secret not in response.text


def test_log_lines_cannot_be_forged() -> None:
    """A16: CR/LF in a feed title or URL stays inside one escaped log line."""
    forged = "x\r\n2026-01-01 INFO admin logged in"
    record = logging.LogRecord("tidings", logging.INFO, __file__, 1, forged, None, None)
    record.url = "https://e.org/" + forged
    record.title = forged
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyValueFormatter())
    handler.emit(record)
    assert stream.getvalue().count("\n") == 1
    assert "\r" not in stream.getvalue()


# --- open redirects (A04) ----------------------------------------------------------------

NEXT = {
    "protocol-relative": "//evil.example",
    "backslash": "/\\evil.example",
    "double-backslash": "\\\\evil.example",
    "absolute": "https://evil.example",
    "javascript": "javascript:alert(1)",
    "encoded-slashes": "/%2F%2Fevil.example",
    "encoded-backslash": "/%5Cevil.example",
    "encoded-tab": "/%09/evil.example",
    "leading-space": " //evil.example",
    "triple-slash": "///evil.example",
    "dot-slash": "/.//evil.example",
    "tab": "/\t/evil.example",
    "newline": "/\n/evil.example",
    "cr": "/\r/evil.example",
    "nul": "/\x00/evil.example",
    "userinfo": "/@evil.example",
    "scheme-no-slash": "http:evil.example",
    "data": "data:text/html,<script>alert(1)</script>",
}


def stays_here(location: str) -> bool:
    """Whether a browser would stay on our origin following ``location`` (it drops tabs and
    newlines, trims controls and spaces, and reads a backslash as a slash)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00- ").replace("\\", "/")
    return cleaned.startswith("/") and not cleaned.startswith("//") and not urlsplit(cleaned).netloc


@pytest.mark.parametrize("case", list(NEXT))
def test_sign_in_never_redirects_off_site(site: Site, case: str) -> None:
    target = NEXT[case]
    assert stays_here(local_path(target))
    client = TestClient(site.client.app)
    token = form_token(client.get("/signin", params={"next": target}).text)
    response = client.post(
        "/signin",
        data={"csrf_token": token, "name": "ada", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert stays_here(location), location


# --- path traversal (A17) ------------------------------------------------------------------

TRAVERSAL = [
    "/static/../../etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2fapp.db",
    "/static/..%5c..%5capp.db",
    "/static/....//....//etc/passwd",
    "/static/%252e%252e/etc/passwd",
    "/samples/..%2f..%2fconfig.py",
    "/samples/../config.py",
    "/static/%00",
]


@pytest.mark.parametrize("path", TRAVERSAL)
def test_path_traversal(site: Site, path: str) -> None:
    response = site.client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "root:" not in response.text and "import" not in response.text


# --- CORS (A20) ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/feed.json", "/embed/latest.json", "/admin", "/healthz"])
def test_no_credentialed_cors(site: Site, path: str) -> None:
    response = site.client.get(path, headers={"Origin": EVIL})
    assert "access-control-allow-credentials" not in response.headers
    allowed = response.headers.get("access-control-allow-origin")
    assert allowed in (None, "*"), allowed
    if allowed == "*":
        assert path == "/embed/latest.json"  # public data only
    preflight = site.client.options(
        path, headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-methods" not in preflight.headers


# --- search and query-parameter injection (S01-S09) --------------------------------------------

QUERIES = {
    "S01-or": "' OR 1=1 --",
    "S01-drop": '"; DROP TABLE items; --',
    "S01-paren": "1) OR (1=1",
    "S01-escaped-quote": "\\' OR \\'1\\'=\\'1",
    "S01-union": "x' UNION SELECT password_hash FROM users --",
    "S04-unbalanced": '"unbalanced',
    "S04-near": "NEAR(a b",
    "S04-dangling-and": "a AND",
    "S04-star": "*",
    "S04-column": "title:foo",
    "S04-caret": "^x",
    "S04-minus": "-",
    "S04-prefix": ":*",
    "S04-bang": "!",
    "S04-amp-pipe": "&|",
    "S04-nested-quotes": '""""',
    "S04-only-not": "-ferry",
    "S04-or-only": "OR",
    "S04-braces": "{title}: x",
    "S04-nul": "a\x00b",
    "S04-invalid-utf8": "%ED%A0%80%C0%AF",
    "S09-60k": "ferry " * 10_000,
    "S09-10k-terms": " ".join(f"w{n}" for n in range(10_000)),
    "S09-long-phrase": '"' + "a" * 60_000 + '"',
}
SQL_ERRORS = re.compile(r"sqlite|syntax error|OperationalError|fts5|psycopg|Traceback", re.I)


@pytest.mark.parametrize("case", list(QUERIES))
def test_search_takes_any_text(site: Site, case: str) -> None:
    """S01/S04/S09: no 500, no SQL error text, the tables intact, bounded work."""
    query = QUERIES[case]
    before = state(site.agg)
    for path in ("/search", "/search/rss.xml", "/search/feed.json"):
        if case == "S04-invalid-utf8":  # sent as raw percent-escapes of invalid UTF-8
            response = site.client.get(f"{path}?q={query}")
        else:
            response = site.client.get(path, params={"q": query})
        assert response.status_code in (200, 400, 414), (path, response.status_code)
        assert not SQL_ERRORS.search(response.text), response.text[:500]
    assert state(site.agg) == before
    assert site.agg.count_items() == 3


def test_search_finds_literals_only(site: Site) -> None:
    """S01: injection text is words: "' OR 1=1 --" matches nothing here, "ferry" matches 3."""
    assert site.agg.search_count("' OR 1=1 --") == 0
    assert site.agg.search_count("ferry") == 3
    page = site.client.get("/search", params={"q": "' OR 1=1 --"}).text
    assert "Ferry timetable" not in page


PARAMS = {
    "S07-page-sql": "/?page=1 OR 1=1",
    "S07-page-float": "/?page=1.5",
    "S07-page-huge": "/?page=99999999999999999999999",
    "S07-page-negative": "/?page=-1",
    "S07-page-array": "/?page[]=1&page[]=2",
    "S07-source-sql": "/embed/latest?source=1 OR 1=1",
    "S07-source-float": "/embed/latest?source=1.5",
    "S07-source-huge": "/embed/latest?source=99999999999999999999999",
    "S07-source-hex": "/embed/latest.json?source=0x1",
    "S07-count-sql": "/embed/latest?count=5;DROP TABLE items",
    "S07-count-negative": "/embed/latest.json?count=-1",
    "S07-count-huge": "/embed/latest.json?count=10000000000000000000000",
    "S07-path-id-sql": "/sources/1%20OR%201=1",
    "S07-path-id-float": "/sources/1.5",
    "S07-path-id-huge": "/sources/99999999999999999999999/feed.json",
    "S07-path-id-huge-page": "/sources/99999999999999999999999",
    "S07-admin-id-huge": "/admin/feeds/99999999999999999999999",
    "S07-category-sql": "/categories/x'%20OR%20'1'='1",
    "S07-category-traversal": "/categories/..%2f..%2fetc",
    "S07-ages-many": "/ages.json?" + "&".join(["t=2026-01-01T00:00:00"] * 501),
    "S07-ages-garbage": "/ages.json?t=' OR 1=1",
    "S07-ages-overflow": "/ages.json?t=99999-01-01",
    "S07-search-page": "/search?q=ferry&page=1e9",
    "S07-page-markup": "/?page=%3Cscript%3Ealert(1)%3C/script%3E",
    "S07-count-markup": "/embed/latest?count=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E",
    "S07-done-markup": "/admin?done=%3Cimg%20src=x%20onerror=alert(1)%3E",
    "S07-next-markup": "/signin?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
}


@pytest.mark.parametrize("case", list(PARAMS))
def test_query_parameters_are_validated(site: Site, case: str) -> None:
    """S07: a malformed id, page or count is a 400 or 404 with a message, never a 500 or SQL."""
    before = state(site.agg)
    response = site.client.get(PARAMS[case])
    assert response.status_code in (200, 400, 404), (case, response.status_code, response.text)
    assert not SQL_ERRORS.search(response.text)
    assert_security_headers(response, PARAMS[case])
    if response.headers["content-type"].startswith("text/html"):
        assert page_problems(response.text) == []  # the echoed value is text, not markup
    assert state(site.agg) == before


def test_forms_are_bounded(site: Site) -> None:
    """An oversized or field-flooded form: a 4xx, never a 500."""
    big = site.client.post(
        "/admin/settings",
        content=b"a=" + b"x" * (6 * 1024 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 413
    many = site.client.post(
        "/admin/settings",
        content="&".join(f"f{n}=1" for n in range(5000)).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= many.status_code < 500


def test_mass_assignment_is_ignored(site: Site) -> None:
    """A07: extra fields in the settings and feed forms change nothing beyond the form."""
    fields = {"is_admin": "true", "role": "admin", "user_id": "1", "id": "999", "feed_id": "999"}
    response = site.client.post(
        f"/admin/feeds/{site.feed_id}",
        data={"csrf_token": site.token, "url": "https://e.org/f", "title": "T", **fields},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert [f.id for f in site.agg.feeds()] == [site.feed_id]
