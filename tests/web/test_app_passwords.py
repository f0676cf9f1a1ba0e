"""The Apps part of a person's settings: the API password (set, changed, refused when the two
differ or it is too short, removed; never shown back), API keys (the secret shown once, listed
with their ages, revoked; nobody revokes another person's), the addresses to type into an app,
and no change without the form token."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import httpx
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import form_token, sign_in_reader
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.web.app import create_app

Site = tuple[Aggregator, TestClient]
SECRET = "harbour lights 42"


def post(client: TestClient, path: str, **data: str) -> httpx.Response:
    response: httpx.Response = client.post(path, data=data, follow_redirects=False)
    return response


def apps_part(html: str) -> str:
    """The Apps section of the settings page."""
    return html.split('<section class="apps"', 1)[1].split("</section>", 1)[0]


def key_rows(html: str) -> list[str]:
    part = apps_part(html)
    if '<table class="api-keys">' not in part:
        return []
    table = part.split('<table class="api-keys">', 1)[1].split("</table>", 1)[0]
    return table.split("<tbody>", 1)[1].split("<tr>")[1:]


def new_secret(html: str) -> str:
    match = re.search(r'<textarea id="new-api-key"[^>]*>([^<]+)</textarea>', html)
    assert match, "no new key on the page"
    return match.group(1)


def user_id(agg: Aggregator, name: str) -> int:
    return next(a.user.id for a in agg.users() if a.user.name == name)


def test_the_part_shows_the_addresses_the_name_and_that_no_password_is_set(site: Site) -> None:
    agg, client = site
    sign_in_reader(client, agg)
    page = client.get("/read/settings")
    assert page.status_code == 200
    part = apps_part(page.text)
    assert "Your API password is not set" in part and "Set the API password" in part
    assert "Remove the API password" not in part
    for url in (
        "http://testserver/api/greader.php",
        "http://testserver/api/fever.php",
        "http://testserver/fever/",
    ):
        assert url in part, url
    assert part.count('<code class="url">http://testserver</code>') == 2  # GReader root, Miniflux
    assert "<code>bea</code>" in part
    assert "You have no API key." in part


def test_the_addresses_follow_the_base_url(settings: Settings, clock: Clock) -> None:
    agg = make_aggregator(replace(settings, base_url="https://news.example.org"), clock=clock)
    try:
        with TestClient(create_app(agg), base_url="https://news.example.org") as client:
            sign_in_reader(client, agg)
            part = apps_part(client.get("/read/settings").text)
    finally:
        agg.close()
    assert "https://news.example.org/api/greader.php" in part
    assert "https://news.example.org/api/fever.php" in part
    assert "testserver" not in part


def test_set_change_and_remove_the_api_password(site: Site) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    done = post(client, "/read/api-password", csrf_token=token, new=SECRET, again=SECRET)
    assert done.status_code == 303 and done.headers["location"] == "/read/settings"
    page = client.get("/read/settings").text
    assert "Your API password is set: apps sign in with your name and this password." in page
    assert SECRET not in page  # never shown back
    part = apps_part(page)
    assert "Your API password is set." in part and "Change the API password" in part
    bea = agg.api_sign_in("bea", SECRET)
    assert bea is not None and bea.name == "bea"
    assert agg.sign_in("bea", SECRET) is None  # the sign-in password is another one

    changed = post(
        client, "/read/api-password", csrf_token=token, new="new lights 43", again="new lights 43"
    )
    assert changed.status_code == 303
    assert "Your API password is changed" in client.get("/read/settings").text
    assert agg.api_sign_in("bea", SECRET) is None
    assert agg.api_sign_in("bea", "new lights 43") is not None

    removed = post(client, "/read/api-password/remove", csrf_token=token)
    assert removed.status_code == 303
    page = client.get("/read/settings").text
    assert "Your API password is removed: apps can no longer sign in with it." in page
    assert "Your API password is not set" in apps_part(page)
    assert not agg.has_api_password(user_id(agg, "bea"))
    assert agg.api_sign_in("bea", "new lights 43") is None


def test_two_different_passwords_are_refused(site: Site) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    refused = post(client, "/read/api-password", csrf_token=token, new=SECRET, again=SECRET + "!")
    assert refused.status_code == 400
    assert "The API password and its repetition differ." in refused.text
    assert SECRET not in refused.text
    assert "Your API password is not set" in apps_part(refused.text)
    assert not agg.has_api_password(user_id(agg, "bea"))


def test_a_short_password_is_refused(site: Site) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    refused = post(client, "/read/api-password", csrf_token=token, new="short", again="short")
    assert refused.status_code == 400
    assert "A password needs at least 8 characters." in refused.text
    assert not agg.has_api_password(user_id(agg, "bea"))
    missing = post(client, "/read/api-password", csrf_token=token)
    assert missing.status_code == 400 and not agg.has_api_password(user_id(agg, "bea"))


def test_a_new_key_is_shown_once_then_listed_with_its_ages(site: Site, clock: Clock) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    made = post(client, "/read/api-keys", csrf_token=token, description=" Unread  on my phone ")
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    secret = new_secret(made.text)
    assert "Your new API key “Unread on my phone”: copy it into the app now." in made.text

    clock.now += timedelta(hours=3)
    page = client.get("/read/settings").text
    assert secret not in page and 'id="new-api-key"' not in page  # once only
    (row,) = key_rows(page)
    assert "Unread on my phone" in row and "never" in row
    assert row.count("<time ") == 1 and "3 hours ago" in row

    bea = agg.user_for_api_key(secret)  # the app uses it
    assert bea is not None and bea.name == "bea"
    clock.now += timedelta(minutes=5)
    (row,) = key_rows(client.get("/read/settings").text)
    assert "never" not in row and "5 min ago" in row and row.count("<time ") == 2


def test_a_key_needs_a_description(site: Site) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    for description in ("", "   ", "x" * 201):
        refused = post(client, "/read/api-keys", csrf_token=token, description=description)
        assert refused.status_code == 400, description
        assert "Describe the key in 1 to 200 characters." in refused.text
        assert 'id="new-api-key"' not in refused.text
    assert agg.api_keys(user_id(agg, "bea")) == []


def test_revoke_a_key(site: Site) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    first = new_secret(post(client, "/read/api-keys", csrf_token=token, description="Unread").text)
    second = new_secret(
        post(client, "/read/api-keys", csrf_token=token, description="newsboat").text
    )
    keys = agg.api_keys(user_id(agg, "bea"))
    assert [k.description for k in keys] == ["Unread", "newsboat"]
    assert len(key_rows(client.get("/read/settings").text)) == 2

    done = post(client, f"/read/api-keys/{keys[0].id}/revoke", csrf_token=token)
    assert done.status_code == 303 and done.headers["location"] == "/read/settings"
    page = client.get("/read/settings").text
    assert "Revoked the API key “Unread”." in page
    (row,) = key_rows(page)
    assert "newsboat" in row
    assert agg.user_for_api_key(first) is None
    assert agg.user_for_api_key(second) is not None
    again = post(client, f"/read/api-keys/{keys[0].id}/revoke", csrf_token=token)
    assert again.status_code == 404


def test_nobody_revokes_another_persons_key(site: Site) -> None:
    agg, client = site
    ada_token = sign_in_reader(client, agg, "ada")
    made = post(client, "/read/api-keys", csrf_token=ada_token, description="Ada's Reeder")
    secret = new_secret(made.text)
    (key,) = agg.api_keys(user_id(agg, "ada"))

    bea_token = sign_in_reader(client, agg, "bea")
    page = client.get("/read/settings").text
    assert "Ada&#39;s Reeder" not in page and "Ada's Reeder" not in page
    refused = post(client, f"/read/api-keys/{key.id}/revoke", csrf_token=bea_token)
    assert refused.status_code == 404
    assert "Ada" not in refused.text
    assert agg.api_keys(user_id(agg, "ada")) == [key]
    ada = agg.user_for_api_key(secret)
    assert ada is not None and ada.name == "ada"


def test_no_change_without_the_form_token_nor_from_another_site(site: Site) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    made = post(client, "/read/api-keys", csrf_token=token, description="kept")
    new_secret(made.text)
    (key,) = agg.api_keys(user_id(agg, "bea"))
    attempts = [
        ("/read/api-password", {"new": SECRET, "again": SECRET}),
        ("/read/api-password/remove", {}),
        ("/read/api-keys", {"description": "sneaky"}),
        (f"/read/api-keys/{key.id}/revoke", {}),
    ]
    agg.set_api_password(user_id(agg, "bea"), "kept password")
    for path, fields in attempts:
        for sent in ({}, {"csrf_token": "forged"}):
            refused = post(client, path, **fields, **sent)
            assert refused.status_code == 403, (path, sent)
            assert "the form has expired" in refused.text
        cross_site = client.post(
            path,
            data={**fields, "csrf_token": token},
            headers={"Origin": "https://evil.example"},
            follow_redirects=False,
        )
        assert cross_site.status_code == 403, path
    assert agg.api_keys(user_id(agg, "bea")) == [key]
    assert agg.api_sign_in("bea", "kept password") is not None
    assert agg.api_sign_in("bea", SECRET) is None


def test_signed_out_visitors_are_sent_to_sign_in(site: Site) -> None:
    agg, client = site
    token = form_token(client.get("/signin").text)
    for path in ("/read/api-password", "/read/api-password/remove", "/read/api-keys"):
        response = post(client, path, csrf_token=token, new=SECRET, again=SECRET, description="x")
        assert response.status_code == 303 and response.headers["location"] == "/signin", path
    assert agg.users() == []
