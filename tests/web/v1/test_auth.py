"""Who may call /v1: an API key in X-Auth-Token or Basic with the API password, nothing else;
refusals in Miniflux's error shape, and guessing throttled."""

from __future__ import annotations

import base64

from tests.web.v1.conftest import API_PASSWORD, Api


def test_an_api_key_names_its_person(api: Api) -> None:
    response = api.client.get("/v1/me", headers=api.headers)
    assert response.status_code == 200
    assert response.json()["username"] == "ada"
    assert response.json()["id"] == api.user.id


def test_basic_with_the_api_password_and_an_email_as_name(api: Api) -> None:
    assert api.client.get("/v1/me", auth=api.basic).json()["username"] == "ada"
    by_email = api.client.get("/v1/me", auth=("ada@example.org", API_PASSWORD))
    assert by_email.json()["username"] == "ada"


def test_the_sign_in_password_is_not_an_api_password(api: Api) -> None:
    response = api.client.get("/v1/me", auth=("ada", "sign-in password 1"))
    assert response.status_code == 401
    assert response.json()["error_message"].startswith("Access Unauthorized")
    assert response.headers["content-type"] == "application/json"


def test_no_credentials_is_a_401_with_a_challenge(api: Api) -> None:
    response = api.client.get("/v1/me")
    assert response.status_code == 401
    assert "X-Auth-Token" in response.json()["error_message"]
    assert response.headers["www-authenticate"].startswith("Basic ")


def test_a_wrong_key_is_refused_and_a_revoked_one_too(api: Api) -> None:
    assert api.client.get("/v1/me", headers={"X-Auth-Token": "nope"}).status_code == 401
    key, secret = api.agg.create_api_key(api.user.id, "phone")
    assert api.client.get("/v1/me", headers={"X-Auth-Token": secret}).status_code == 200
    api.agg.revoke_api_key(api.user.id, key.id)
    assert api.client.get("/v1/me", headers={"X-Auth-Token": secret}).status_code == 401


def test_malformed_basic_is_a_401_not_a_500(api: Api) -> None:
    for value in ("Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode(), "Basic"):
        response = api.client.get("/v1/me", headers={"Authorization": value})
        assert response.status_code == 401, value
        assert "error_message" in response.json()


def test_a_cookie_session_is_not_enough(api: Api) -> None:
    """The site's session cookie never authenticates the API (no CSRF surface)."""
    api.agg.add_user("root", "correct horse battery", role="admin")
    page = api.client.get("/signin").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    api.client.post(
        "/signin",
        data={"csrf_token": token, "name": "root", "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert api.client.get("/admin").status_code == 200
    assert api.client.get("/v1/me").status_code == 401


def test_guessing_a_name_is_throttled(api: Api) -> None:
    statuses = [api.client.get("/v1/me", auth=("ada", f"guess {n}")).status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]
    throttled = api.client.get("/v1/me", auth=api.basic)  # even the right one, for now
    assert throttled.status_code == 429
    assert "try again in" in throttled.json()["error_message"]
    assert throttled.headers["retry-after"].isdigit()


def test_a_stale_key_locks_nobody_out(api: Api) -> None:
    """A random 256-bit key cannot be guessed, so failures with one are not counted: an app
    that keeps retrying with a revoked key does not lock its address out (passwords are
    counted: test_guessing_a_name_is_throttled)."""
    statuses = {
        api.client.get("/v1/me", headers={"X-Auth-Token": f"guess {n}"}).status_code
        for n in range(25)
    }
    assert statuses == {401}
    assert api.client.get("/v1/me", headers=api.headers).status_code == 200


def test_unknown_paths_and_methods_answer_json(api: Api) -> None:
    missing = api.client.get("/v1/nothing-here", headers=api.headers)
    assert missing.status_code == 404
    assert missing.json() == {"error_message": "Resource not found"}
    wrong = api.client.delete("/v1/me", headers=api.headers)
    assert wrong.status_code == 405
    assert "error_message" in wrong.json()


def test_cors_lets_browser_apps_send_their_key(api: Api) -> None:
    preflight = api.client.options("/v1/me", headers={"Origin": "https://app.example"})
    assert preflight.status_code == 204
    assert "X-Auth-Token" in preflight.headers["access-control-allow-headers"]
    response = api.client.get("/v1/me", headers={**api.headers, "Origin": "https://app.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
