"""Private feeds: a person's unread, starred and folder items as RSS, Atom and JSON Feed at
addresses that carry their token, with no session; one person's token never shows another's
items; rotating the token ends the old addresses; the feeds parse back with tidings' own parser.
And /read/starred.json, the signed-in person's starred items."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from tests.web.helpers import add_items, sign_in_reader
from tidings.core import Aggregator
from tidings.parse import parse_feed
from tidings.types import EntryQuery, ParsedItem

Site = tuple[Aggregator, TestClient]
FORMATS = ("xml", "atom", "json")
FOLDER = "World news/Europe"


@dataclass
class Story:
    """Two people over two feeds, one of them followed by both."""

    bea: int
    cy: int
    ids: dict[str, int]  # item title -> id


def titles(client: TestClient, path: str) -> list[str]:
    """The item titles of a private feed, as tidings' own parser reads them back."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:200])
    parsed = parse_feed(response.content, url=f"http://testserver{path}")
    assert not parsed.warnings or parsed.version, parsed.warnings
    return sorted(i.title or "" for i in parsed.items)


def subscribe(client: TestClient, token: str, url: str, folder: str = "") -> None:
    data = {"csrf_token": token, "url": url, "folder": folder}
    assert client.post("/read/subscriptions", data=data, follow_redirects=False).status_code == 303


@pytest.fixture
def story(site: Site) -> Story:
    agg, client = site
    now = agg.clock()
    add_items(agg, now, *(ParsedItem(guid=g, title=f"Nato {g}") for g in ("n1", "n2")))
    add_items(
        agg, now, ParsedItem(guid="s1", title="Secret s1"), url="https://s.org/f", title="Secret"
    )
    bea_token = sign_in_reader(client, agg, "bea")
    subscribe(client, bea_token, "https://e.org/f", folder=FOLDER)
    subscribe(client, bea_token, "https://s.org/f")
    cy_token = sign_in_reader(client, agg, "cy")
    subscribe(client, cy_token, "https://e.org/f")
    client.cookies.clear()  # the private feeds need no session
    people = {a.user.name: a.user.id for a in agg.users()}
    bea, cy = people["bea"], people["cy"]
    ids = {e.item.title or "": e.item.id for e in agg.entries(bea, EntryQuery(status="all"))}
    agg.set_read(bea, [ids["Nato n1"]])
    agg.set_starred(bea, [ids["Secret s1"]])
    agg.set_starred(cy, [ids["Nato n2"]])
    return Story(bea, cy, ids)


def private(agg: Aggregator, user_id: int, name: str) -> str:
    return f"/read/private/{agg.feed_token(user_id)}/{name}"


@pytest.mark.parametrize("ext", FORMATS)
def test_each_person_reads_their_own_unread_starred_and_folder_feeds(
    site: Site, story: Story, ext: str
) -> None:
    agg, client = site
    assert titles(client, private(agg, story.bea, f"unread.{ext}")) == ["Nato n2", "Secret s1"]
    assert titles(client, private(agg, story.cy, f"unread.{ext}")) == ["Nato n1", "Nato n2"]
    assert titles(client, private(agg, story.bea, f"starred.{ext}")) == ["Secret s1"]
    assert titles(client, private(agg, story.cy, f"starred.{ext}")) == ["Nato n2"]
    folder = f"folders/{quote(FOLDER, safe='')}.{ext}"
    assert titles(client, private(agg, story.bea, folder)) == ["Nato n2"]
    assert client.get(private(agg, story.cy, folder)).status_code == 404  # not cy's folder


def test_one_persons_token_never_shows_anothers_items(site: Site, story: Story) -> None:
    agg, client = site
    for name in ("unread", "starred"):
        for ext in FORMATS:
            body = client.get(private(agg, story.cy, f"{name}.{ext}")).text
            assert "Secret" not in body and "s.org" not in body and "bea" not in body


