"""Notification targets on the pages: the admin's /admin/notify (the site's) and a person's on
/read/settings: add, list masked, test (delivered to a webhook on loopback by the sender's
turn), pause, resume, remove; refusals are the page again with the reason, never a 500."""

from __future__ import annotations

import asyncio
import html
import re

from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.notifying.receiver import Hook, hook_fixture  # noqa: F401  (the fixture)
from tests.web.helpers import form_token, sign_in, sign_in_reader
from tidings.core import Aggregator


def post(client: TestClient, token: str, path: str, **fields: str) -> int:
    response = client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)
    return int(response.status_code)


def test_the_admin_adds_tests_pauses_and_removes_a_site_target(
    site: tuple[Aggregator, TestClient], hook: Hook, clock: Clock
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    page = client.get("/admin/notify")
    assert page.status_code == 200 and "No notification targets yet." in page.text
    assert 'href="/admin/notify" aria-current="page"' in page.text
    secret_url = hook.url.replace("json://", "json://ops:s3cret@")
    assert post(client, token, "/admin/notify", url=secret_url, name="Ops hook") == 303
    page = client.get("/admin/notify")
    assert "Added Ops hook" in page.text and "s3cret" not in page.text
    assert "json://ops:****@127.0.0.1" in page.text
    (target,) = agg.notify_targets(None)
    assert post(client, token, f"/admin/notify/{target.id}/test") == 303
    assert "A test message is queued" in client.get("/admin/notify").text
    assert asyncio.run(agg.send_notifications()).sent == 1
    assert [m["title"] for m in hook.received] == ["tidings: a test message"]
    assert "never" not in client.get("/admin/notify").text.split("Ops hook")[1]
    assert post(client, token, f"/admin/notify/{target.id}/pause") == 303
    assert "paused" in client.get("/admin/notify").text
    assert not agg.notify_targets(None)[0].enabled
    assert post(client, token, f"/admin/notify/{target.id}/resume") == 303
    assert agg.notify_targets(None)[0].enabled
    assert post(client, token, f"/admin/notify/{target.id}/remove") == 303
    assert agg.notify_targets(None) == []
    assert post(client, token, f"/admin/notify/{target.id}/remove") == 404


def test_a_bad_url_is_a_400_with_the_reason_and_what_was_typed(
    site: tuple[Aggregator, TestClient],
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    for url, says in [
        ("bogus://x", "unknown notification service bogus://"),
        ("json://10.0.0.1/hook", "refused address for 10.0.0.1"),
        ("json://", "malformed json:// url"),
        ("", "a notification URL is needed"),
        ("x" * 3000, "the url has at most 2000 characters"),
    ]:
        response = client.post(
            "/admin/notify", data={"csrf_token": token, "url": url, "name": "kept"}
        )
        assert response.status_code == 400, url
        assert "Could not add the target:" in response.text
        assert says.lower() in html.unescape(response.text).lower()
        assert 'value="kept"' in response.text
    assert agg.notify_targets(None) == []


def test_forms_need_their_token_and_the_admin_pages_an_admin(
    site: tuple[Aggregator, TestClient], hook: Hook
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    refused = client.post("/admin/notify", data={"url": hook.url}, follow_redirects=False)
    assert refused.status_code == 403 and agg.notify_targets(None) == []
    assert post(client, token, "/admin/notify", url=hook.url) == 303
    sign_in_reader(client, agg)
    assert client.get("/admin/notify").status_code == 403
    client.cookies.clear()
    signed_out = client.get("/admin/notify", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/signin"


def test_a_person_keeps_targets_on_their_settings_page(
    site: tuple[Aggregator, TestClient], hook: Hook
) -> None:
    agg, client = site
    sign_in(client, agg)  # the admin has a site target
    admin_token = form_token(client.get("/admin/notify").text)
    assert post(client, admin_token, "/admin/notify", url=hook.url, name="site hook") == 303
    (site_target,) = agg.notify_targets(None)
    token = sign_in_reader(client, agg)
    bea = next(a.user.id for a in agg.users() if a.user.name == "bea")
    settings = client.get("/read/settings").text
    assert "Notifications (0)" in settings and "site hook" not in settings
    assert post(client, token, "/read/notify", url=hook.url, name="mine", digest="1") == 303
    settings = client.get("/read/settings").text
    assert "Notifications (1)" in settings and "mine" in settings
    assert "daily digest too" in settings
    (mine,) = agg.notify_targets(bea)
    assert mine.digest and mine.user_id == bea
    # another's target is not there for them
    assert post(client, token, f"/read/notify/{site_target.id}/remove") == 404
    assert post(client, token, f"/read/notify/{site_target.id}/test") == 404
    assert post(client, token, f"/read/notify/{mine.id}/test") == 303
    assert asyncio.run(agg.send_notifications()).sent == 1
    assert hook.received[0]["title"] == "tidings: a test message"
    bad = client.post("/read/notify", data={"csrf_token": token, "url": "nope"})
    assert bad.status_code == 400 and "Not an Apprise URL" in bad.text
    assert re.search(r'name="url"[^>]*value="nope"', bad.text)
    assert post(client, token, f"/read/notify/{mine.id}/remove") == 303
    assert agg.notify_targets(bea) == [] and len(agg.notify_targets(None)) == 1
