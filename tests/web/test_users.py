"""Roles on the web: only admins reach /admin and its pages (a reader gets a 403 that links to
/read); the admin's users page lists people with their roles, adds a reader or an admin, changes
a role and removes someone, never the admin using it."""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient

from tests.web.helpers import add_items, form_token, sign_in
from tidings.core import Aggregator
from tidings.types import ParsedItem

PASSWORD = "correct horse battery"

ADMIN_PAGES = ["/admin", "/admin/health", "/admin/settings", "/admin/users", "/admin/password"]


def sign_in_reader(client: TestClient, agg: Aggregator, name: str = "bea") -> str:
    """Sign a reader in; the form token of their session (from their own password page)."""
    if agg.accounts.password_hash(name) is None:
        agg.add_user(name, PASSWORD)  # a reader: the default role
    token = form_token(client.get("/signin").text)
    done = client.post(
        "/signin",
        data={"csrf_token": token, "name": name, "password": PASSWORD},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return form_token(client.get("/read/password").text)


def post(client: TestClient, path: str, **data: str) -> httpx.Response:
    response: httpx.Response = client.post(path, data=data, follow_redirects=False)
    return response


def roles(agg: Aggregator) -> dict[str, str]:
    return {a.user.name: a.user.role for a in agg.users()}


def test_a_reader_lands_on_read_and_gets_403_with_a_link_on_every_admin_page(
    site: tuple[Aggregator, TestClient],
) -> None:
    agg, client = site
    fid = add_items(agg, agg.clock(), ParsedItem(guid="1", title="One"))
    token = form_token(client.get("/signin").text)
    agg.add_user("bea", PASSWORD)
    landed = post(client, "/signin", csrf_token=token, name="bea", password=PASSWORD, next="/admin")
    assert landed.headers["location"] == "/read"
    for path in [*ADMIN_PAGES, f"/admin/feeds/{fid}", f"/admin/feeds/{fid}/history.json"]:
        page = client.get(path, follow_redirects=False)
        assert page.status_code == 403, path
        assert "for the site&#39;s admins" in page.text and 'href="/read"' in page.text, path
    csrf = form_token(client.get("/read/password").text)
    for path in ["/admin/feeds", f"/admin/feeds/{fid}/delete", "/admin/settings", "/admin/users"]:
        refused = post(client, path, csrf_token=csrf, url="https://e.org/x", name="eve")
        assert refused.status_code == 403, path
    assert agg.feed(fid).id == fid and "eve" not in roles(agg)
    assert 'href="/admin"' not in client.get("/read/password").text.split("<main", 1)[1]


def test_an_admin_lands_where_asked_and_signed_out_visitors_go_to_sign_in(
    site: tuple[Aggregator, TestClient],
) -> None:
    agg, client = site
    assert client.get("/admin/users", follow_redirects=False).headers["location"] == "/signin"
    agg.add_user("ada", PASSWORD, role="admin")
    token = form_token(client.get("/signin").text)
    landed = post(client, "/signin", csrf_token=token, name="ada", password=PASSWORD, next="/admin")
    assert landed.headers["location"] == "/admin"
    page = client.get("/admin")
    assert 'href="/admin/users"' in page.text


def test_the_users_page_lists_people_with_their_roles(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    sign_in(client, agg)
    agg.add_user("bea", PASSWORD)
    page = client.get("/admin/users")
    assert page.status_code == 200 and 'aria-current="page">Users' in page.text
    rows = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    ada, bea = rows
    assert "ada" in ada and "admin" in ada and "(you)" in ada and "Remove" not in ada
    assert "bea" in bea and "reader" in bea and "Make admin" in bea and "Remove" in bea


def test_an_admin_adds_a_reader_and_an_admin(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    token = sign_in(client, agg)
    added = post(
        client, "/admin/users", csrf_token=token, name="bea", password=PASSWORD, again=PASSWORD,
        role="reader",
    )  # fmt: skip
    assert added.status_code == 303 and added.headers["location"] == "/admin/users"
    assert "Added bea as reader." in client.get("/admin/users").text
    post(
        client, "/admin/users", csrf_token=token, name="cy", password=PASSWORD, again=PASSWORD,
        role="admin",
    )  # fmt: skip
    assert roles(agg) == {"ada": "admin", "bea": "reader", "cy": "admin"}
    assert agg.sign_in("bea", PASSWORD) is not None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "bea", "password": PASSWORD, "again": "other words", "role": "reader"}, "differ"),
        ({"name": "bea", "password": "short", "again": "short", "role": "reader"}, "8 characters"),
        ({"name": "bea", "password": PASSWORD, "again": PASSWORD, "role": "root"}, "a role is"),
        ({"name": " ", "password": PASSWORD, "again": PASSWORD, "role": "reader"}, "which user"),
        ({"name": "ada", "password": PASSWORD, "again": PASSWORD, "role": "reader"}, "ada"),
    ],
)
def test_a_bad_new_user_is_a_400_with_its_reason(
    site: tuple[Aggregator, TestClient], fields: dict[str, str], message: str
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    refused = post(client, "/admin/users", csrf_token=token, **fields)
    assert refused.status_code == 400 and "Could not add the user" in refused.text
    assert message in refused.text
    assert roles(agg) == {"ada": "admin"}


def test_roles_change_and_people_go_but_never_the_admin_using_the_page(
    site: tuple[Aggregator, TestClient],
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    agg.add_user("bea", PASSWORD)
    bea_session = agg.sign_in("bea", PASSWORD)
    made = post(client, "/admin/users/role", csrf_token=token, name="bea", role="admin")
    assert made.status_code == 303 and roles(agg)["bea"] == "admin"
    assert "bea is now admin." in client.get("/admin/users").text
    post(client, "/admin/users/role", csrf_token=token, name="bea", role="reader")
    assert roles(agg)["bea"] == "reader"
    self_demote = post(client, "/admin/users/role", csrf_token=token, name="ada", role="reader")
    assert self_demote.status_code == 400 and "your own admin role" in self_demote.text
    self_remove = post(client, "/admin/users/remove", csrf_token=token, name="ada")
    assert self_remove.status_code == 400 and "cannot remove yourself" in self_remove.text
    nobody = post(client, "/admin/users/remove", csrf_token=token, name="nobody")
    assert nobody.status_code == 400
    removed = post(client, "/admin/users/remove", csrf_token=token, name="bea")
    assert removed.status_code == 303 and roles(agg) == {"ada": "admin"}
    assert bea_session is not None and agg.session(bea_session) is None
    assert post(client, "/admin/users/remove", name="ada").status_code == 403  # no form token


def test_a_reader_changes_their_own_password_under_read(
    site: tuple[Aggregator, TestClient],
) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    page = client.get("/read/password")
    assert 'action="/read/password"' in page.text and 'href="/read/settings"' in page.text
    new = "a brand new password"
    done = post(client, "/read/password", csrf_token=token, current=PASSWORD, new=new, again=new)
    assert done.status_code == 303 and done.headers["location"] == "/read/settings"
    assert agg.sign_in("bea", new) is not None
