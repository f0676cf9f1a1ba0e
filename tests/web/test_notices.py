"""Admin notices come from the change just made (a cookie signed with the session's secret),
shown once, never from the URL."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items, sign_in
from tidings.core import Aggregator
from tidings.types import ParsedItem
from tidings.web.notices import NOTICE_COOKIE


def test_a_notice_shows_once_after_the_redirect(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    feed_id = add_items(agg, clock.now, ParsedItem(guid="1", title="One"), title="Doomed Feed")
    done = client.post(
        f"/admin/feeds/{feed_id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin"
    assert "done" not in done.headers["location"]
    first = client.get("/admin")
    assert "Deleted Doomed Feed." in first.text
    again = client.get("/admin")
    assert "Deleted Doomed Feed." not in again.text


def test_the_query_string_never_says_anything(site: tuple[Aggregator, TestClient]) -> None:
    agg, client = site
    sign_in(client, agg)
    lure = "Your password expired: sign in again at https://evil.example/"
    for path in ("/admin", "/admin/health"):
        page = client.get(path, params={"done": lure})
        assert page.status_code == 200
        assert "evil.example" not in page.text and "password expired" not in page.text


def test_a_notice_cookie_from_another_session_or_forged_shows_nothing(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    feed_id = add_items(agg, clock.now, ParsedItem(guid="1", title="One"), title="Doomed Feed")
    client.post(
        f"/admin/feeds/{feed_id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    stolen = client.cookies.get(NOTICE_COOKIE)
    assert stolen
    other = TestClient(client.app)
    sign_in(other, agg, "grace")
    other.cookies.set(NOTICE_COOKIE, stolen, path="/admin")
    assert "Deleted Doomed Feed." not in other.get("/admin").text
    payload = "WW91ciBwYXNzd29yZCBleHBpcmVk"  # "Your password expired"
    other.cookies.set(NOTICE_COOKIE, f"{payload}.{'0' * 64}", path="/admin")
    assert "password expired" not in other.get("/admin").text
