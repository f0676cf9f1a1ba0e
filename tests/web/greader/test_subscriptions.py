"""Subscriptions in-process: the list (folders as categories, stable ids, an ETag), quickadd
over a real loopback feed, edit (subscribe by URL, rename, move, take out of a folder,
unsubscribe), OPML export and import."""

from __future__ import annotations

from typing import Any

from tests.feedserver import FeedServer, Route
from tests.web.greader.helpers import API, HARBOUR, NATO, Reader

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>
<link>https://site.example/</link>{items}</channel></rss>"""
ITEM = "<item><title>{t}</title><guid>{t}</guid><description>About {t}</description></item>"


def rss(name: str, *titles: str) -> bytes:
    return RSS.format(name=name, items="".join(ITEM.format(t=t) for t in titles)).encode()


def subs(reader: Reader) -> dict[str, dict[str, Any]]:
    return {s["title"]: s for s in reader.json(f"{API}/subscription/list")["subscriptions"]}


def test_the_list_has_every_feed_with_its_folder_and_stable_ids(reader: Reader) -> None:
    response = reader.get(f"{API}/subscription/list", output="json")
    assert response.status_code == 200
    found = {s["title"]: s for s in response.json()["subscriptions"]}
    nato = found["NATO News"]
    assert nato == {
        "id": f"feed/{reader.feeds['nato']}",
        "title": "NATO News",
        "categories": [{"id": "user/-/label/World", "label": "World", "type": "folder"}],
        "url": NATO,
        "htmlUrl": NATO,
        "iconUrl": "",
    }
    assert found["Harbour"]["categories"] == []
    assert found["Science & <Nature>"]["id"] == f"feed/{reader.feeds['science']}"
    # hidden from "all items" on the site is still listed: apps hide nothing
    reader.agg.edit_subscription(reader.user_id, reader.feeds["harbour"], hide_from_all=True)
    assert "Harbour" in subs(reader)
    assert subs(reader)["NATO News"]["id"] == nato["id"]


