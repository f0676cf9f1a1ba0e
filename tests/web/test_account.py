"""Change my password: the current one, the new one twice, a form token, a limit on guesses;
the other sessions of the user end, this one stays."""

from __future__ import annotations

from datetime import timedelta

import httpx
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import form_token, sign_in
from tidings.core import Aggregator
from tidings.web.context import SESSION_COOKIE

OLD, NEW = "correct horse battery", "a brand new password"


def change(
    client: TestClient, token: str, current: str, new: str, again: str | None = None
) -> httpx.Response:
    response: httpx.Response = client.post(
        "/admin/password",
        data={"csrf_token": token, "current": current, "new": new, "again": again or new},
        follow_redirects=False,
    )
    return response


def test_the_page_needs_a_user_and_has_a_form(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    assert client.get("/admin/password", follow_redirects=False).headers["location"] == "/signin"
    sign_in(client, agg)
    page = client.get("/admin/password")
    assert page.status_code == 200 and "Change my password" in page.text
    assert 'autocomplete="current-password"' in page.text and form_token(page.text)
    assert 'href="/admin/password"' in client.get("/admin").text
    refused = client.post("/admin/password", data={"current": OLD, "new": NEW, "again": NEW})
    assert refused.status_code == 403  # no form token


def test_a_change_ends_the_other_sessions_and_keeps_this_one(
    site: tuple[Aggregator, TestClient],
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    other = agg.sign_in("ada", OLD)
    assert other is not None
    done = change(client, token, OLD, NEW)
    assert done.status_code == 303 and done.headers["location"] == "/admin"
    assert "Your password is changed" in client.get("/admin").text
    assert agg.session(other) is None
    assert agg.session(client.cookies[SESSION_COOKIE]) is not None
    assert agg.sign_in("ada", OLD) is None and agg.sign_in("ada", NEW) is not None


def test_wrong_or_mismatched_passwords_change_nothing(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    token = sign_in(client, agg)
    wrong = change(client, token, "not my password", NEW)
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.text
    differ = change(client, token, OLD, NEW, "something else")
    assert differ.status_code == 400 and "differ" in differ.text
    short = change(client, token, OLD, "short")
    assert short.status_code == 400 and "at least 8 characters" in short.text
    assert agg.sign_in("ada", OLD) is not None


def test_guesses_of_the_current_password_are_limited(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    for _ in range(5):
        assert change(client, token, "a guess", NEW).status_code == 400
    limited = change(client, token, OLD, NEW)  # even the right one, for a while
    assert limited.status_code == 429 and "try again in 15 minutes" in limited.text
    assert agg.sign_in("ada", NEW) is None
    clock.now += timedelta(minutes=15)
    assert change(client, token, OLD, NEW).status_code == 303
