"""A person's settings page: subscribe (a URL without a scheme, a title, a folder), rename, move
to a folder, hide from All, unsubscribe after a question, OPML in and out, reading settings, the
private feeds' token; and two people who never see nor change each other's subscriptions."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx
import pytest
from starlette.testclient import TestClient

from tests.feedserver import FeedServer, Route
from tests.web.helpers import add_items, sign_in_reader
from tidings.core import Aggregator
from tidings.types import ParsedItem, ReadingSettings

Site = tuple[Aggregator, TestClient]


def rss(title: str, *guids: str) -> bytes:
    items = "".join(
        f"<item><title>{title} {g}</title><guid>{g}</guid>"
        f"<pubDate>20 Nov 2026 10:00:00 +0000</pubDate></item>"
        for g in guids
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://example.org/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def post(client: TestClient, path: str, **data: str) -> httpx.Response:
    response: httpx.Response = client.post(path, data=data, follow_redirects=False)
    return response


def subscribe(client: TestClient, token: str, url: str, **fields: str) -> httpx.Response:
    return post(client, "/read/subscriptions", csrf_token=token, url=url, **fields)


def rows(html: str) -> list[str]:
    """The rows of the subscriptions table."""
    table = html.split('<table class="subscriptions">', 1)[1].split("</table>", 1)[0]
    return table.split("<tbody>", 1)[1].split("<tr>")[1:]


def test_the_page_needs_someone_signed_in(site: Site) -> None:
    _agg, client = site
    for path in ("/read/settings", "/read/opml.xml", "/read/subscriptions/1/unsubscribe"):
        assert client.get(path, follow_redirects=False).headers["location"] == "/signin"


def test_subscribe_by_a_url_without_a_scheme_with_a_title_and_a_folder(
    site: Site, server: FeedServer
) -> None:
    agg, client = site
    server.routes["/harbour.xml"] = Route(rss("Harbour", "a", "b"))
    token = sign_in_reader(client, agg)
    page = client.get("/read/settings")
    assert page.status_code == 200 and "You follow no feed yet" in page.text
    url = server.url("/harbour.xml").removeprefix("http://")
    done = subscribe(client, token, url, title=" My  harbour ", folder="Local")
    assert done.status_code == 303 and done.headers["location"] == "/read/settings"
    page = client.get("/read/settings")
    assert "Subscribed to My harbour: 2 unread items." in page.text
    (row,) = rows(page.text)
    assert (
        'value="My harbour"' in row and 'value="Local"' in row and server.url("/harbour.xml") in row
    )
    assert '<option value="Local">' in page.text  # the folders, to choose from
    (sub,) = agg.subscriptions(agg.users()[0].user.id)
    assert (sub.title, sub.folder, sub.unread, sub.feed.on_site) == (
        "My harbour",
        "Local",
        2,
        False,
    )
    again = subscribe(client, token, server.url("/harbour.xml"))
    assert again.status_code == 400 and "Already subscribed" in again.text


@pytest.mark.parametrize(
    ("url", "message"),
    [("", "give the address"), ("ftp://example.org/feed", "not a web URL")],
)
def test_a_failed_subscription_is_a_400_that_keeps_what_was_typed(
    site: Site, url: str, message: str
) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    refused = subscribe(client, token, url, title="Kept title", folder="Kept folder")
    assert refused.status_code == 400 and message in refused.text
    assert 'value="Kept title"' in refused.text and 'value="Kept folder"' in refused.text


def test_rename_move_hide_and_back(site: Site) -> None:
    agg, client = site
    fid = add_items(agg, agg.clock(), ParsedItem(guid="1", title="One"), title="NATO News")
    token = sign_in_reader(client, agg)
    subscribe(client, token, "https://e.org/f")
    path = f"/read/subscriptions/{fid}"
    done = post(client, path, csrf_token=token, title="Alliance", folder="World", hide_from_all="1")
    assert done.status_code == 303
    uid = agg.users()[0].user.id
    sub = agg.subscription(uid, fid)
    assert (sub.title, sub.folder, sub.hide_from_all) == ("Alliance", "World", True)
    assert "Saved Alliance." in client.get("/read/settings").text
    post(client, path, csrf_token=token, title="", folder="")
    sub = agg.subscription(uid, fid)
    assert (sub.title, sub.folder, sub.hide_from_all) == ("NATO News", None, False)
    too_long = post(client, path, csrf_token=token, title="x", folder="f" * 201)
    assert too_long.status_code == 400 and "at most 200 characters" in too_long.text
    assert post(client, path, title="Forged").status_code == 403
    assert agg.subscription(uid, fid).title == "NATO News"


def test_unsubscribe_asks_first_and_keeps_nothing_but_starred(site: Site) -> None:
    agg, client = site
    fid = add_items(agg, agg.clock(), ParsedItem(guid="1", title="One"))
    token = sign_in_reader(client, agg)
    subscribe(client, token, "https://e.org/f")
    uid = agg.users()[0].user.id
    question = client.get(f"/read/subscriptions/{fid}/unsubscribe")
    assert question.status_code == 200 and "Unsubscribe from NATO News?" in question.text
    assert len(agg.subscriptions(uid)) == 1  # asking changes nothing
    assert post(client, f"/read/subscriptions/{fid}/unsubscribe").status_code == 403
    done = post(client, f"/read/subscriptions/{fid}/unsubscribe", csrf_token=token)
    assert done.status_code == 303 and agg.subscriptions(uid) == []
    assert "Unsubscribed from NATO News." in client.get("/read/settings").text
    gone = client.get(f"/read/subscriptions/{fid}/unsubscribe")
    assert gone.status_code == 404


def test_opml_in_with_folders_and_out(site: Site) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
        b'<outline text="Tech"><outline type="rss" text="Kernel" xmlUrl="https://k.example/rss"/>'
        b'</outline><outline type="rss" text="Loose" xmlUrl="https://l.example/feed"/>'
        b'<outline text="no url"/></body></opml>'
    )
    files = {"file": ("mine.opml", opml, "text/xml")}
    done = client.post(
        "/read/opml", data={"csrf_token": token}, files=files, follow_redirects=False
    )
    assert done.status_code == 303
    assert "Imported 2 feeds, skipped 1." in client.get("/read/settings").text
    exported = client.get("/read/opml.xml")
    assert exported.status_code == 200 and exported.headers["cache-control"].startswith("private")
    assert "attachment" in exported.headers["content-disposition"]
    body = ET.fromstring(exported.content).find("body")
    assert body is not None
    tech = [o for o in body.iter("outline") if o.get("text") == "Tech"]
    assert [o.get("xmlUrl") for o in tech[0]] == ["https://k.example/rss"]
    assert "https://l.example/feed" in exported.text
    # the site's collection is the admin's: nothing imported there
    assert not any(f.on_site for f in agg.feeds())


def test_opml_import_refuses_what_is_not_a_file_of_5_mb_or_less(site: Site) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    nothing = client.post("/read/opml", data={"csrf_token": token}, files={"x": ("", b"", "a/b")})
    assert nothing.status_code == 400 and "choose an OPML file" in nothing.text
    big = b"<opml>" + b" " * (5 * 1024 * 1024) + b"</opml>"
    too_big = client.post(
        "/read/opml", data={"csrf_token": token}, files={"file": ("big.opml", big, "text/xml")}
    )
    assert too_big.status_code == 413 and "too large" in too_big.text
    broken = client.post(
        "/read/opml",
        data={"csrf_token": token},
        files={"file": ("bad.opml", b"<opml><body>", "text/xml")},
    )
    assert broken.status_code == 400 and "Could not import" in broken.text


def test_reading_settings(site: Site) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    uid = agg.users()[0].user.id
    page = client.get("/read/settings").text
    assert 'name="keep" value="forever" checked' in page
    done = post(
        client, "/read/settings", csrf_token=token, keep="days", keep_unread_days="30",
        mark_read_on_scroll="1",
    )  # fmt: skip
    assert done.status_code == 303
    assert agg.reading_settings(uid) == ReadingSettings(30, True)
    page = client.get("/read/settings").text
    assert "Reading settings saved." in page and 'name="keep" value="days" checked' in page
    post(client, "/read/settings", csrf_token=token, keep="forever", keep_unread_days="30")
    assert agg.reading_settings(uid) == ReadingSettings(None, False)
    for bad in ("0", "many", "99999"):
        refused = post(
            client, "/read/settings", csrf_token=token, keep="days", keep_unread_days=bad
        )
        assert refused.status_code == 400 and "number of days" in refused.text
    empty = post(client, "/read/settings", csrf_token=token, keep="days")
    assert empty.status_code == 400 and "how many days" in empty.text
    assert agg.reading_settings(uid) == ReadingSettings(None, False)


def test_the_private_feeds_addresses_and_rotate(site: Site) -> None:
    agg, client = site
    token = sign_in_reader(client, agg)
    uid = agg.users()[0].user.id
    feed_token = agg.feed_token(uid)
    page = client.get("/read/settings").text
    for name in ("unread.xml", "unread.atom", "unread.json", "starred.xml"):
        assert f"http://testserver/read/private/{feed_token}/{name}" in page
    assert post(client, "/read/token", csrf_token=token).status_code == 303
    page = client.get("/read/settings").text
    assert feed_token not in page and agg.feed_token(uid) in page
    assert "the old ones no longer work" in page


def test_two_people_never_see_nor_change_each_others_subscriptions(site: Site) -> None:
    agg, client = site
    nato = add_items(agg, agg.clock(), ParsedItem(guid="1", title="One"), title="NATO News")
    secret = add_items(agg, agg.clock(), ParsedItem(guid="2", title="Two"), url="https://s.org/f")
    bea_token = sign_in_reader(client, agg, "bea")
    subscribe(client, bea_token, "https://s.org/f", title="Bea's secret", folder="Bea's folder")
    cy_token = sign_in_reader(client, agg, "cy")
    subscribe(client, cy_token, "https://e.org/f")
    page = client.get("/read/settings").text
    assert "Bea" not in page and "s.org" not in page and len(rows(page)) == 1
    for path in (f"/read/subscriptions/{secret}", f"/read/subscriptions/{secret}/unsubscribe"):
        refused = post(client, path, csrf_token=cy_token, title="Taken")
        assert refused.status_code == 404, path
    assert client.get(f"/read/subscriptions/{secret}/unsubscribe").status_code == 404
    assert "s.org" not in client.get("/read/opml.xml").text
    bea = {u.user.name: u.user.id for u in agg.users()}["bea"]
    (sub,) = agg.subscriptions(bea)
    assert (sub.feed.id, sub.title, sub.folder) == (secret, "Bea's secret", "Bea's folder")
    assert re.search(r"NATO News", page) and nato != secret