def test_the_list_answers_304_to_its_etag_until_it_changes(reader: Reader) -> None:
    first = reader.get(f"{API}/subscription/list")
    etag = first.headers["etag"]
    again = reader.http.get(
        f"{API}/subscription/list", headers={**reader.headers(), "If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    reader.agg.edit_subscription(reader.user_id, reader.feeds["nato"], title="Alliance")
    changed = reader.http.get(
        f"{API}/subscription/list", headers={**reader.headers(), "If-None-Match": etag}
    )
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_quickadd_follows_a_real_feed_and_says_when_already_subscribed(
    reader: Reader, server: FeedServer
) -> None:
    server.routes["/new.xml"] = Route(rss("Ferries", "One", "Two"))
    url = server.url("/new.xml")
    added = reader.post(f"{API}/subscription/quickadd", {"quickadd": url, "T": ""}, output="json")
    assert added.status_code == 200
    body = added.json()
    assert body["numResults"] == 1 and body["query"] == url
    assert body["streamName"] == "Ferries" and body["streamId"].startswith("feed/")
    assert subs(reader)["Ferries"]["id"] == body["streamId"]
    assert len(reader.ids(s=body["streamId"])) == 2
    # again, with a feed/ prefix (in the query, as Read You sends it)
    twice = reader.post(f"{API}/subscription/quickadd", quickadd=f"feed/{url}").json()
    assert twice == {"numResults": 0, "query": url, "error": "Already subscribed!"}
    server.routes["/page.html"] = Route(
        b"<html><body>no feed</body></html>", content_type="text/html"
    )
    nothing = reader.post(f"{API}/subscription/quickadd", {"quickadd": server.url("/page.html")})
    assert nothing.status_code == 200 and nothing.json()["numResults"] == 0
    assert nothing.json()["error"]
    assert reader.post(f"{API}/subscription/quickadd", {"quickadd": " "}).status_code == 400


def test_edit_renames_moves_and_takes_out_of_a_folder(reader: Reader) -> None:
    nato = f"feed/{reader.feeds['nato']}"
    edit = f"{API}/subscription/edit"
    assert reader.post(edit, {"ac": "edit", "s": nato, "t": "Alliance"}).text == "OK"
    assert subs(reader)["Alliance"]["categories"][0]["label"] == "World"
    # NetNewsWire's move: r the old label, a the new one
    moved = {"ac": "edit", "s": nato, "r": "user/-/label/World", "a": "user/-/label/Europe"}
    assert reader.post(edit, moved).text == "OK"
    assert subs(reader)["Alliance"]["categories"][0]["id"] == "user/-/label/Europe"
    # r alone takes it out of that folder; r of another folder changes nothing
    assert reader.post(edit, {"ac": "edit", "s": nato, "r": "user/-/label/World"}).text == "OK"
    assert subs(reader)["Alliance"]["categories"][0]["label"] == "Europe"
    assert reader.post(edit, {"ac": "edit", "s": nato, "r": "user/-/label/Europe"}).text == "OK"
    assert subs(reader)["Alliance"]["categories"] == []
    # by URL too (News+)
    by_url = {"ac": "edit", "s": f"feed/{HARBOUR}", "a": "user/-/label/Boats"}
    assert reader.post(edit, by_url).text == "OK"
    assert subs(reader)["Harbour"]["categories"][0]["label"] == "Boats"
    missing = reader.post(edit, {"ac": "edit", "s": "feed/999", "t": "x"})
    assert missing.status_code == 404
    assert reader.post(edit, {"ac": "edit", "s": "user/-/label/World"}).status_code == 400
    assert reader.post(edit, {"ac": "fly", "s": nato}).status_code == 400
    assert reader.post(edit, {"ac": "edit"}).status_code == 400


def test_edit_subscribes_by_url_and_unsubscribes(reader: Reader, server: FeedServer) -> None:
    server.routes["/b.xml"] = Route(rss("Buses", "Late"))
    url = server.url("/b.xml")
    edit = f"{API}/subscription/edit"
    data = {"ac": "subscribe", "s": f"feed/{url}", "t": "My buses", "a": "user/-/label/Town"}
    assert reader.post(edit, data).text == "OK"
    buses = subs(reader)["My buses"]
    assert buses["categories"][0]["label"] == "Town" and buses["url"] == url
    assert reader.post(edit, data).text == "OK"  # already: as asked
    assert reader.post(edit, {"ac": "unsubscribe", "s": buses["id"]}).text == "OK"
    assert "My buses" not in subs(reader)
    assert reader.post(edit, {"ac": "unsubscribe", "s": buses["id"]}).text == "OK"
    refused = reader.post(edit, {"ac": "subscribe", "s": "feed/424242"})
    assert refused.status_code == 400 and "feed/<url>" in refused.text


def test_opml_export_and_import(reader: Reader, bob: Reader) -> None:
    exported = reader.get(f"{API}/subscription/export")
    assert exported.status_code == 200 and b"<opml" in exported.content
    assert NATO.encode() in exported.content and b'text="World"' in exported.content
    # bob imports ada's OPML as NetNewsWire sends it: the raw document as the body
    imported = bob.http.post(
        f"{API}/subscription/import",
        content=exported.content,
        headers={**bob.headers(), "Content-Type": "text/x-opml"},
    )
    assert imported.status_code == 200 and imported.text == "OK"
    theirs = subs(bob)
    assert set(theirs) >= {"NATO News", "Harbour", "Science & <Nature>"}
    assert theirs["Science & <Nature>"]["categories"][0]["label"] == "Science"
    upload = bob.http.post(
        f"{API}/subscription/import",
        files={"opml": ("s.opml", exported.content, "text/x-opml")},
        headers=bob.headers(),
    )
    assert upload.text == "OK"
    empty = bob.http.post(f"{API}/subscription/import", content=b"", headers=bob.headers())
    assert empty.status_code == 400
    bad = bob.http.post(f"{API}/subscription/import", content=b"<html>", headers=bob.headers())
    assert bad.status_code == 400
