"""Signing in and the tokens: ClientLogin in every shape apps send it, the edit token, the
header, ``T`` as the auth token, and the lenient and strict cases of ``T`` on writes."""

from __future__ import annotations

import pytest

from tests.web.greader.helpers import API, API_PASSWORD, READ, Reader

PREFIXES = ["", "/api/greader.php"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_client_login_as_a_form_answers_google_lines(reader: Reader, prefix: str) -> None:
    response = reader.http.post(
        f"{prefix}/accounts/ClientLogin",
        data={"Email": "ada", "Passwd": API_PASSWORD, "service": "reader", "source": "x"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = dict(line.split("=", 1) for line in response.text.strip().split("\n"))
    assert lines["Auth"] == reader.auth and set(lines) == {"SID", "LSID", "Auth"}


def test_client_login_in_json_multipart_query_and_get(reader: Reader) -> None:
    # Read You: output=json; the name as an email
    found = reader.http.post(
        "/accounts/ClientLogin",
        data={"output": "json", "Email": "ada@phone.example", "Passwd": API_PASSWORD},
    )
    assert found.status_code == 200 and found.json()["Auth"] == reader.auth
    # Readrops: multipart
    multipart = reader.http.post(
        "/accounts/ClientLogin",
        files={"Email": (None, "ada"), "Passwd": (None, API_PASSWORD)},
    )
    assert multipart.status_code == 200 and f"Auth={reader.auth}" in multipart.text
    # Capy Reader: a POST with the fields in the URL and no body
    query = reader.http.post(
        "/accounts/ClientLogin", params={"Email": "ada", "Passwd": API_PASSWORD}
    )
    assert query.status_code == 200 and f"Auth={reader.auth}" in query.text
    got = reader.http.get("/accounts/ClientLogin", params={"Email": "ada", "Passwd": API_PASSWORD})
    assert got.status_code == 200 and f"Auth={reader.auth}" in got.text


@pytest.mark.parametrize(
    "data",
    [
        {"Email": "ada", "Passwd": "correct horse battery"},  # the sign-in password is not it
        {"Email": "ada", "Passwd": ""},
        {"Email": "nobody", "Passwd": API_PASSWORD},
        {"Passwd": API_PASSWORD},
    ],
)
def test_bad_credentials_are_a_401_bad_authentication(reader: Reader, data: dict[str, str]) -> None:
    response = reader.http.post("/accounts/ClientLogin", data=data)
    assert response.status_code == 401
    assert response.text.startswith("Error=BadAuthentication")


def test_repeated_failures_are_throttled(reader: Reader) -> None:
    for _ in range(5):
        bad = reader.http.post("/accounts/ClientLogin", data={"Email": "ada", "Passwd": "nope"})
        assert bad.status_code == 401
    late = reader.http.post("/accounts/ClientLogin", data={"Email": "ada", "Passwd": API_PASSWORD})
    assert late.status_code == 429 and "too many" in late.text


def test_no_api_password_no_sign_in(reader: Reader) -> None:
    reader.agg.clear_api_password(reader.user_id)
    response = reader.http.post(
        "/accounts/ClientLogin", data={"Email": "ada", "Passwd": API_PASSWORD}
    )
    assert response.status_code == 401
    assert reader.get(f"{API}/user-info").status_code == 401  # the old token is void


def test_token_is_57_characters_and_a_newline_and_stable(reader: Reader) -> None:
    first = reader.get(f"{API}/token")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/plain")
    assert len(first.text) == 58 and first.text.endswith("\n")
    assert reader.get(f"{API}/token").text == first.text
    # a new API password: a new auth token and so a new edit token
    reader.agg.set_api_password(reader.user_id, "another password for apps")
    user = reader.agg.api_sign_in("ada", "another password for apps")
    assert user is not None
    renewed = Reader(reader.agg, reader.http, reader.clock, user.id, reader.agg.greader_auth(user))
    assert renewed.auth != reader.auth
    assert renewed.get(f"{API}/token").text != first.text


def test_user_info(reader: Reader) -> None:
    info = reader.json(f"{API}/user-info", output="json")
    assert info["userId"] == str(reader.user_id) and info["userName"] == "ada"
    assert all(isinstance(info[k], str) for k in ("userId", "userName", "userProfileId"))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "GoogleLogin auth=1/0000",
        "GoogleLogin auth=",
        "Bearer x",
        "GoogleLogin auth=2/" + "0" * 64,
    ],
)
def test_calls_without_a_good_header_are_401_unauthorized(
    reader: Reader, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    for path in ("/user-info", "/subscription/list", "/stream/items/ids", "/token"):
        response = reader.http.get(API + path, headers=headers)
        assert response.status_code == 401 and response.text == "Unauthorized"


def test_the_header_is_read_liberally(reader: Reader) -> None:
    for header in (
        f"GoogleLogin auth={reader.auth}",
        f"googlelogin Auth = {reader.auth}",
        f'GoogleLogin auth="{reader.auth}"',
    ):
        response = reader.http.get(f"{API}/user-info", headers={"Authorization": header})
        assert response.status_code == 200, header


def test_bob_sees_his_own(bob: Reader) -> None:
    info = bob.json(f"{API}/user-info")
    assert info["userName"] == "bob"
    assert [s["id"] for s in bob.json(f"{API}/subscription/list")["subscriptions"]] == [
        f"feed/{bob.feeds['nato']}"
    ]


def first_id(reader: Reader) -> str:
    return str(reader.ids(s="user/-/state/com.google/reading-list")[0])


@pytest.mark.parametrize("t", [None, "", "x", " "])
def test_a_header_write_with_a_missing_blank_or_x_token_is_taken(
    reader: Reader, t: str | None
) -> None:
    item = first_id(reader)
    data = {"i": item, "a": READ, **({"T": t} if t is not None else {})}
    response = reader.post(f"{API}/edit-tag", data)
    assert response.status_code == 200 and response.text == "OK"
    assert int(item) not in reader.unread()


def test_a_header_write_with_the_edit_or_auth_token_is_taken(reader: Reader) -> None:
    token = reader.get(f"{API}/token").text  # Newsboat sends it with its newline
    ids = reader.ids(s="user/-/state/com.google/reading-list")
    assert reader.post(f"{API}/edit-tag", {"i": ids[0], "a": READ, "T": token}).text == "OK"
    assert reader.post(f"{API}/edit-tag", {"i": ids[1], "a": READ, "T": reader.auth}).text == "OK"
    assert not {ids[0], ids[1]} & reader.unread()


def test_a_foreign_token_is_a_bad_token(reader: Reader, bob: Reader) -> None:
    item = first_id(reader)
    for wrong in ("stale-token", bob.get(f"{API}/token").text.strip()):
        response = reader.post(f"{API}/edit-tag", {"i": item, "a": READ, "T": wrong})
        assert response.status_code == 401
        assert response.headers["X-Reader-Google-Bad-Token"] == "true"
    assert int(item) in reader.unread()


def test_a_post_without_header_is_authenticated_by_t_the_auth_token(reader: Reader) -> None:
    item = first_id(reader)
    edit = reader.get(f"{API}/token").text.strip()
    anonymous = Reader(reader.agg, reader.http, reader.clock, reader.user_id, None)
    # Liferea: the auth token in the body
    taken = anonymous.post(f"{API}/edit-tag", {"i": item, "a": READ, "T": reader.auth})
    assert taken.text == "OK" and int(item) not in reader.unread()
    # the edit token alone says nobody; nor does nothing, nor x
    for t in (edit, "", "x"):
        refused = anonymous.post(f"{API}/edit-tag", {"i": item, "r": READ, "T": t})
        assert refused.status_code == 401 and refused.text == "Unauthorized"
    assert int(item) not in reader.unread()
    # reads by POST take T too; reads by GET only the header
    contents = anonymous.post(f"{API}/stream/items/contents", {"i": item, "T": reader.auth})
    assert contents.status_code == 200 and len(contents.json()["items"]) == 1
    assert anonymous.get(f"{API}/stream/items/ids", T=reader.auth).status_code == 401


@pytest.mark.parametrize("prefix", PREFIXES)
def test_browser_apps_get_cors_and_no_same_origin_check(reader: Reader, prefix: str) -> None:
    item = first_id(reader)
    preflight = reader.http.options(
        f"{prefix}{API}/edit-tag",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    cross = reader.http.post(
        f"{prefix}{API}/edit-tag",
        data={"i": item, "a": READ},
        headers={
            **reader.headers(),
            "Origin": "https://app.example",
            "Sec-Fetch-Site": "cross-site",
        },
    )
    assert cross.status_code == 200 and cross.text == "OK"
    assert cross.headers["access-control-allow-origin"] == "*"
    big = reader.http.get(
        f"{prefix}{API}/stream/contents", headers={**reader.headers(), "Accept-Encoding": "gzip"}
    )
    assert big.headers.get("content-encoding") == "gzip" and big.json()["items"]
