"""Sign up: only when TIDINGS_OPEN_SIGNUP is true (else 404); a name, a password twice and the
form token make a reader who is signed in at once; tries are limited per address."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import form_token
from tidings.config import Settings
from tidings.core import Aggregator
from tidings.web.context import SESSION_COOKIE

PASSWORD = "correct horse battery"


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return replace(settings, open_signup=True)


def sign_up(
    client: TestClient, name: str, password: str = PASSWORD, again: str | None = None
) -> httpx.Response:
    token = form_token(client.get("/signup").text)
    response: httpx.Response = client.post(
        "/signup",
        data={"csrf_token": token, "name": name, "password": password, "again": again or password},
        follow_redirects=False,
    )
    return response


def test_closed_signup_is_not_there(settings: Settings, clock: Clock) -> None:
    from tidings.core import make_aggregator
    from tidings.web.app import create_app

    agg = make_aggregator(settings, clock=clock)
    with TestClient(create_app(agg)) as client:
        assert client.get("/signup").status_code == 404
        token = form_token(client.get("/signin").text)
        data = {"csrf_token": token, "name": "eve", "password": PASSWORD, "again": PASSWORD}
        assert client.post("/signup", data=data).status_code == 404
        assert 'href="/signup"' not in client.get("/signin").text
    assert agg.users() == []
    agg.close()


def test_signing_up_makes_a_reader_who_is_signed_in(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    page = client.get("/signup")
    assert page.status_code == 200 and 'autocomplete="new-password"' in page.text
    assert 'href="/signup"' in client.get("/signin").text
    done = sign_up(client, "  bea ")
    assert done.status_code == 303 and done.headers["location"] == "/read/settings"
    session = agg.session(client.cookies[SESSION_COOKIE])
    assert session is not None and session.user.name == "bea" and session.user.role == "reader"
    assert client.get("/admin", follow_redirects=False).status_code == 403
    assert client.get("/read/password").status_code == 200


@pytest.mark.parametrize(
    ("name", "password", "again", "message"),
    [
        ("bea", PASSWORD, "something else", "differ"),
        ("bea", "short", "short", "at least 8 characters"),
        ("", PASSWORD, PASSWORD, "1 to 200 characters"),
        ("x" * 201, PASSWORD, PASSWORD, "1 to 200 characters"),
    ],
)
def test_a_bad_signup_is_a_400_that_keeps_the_name(
    site: tuple[Aggregator, TestClient], name: str, password: str, again: str, message: str
) -> None:
    agg, client = site
    refused = sign_up(client, name, password, again)
    assert refused.status_code == 400 and message in refused.text
    assert agg.users() == [] and SESSION_COOKIE not in client.cookies


def test_a_taken_name_is_refused(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    agg.add_user("ada", PASSWORD, role="admin")
    refused = sign_up(client, "ada", "another password")
    assert refused.status_code == 400 and "ada" in refused.text
    assert agg.sign_in("ada", "another password") is None
    assert [a.user.role for a in agg.users()] == ["admin"]


def test_the_form_needs_its_token(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    data = {"name": "bea", "password": PASSWORD, "again": PASSWORD}
    assert client.post("/signup", data=data).status_code == 403
    assert agg.users() == []


def test_tries_are_limited_per_address(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    for n in range(5):
        assert sign_up(client, f"reader{n}").status_code == 303
        client.cookies.delete(SESSION_COOKIE)
    limited = sign_up(client, "reader5")
    assert limited.status_code == 429 and "try again in 15 minutes" in limited.text
    assert len(agg.users()) == 5
    clock.now += timedelta(minutes=15)
    assert sign_up(client, "reader5").status_code == 303