def test_the_feed_says_whose_it_is_under_the_persons_titles(site: Site, story: Story) -> None:
    agg, client = site
    uid = story.bea
    (nato,) = [s.feed.id for s in agg.subscriptions(uid) if s.feed.url == "https://e.org/f"]
    agg.edit_subscription(uid, nato, title="My alliance")
    document = json.loads(client.get(private(agg, uid, "unread.json")).text)
    assert document["title"].startswith("Unread · bea")
    assert document["feed_url"] == "http://testserver" + private(agg, uid, "unread.json")
    sources = {i["title"]: i["_tidings"]["source"]["title"] for i in document["items"]}
    assert sources == {"Nato n2": "My alliance", "Secret s1": "Secret"}
    cy = json.loads(client.get(private(agg, story.cy, "unread.json")).text)
    assert {i["_tidings"]["source"]["title"] for i in cy["items"]} == {"NATO News"}


def test_private_headers_and_no_session(site: Site, story: Story) -> None:
    agg, client = site
    response = client.get(private(agg, story.bea, "unread.atom"))
    assert response.status_code == 200 and "set-cookie" not in response.headers
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert response.headers["cache-control"].startswith("private")
    assert response.headers["x-robots-tag"].startswith("noindex")
    assert response.headers["referrer-policy"] == "no-referrer"
    again = client.get(
        private(agg, story.bea, "unread.atom"), headers={"if-none-match": response.headers["etag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "token", ["nobody", "1-" + "0" * 32, "x" * 200, "../unread", "%00", "1-abc"]
)
def test_a_wrong_token_is_a_404(site: Site, story: Story, token: str) -> None:
    _agg, client = site
    for name in ("unread.xml", "starred.json", "folders/x.atom"):
        assert client.get(f"/read/private/{token}/{name}").status_code == 404, (token, name)


def test_rotate_ends_the_old_addresses(site: Site, story: Story) -> None:
    agg, client = site
    old = private(agg, story.bea, "unread.xml")
    assert client.get(old).status_code == 200
    token = sign_in_reader(client, agg, "bea")
    rotated = client.post("/read/token", data={"csrf_token": token}, follow_redirects=False)
    assert rotated.status_code == 303
    client.cookies.clear()
    assert client.get(old).status_code == 404
    assert titles(client, private(agg, story.bea, "unread.xml")) == ["Nato n2", "Secret s1"]
    assert client.get(private(agg, story.cy, "unread.xml")).status_code == 200  # cy's as it was


def test_reading_moves_items_out_of_the_unread_feed(site: Site, story: Story) -> None:
    """At once: the page cache (on in these tests) keeps nothing under /read."""
    agg, client = site
    assert agg.settings.page_cache_seconds > 0
    assert titles(client, private(agg, story.bea, "unread.xml")) == ["Nato n2", "Secret s1"]
    agg.set_read(story.bea, [story.ids["Nato n2"]])
    assert titles(client, private(agg, story.bea, "unread.xml")) == ["Secret s1"]
    agg.mark_read(story.bea)
    assert titles(client, private(agg, story.bea, "unread.json")) == []
    assert titles(client, private(agg, story.cy, "unread.json")) == ["Nato n1", "Nato n2"]


def test_starred_json_is_the_signed_in_persons_own(site: Site, story: Story) -> None:
    agg, client = site
    assert client.get("/read/starred.json", follow_redirects=False).status_code == 303
    sign_in_reader(client, agg, "bea")
    response = client.get("/read/starred.json")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"].startswith("private")
    document = response.json()
    assert [i["title"] for i in document["items"]] == ["Secret s1"]
    assert document["items"][0]["_tidings"]["starred_at"].startswith("2026-11-28")
    sign_in_reader(client, agg, "cy")
    assert [i["title"] for i in client.get("/read/starred.json").json()["items"]] == ["Nato n2"]


def test_a_hidden_subscription_leaves_the_unread_feed_but_not_its_folders(
    site: Site, story: Story
) -> None:
    agg, client = site
    (nato,) = [s.feed.id for s in agg.subscriptions(story.bea) if s.feed.url == "https://e.org/f"]
    agg.edit_subscription(story.bea, nato, hide_from_all=True)
    assert titles(client, private(agg, story.bea, "unread.atom")) == ["Secret s1"]
    folder = f"folders/{quote(FOLDER, safe='')}.atom"
    assert titles(client, private(agg, story.bea, folder)) == ["Nato n2"]
