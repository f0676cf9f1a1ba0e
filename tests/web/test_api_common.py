"""What the three sync APIs share: parameters from the query and the body alike, the body cap,
CORS and gzip for the API paths only, no page cache nor same-origin check there (no cookies),
and failed credentials counted per name and per address."""

from __future__ import annotations

import base64
from collections.abc import Iterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tidings.core import Aggregator
from tidings.web.api_common import (
    MAX_BODY,
    ApiMiddleware,
    Refused,
    api_params,
    api_secret_user,
    api_sign_in,
    basic_credentials,
)
from tidings.web.context import Web


async def echo(request: Request) -> Response:
    params = await api_params(request)
    return JSONResponse({k: params.getlist(k) for k in params})


async def big(request: Request) -> Response:
    return PlainTextResponse("x" * 5000)


def client(agg: Aggregator) -> TestClient:
    app = Starlette(
        routes=[
            Route("/reader/api/0/echo", echo, methods=["GET", "POST"]),
            Route("/reader/api/0/big", big),
            Route("/page", big),
        ],
        middleware=[Middleware(ApiMiddleware)],
    )
    app.state.web = Web.create(agg)
    return TestClient(app)


def test_parameters_come_from_the_query_and_any_form_body(agg: Aggregator) -> None:
    c = client(agg)
    url = "/reader/api/0/echo?i=1&output=json"
    assert c.post(url, data={"i": ["2", "3"], "T": "x"}).json() == {
        "i": ["1", "2", "3"],
        "output": ["json"],
        "T": ["x"],
    }
    multipart = c.post(url, files={"i": (None, "4")}).json()
    assert multipart == {"i": ["1", "4"], "output": ["json"]}
    assert c.get(url).json() == {"i": ["1"], "output": ["json"]}
    # a body that is not a form (raw OPML, JSON) is left for the handler
    assert c.post(url, content=b"<opml/>", headers={"content-type": "text/xml"}).json() == {
        "i": ["1"],
        "output": ["json"],
    }
    many = "&".join(f"i={n}" for n in range(5000))
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert len(c.post(url, content=many, headers=headers).json()["i"]) == 5001


def test_a_body_over_the_cap_is_refused_with_a_message(agg: Aggregator) -> None:
    c = client(agg)
    headers = {"content-type": "application/x-www-form-urlencoded"}
    body = b"i=" + b"1" * (MAX_BODY + 1)
    answer = c.post("/reader/api/0/echo", content=body, headers=headers)
    assert answer.status_code == 413 and "over 10 MB" in answer.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b"i="
        for _ in range(11):
            yield b"1" * (1024 * 1024)

    answer = c.post("/reader/api/0/echo", content=chunks(), headers=headers)
    assert answer.status_code == 413


def test_api_paths_answer_cors_and_gzip_and_pages_do_not(agg: Aggregator) -> None:
    c = client(agg)
    pre = c.options("/reader/api/0/echo", headers={"Origin": "app://reader"})
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == "*"
    assert "X-Auth-Token" in pre.headers["access-control-allow-headers"]
    zipped = c.get("/reader/api/0/big", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.text == "x" * 5000
    assert zipped.headers["access-control-allow-origin"] == "*"
    raw = c.get("/reader/api/0/big", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    page = c.get("/page", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in page.headers
    assert "access-control-allow-origin" not in page.headers


def test_api_paths_skip_the_same_origin_check_and_the_page_cache(
    site: tuple[Aggregator, TestClient],
) -> None:
    _, c = site
    # an app's POST from a browser-based reader carries its own Origin: no CSRF there, as
    # nothing rides on cookies; the pages still refuse it
    cross = {"Origin": "https://elsewhere.example"}
    assert c.post("/v1/no-such-thing", headers=cross).status_code == 404
    assert c.post("/signout", headers=cross).status_code == 403


def test_basic_credentials_are_read_and_bad_ones_ignored() -> None:
    def request(value: str) -> Request:
        return Request({"type": "http", "headers": [(b"authorization", value.encode())]})

    good = base64.b64encode(b"ada:pass:word").decode()
    assert basic_credentials(request(f"Basic {good}")) == ("ada", "pass:word")
    assert basic_credentials(request("Basic !!!")) is None
    assert basic_credentials(request(f"Basic {base64.b64encode(b'nocolon').decode()}")) is None
    assert basic_credentials(request("GoogleLogin auth=x")) is None


async def test_failed_credentials_are_throttled_per_name_and_address(agg: Aggregator) -> None:
    ada = agg.add_user("ada", "sign-in password")
    agg.set_api_password(ada.id, "app password")
    app = Starlette()
    app.state.web = Web.create(agg)
    scope = {"type": "http", "app": app, "client": ("127.0.0.9", 1), "headers": []}
    request = Request(scope)
    assert await api_sign_in(request, "ada", "app password") == ada
    for _ in range(5):
        assert await api_sign_in(request, "ada", "wrong") == Refused(
            "wrong user name or API password"
        )
    refused = await api_sign_in(request, "ADA", "app password")  # names count as one
    assert isinstance(refused, Refused) and refused.throttled
    assert "try again in 15 minutes" in refused.message
    # a guessable key (Fever's, from a password) is counted per address
    other = Request({**scope, "client": ("127.0.0.10", 1)})
    for _ in range(20):
        found = await api_secret_user(other, Aggregator.fever_user, "0" * 32, guessable=True)
        assert found == Refused("the key or token is not valid")
    last = await api_secret_user(other, Aggregator.fever_user, "0" * 32, guessable=True)
    assert isinstance(last, Refused) and last.throttled
    # a random key or token is not: an app retrying with a stale one locks nobody out
    third = Request({**scope, "client": ("127.0.0.11", 1)})
    _, secret = agg.create_api_key(ada.id, "phone")
    for _ in range(30):
        found = await api_secret_user(third, Aggregator.user_for_api_key, "not a key")
        assert found == Refused("the key or token is not valid")
    assert await api_secret_user(third, Aggregator.user_for_api_key, secret) == ada


def test_a_server_address_typed_with_a_trailing_slash_still_works(
    site: tuple[Aggregator, TestClient],
) -> None:
    """newsboat joins "http://host/" and "/v1/me" into "//v1/me"."""
    _, c = site
    base = "http://testserver/"
    assert c.get(base + "/v1/me").status_code == 401  # the API's own answer, not a 404
    login = {"Email": "x", "Passwd": "y"}
    assert c.post(base + "//accounts/ClientLogin", data=login).status_code == 401
    assert c.get(base + "/healthz").status_code == 200
