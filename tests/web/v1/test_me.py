"""/v1/me is Miniflux's user object for the person the credentials name; /v1/version says
what answers."""

from __future__ import annotations

import re

import tidings
from tests.web.v1.conftest import Api
from tidings.types import ReadingSettings


def test_me_is_the_miniflux_user_object(api: Api) -> None:
    me = api.client.get("/v1/me", headers=api.headers).json()
    assert (me["id"], me["username"], me["is_admin"]) == (api.user.id, "ada", False)
    assert me["timezone"] == str(api.agg.site().timezone)
    assert (me["entry_sorting_direction"], me["entry_sorting_order"]) == ("desc", "published_at")
    assert me["mark_read_on_view"] is False
    assert me["last_login_at"] == api.agg.clock().strftime("%Y-%m-%dT%H:%M:%SZ")  # never null
    assert all(isinstance(me[k], str) for k in ("theme", "language", "stylesheet", "custom_js"))
    assert all(isinstance(me[k], int) for k in ("entries_per_page", "default_reading_speed"))


def test_me_follows_the_persons_reading_settings(api: Api) -> None:
    api.agg.save_reading_settings(api.user.id, ReadingSettings(mark_read_on_scroll=True))
    assert api.client.get("/v1/me", headers=api.headers).json()["mark_read_on_view"] is True


def test_an_admin_is_an_admin(api: Api) -> None:
    admin = api.agg.add_user("root", "sign-in password 1", role="admin")
    _key, secret = api.agg.create_api_key(admin.id, "admin's app")
    me = api.client.get("/v1/me", headers={"X-Auth-Token": secret}).json()
    assert (me["username"], me["is_admin"]) == ("root", True)


def test_version_names_tidings(api: Api) -> None:
    version = api.client.get("/v1/version", headers=api.headers).json()
    assert version["version"] == tidings.__version__
    assert re.match(r"^python \d+\.\d+", version["compiler"])
    assert set(version) == {
        "version", "commit", "build_date", "go_version", "compiler", "arch", "os",
    }  # fmt: skip


def test_there_are_no_integrations(api: Api) -> None:
    response = api.client.get("/v1/integrations/status", headers=api.headers)
    assert response.json() == {"has_integrations": False}
    saved = api.client.post("/v1/entries/1/save", headers=api.headers)
    assert saved.status_code == 400
    assert saved.json() == {"error_message": "no third-party integration enabled"}
    too_large = api.client.post("/v1/entries/18446744073709551616/save", headers=api.headers)
    assert too_large.status_code == 404
