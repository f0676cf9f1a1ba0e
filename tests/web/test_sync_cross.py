"""One person, three apps and the reading page: what is read or starred through one protocol is
read or starred in the other two and on /read, and "mark all" through one empties the others'
unread lists."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items, sign_in_reader
from tidings.core import Aggregator
from tidings.types import ParsedItem

API_PASSWORD = "the apps' password"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING = "user/-/state/com.google/reading-list"


class Apps:
    """The three protocols, spoken by one person over one in-process client."""

    def __init__(self, client: TestClient) -> None:
        self.c = client
        login = client.post("/accounts/ClientLogin", data={"Email": "bea", "Passwd": API_PASSWORD})
        auth = dict(line.split("=", 1) for line in login.text.split())["Auth"]
        self.greader = {"Authorization": f"GoogleLogin auth={auth}"}
        self.fever = {"api_key": hashlib.md5(f"bea:{API_PASSWORD}".encode()).hexdigest()}
        self.basic = ("bea", API_PASSWORD)

    # -- Google Reader
    def greader_ids(self, **params: str) -> set[int]:
        answer = self.c.get(
            "/reader/api/0/stream/items/ids",
            params={"output": "json", "n": "1000", **params},
            headers=self.greader,
        )
        assert answer.status_code == 200, answer.text
        return {int(ref["id"]) for ref in answer.json()["itemRefs"]}

    def greader_edit(self, item_id: int, **change: str) -> None:
        body = {"i": f"tag:google.com,2005:reader/item/{item_id:016x}", **change}
        answer = self.c.post("/reader/api/0/edit-tag", data=body, headers=self.greader)
        assert answer.text == "OK", answer.text

    # -- Fever
    def fever_call(self, query: str, **body: str) -> dict[str, Any]:
        answer = self.c.post(f"/api/fever.php?api&{query}", data={**self.fever, **body})
        found: dict[str, Any] = answer.json()
        assert found["auth"] == 1, found
        return found

    def fever_ids(self, which: str) -> set[int]:
        text = self.fever_call(which)[which]
        return {int(i) for i in text.split(",") if i}

    # -- Miniflux
    def v1(self, method: str, path: str, **kw: Any) -> Any:
        answer = self.c.request(method, f"/v1{path}", auth=self.basic, **kw)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def v1_entry(self, item_id: int) -> tuple[str, bool]:
        entry = self.v1("GET", f"/entries/{item_id}")
        return entry["status"], entry["starred"]


def setup(agg: Aggregator, clock: Clock, client: TestClient) -> tuple[Apps, list[int]]:
    stories = [
        ParsedItem(guid=f"s{n}", title=f"Story {n}", published=clock.now - timedelta(hours=n))
        for n in range(4)
    ]
    feed = add_items(agg, clock.now, *stories, url="https://harbour.example/feed")
    sign_in_reader(client, agg)  # bea, on /read
    found = agg.accounts.password_hash("bea")
    assert found is not None
    bea = found[0]
    agg.store.add_subscription(bea.id, feed, now=clock.now, folder="Harbour")
    agg.set_api_password(bea.id, API_PASSWORD)
    apps = Apps(client)
    ids = sorted(apps.greader_ids(s=READING))
    assert len(ids) == 4
    return apps, ids


def read_page(client: TestClient, path: str = "/read") -> str:
    page = client.get(path)
    assert page.status_code == 200
    text: str = page.text
    return text


def test_read_and_starred_travel_between_the_three_apps_and_the_page(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    apps, ids = setup(agg, clock, client)
    first, second = ids[0], ids[1]
    assert apps.fever_ids("unread_item_ids") == set(ids)

    # read through Google Reader
    apps.greader_edit(first, a=READ)
    assert first not in apps.fever_ids("unread_item_ids")
    assert apps.v1_entry(first) == ("read", False)
    title = apps.v1("GET", f"/entries/{first}")["title"]
    assert title.startswith("Story") and title not in read_page(client)

    # starred through Fever
    apps.fever_call("", mark="item", **{"as": "saved"}, id=str(second))
    assert apps.greader_ids(s=STARRED) == {second}
    assert apps.v1_entry(second) == ("unread", True)
    starred_title = apps.v1("GET", f"/entries/{second}")["title"]
    assert starred_title in read_page(client, "/read/starred")

    # unread again through Miniflux's API
    change = {"entry_ids": [first], "status": "unread"}
    assert client.put("/v1/entries", json=change, auth=apps.basic).status_code == 204
    assert first in apps.greader_ids(s=READING, xt=READ)
    assert first in apps.fever_ids("unread_item_ids")
    assert title in read_page(client)

    # unstarred through Google Reader
    apps.greader_edit(second, r=STARRED)
    assert apps.fever_ids("saved_item_ids") == set()
    assert apps.v1_entry(second) == ("unread", False)


def test_mark_all_read_through_one_app_empties_every_unread_list(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    apps, ids = setup(agg, clock, client)
    before = str(int((clock.now + timedelta(seconds=1)).timestamp()))
    apps.fever_call("", mark="group", **{"as": "read"}, id="0", before=before)
    assert apps.greader_ids(s=READING, xt=READ) == set()
    assert apps.v1("GET", "/entries", params={"status": "unread"})["total"] == 0
    assert apps.fever_ids("unread_item_ids") == set()
    for n in range(4):
        assert f"Story {n}" not in read_page(client)
    # unread again through Google Reader's "kept unread"
    apps.greader_edit(ids[2], a="user/-/state/com.google/kept-unread")
    assert apps.v1("GET", "/entries", params={"status": "unread"})["total"] == 1
    assert apps.fever_ids("unread_item_ids") == {ids[2]}
