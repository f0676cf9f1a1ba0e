"""Sign-in: guesses are limited per user name and address, like the password form's."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import form_token
from tidings.core import Aggregator


def test_guesses_at_sign_in_are_limited(site: tuple[Aggregator, TestClient], clock: Clock) -> None:
    agg, client = site
    agg.add_user("ada", "correct horse battery", role="admin")
    token = form_token(client.get("/signin").text)

    def attempt(password: str, name: str = "ada") -> int:
        response = client.post(
            "/signin",
            data={"csrf_token": token, "name": name, "password": password},
            follow_redirects=False,
        )
        return int(response.status_code)

    assert [attempt(f"guess {i}") for i in range(5)] == [400] * 5
    assert attempt("correct horse battery") == 429  # even the right one, for a while
    page = client.post("/signin", data={"csrf_token": token, "name": "ada", "password": "x"})
    assert "Too many failed sign-ins; try again in 15 minutes." in page.text
    assert attempt("wrong", name="bob") == 400  # another name is counted on its own
    clock.now += timedelta(minutes=15)
    assert attempt("correct horse battery") == 303
