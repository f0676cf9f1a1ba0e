"""The apps' APIs against another person's data and hostile requests: A08 (object access: every
protocol, by every id, reads and changes nothing of someone else's), A07 (no way to become an
admin), A13 (no secret in the logs), A20 (CORS without credentials), S05 and S07 (search scope
and ids of the wrong type)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.synctypes import IdQuery
from tidings.types import ItemWrite, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of
from tidings.web.app import create_app

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PASSWORD = "apps password of ada"
READ = "user/-/state/com.google/read"


@dataclass
class World:
    agg: Aggregator
    client: TestClient
    ada: int
    bea: int
    bea_feed: int
    bea_items: list[int]
    bea_folder: int

    def bea_state(self) -> tuple[list[int], list[int], int]:
        unread = self.agg.item_ids(self.bea, IdQuery(status="unread"))
        starred = self.agg.item_ids(self.bea, IdQuery(status="starred"))
        return unread, starred, len(self.agg.subscriptions(self.bea))


def feed_with(agg: Aggregator, url: str, secret_word: str) -> int:
    fid = agg.store.add_feed(url, now=NOW, title="Private", on_site=False)
    items = [
        ParsedItem(
            guid=f"{url}{n}", title=f"{secret_word} {n}", content_html=f"<p>{secret_word}</p>"
        )
        for n in range(3)
    ]
    writes = tuple(ItemWrite(identity_of(i), content_hash_of(i), i, NOW, NOW) for i in items)
    agg.store.apply(UpdatePlan(fid, NOW, NOW + timedelta(days=3650), status=200, new=writes))
    return fid


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    settings = Settings.load({"TIDINGS_DATA_DIR": str(tmp_path), "TIDINGS_SAMPLES": "0"})
    agg = make_aggregator(settings)
    ada = agg.add_user("ada", "sign-in password a").id
    bea = agg.add_user("bea", "sign-in password b").id
    agg.set_api_password(ada, PASSWORD)
    agg.store.add_subscription(ada, feed_with(agg, "https://a.example/f", "harbour"), now=NOW)
    bea_feed = feed_with(agg, "https://b.example/f", "zeppelin")
    agg.store.add_subscription(bea, bea_feed, now=NOW, folder="Secret")
    bea_folder = next(f.id for f in agg.sync_folders(bea) if f.name == "Secret")
    with TestClient(create_app(agg)) as client:
        yield World(agg, client, ada, bea, bea_feed, agg.item_ids(bea, IdQuery()), bea_folder)
    agg.close()


def greader(w: World) -> dict[str, str]:
    login = w.client.post("/accounts/ClientLogin", data={"Email": "ada", "Passwd": PASSWORD})
    auth = dict(line.split("=", 1) for line in login.text.split())["Auth"]
    return {"Authorization": f"GoogleLogin auth={auth}"}


def fever(w: World, query: str, **body: str) -> dict[str, Any]:
    key = hashlib.md5(f"ada:{PASSWORD}".encode()).hexdigest()
    found: dict[str, Any] = w.client.post(
        f"/fever/?api&{query}", data={"api_key": key, **body}
    ).json()
    assert found["auth"] == 1
    return found


def test_v1_never_reads_or_changes_another_persons_feeds_entries_or_folders(w: World) -> None:
    """A08 over /v1: 404 for each of bea's objects, and her state as it was."""
    before = w.bea_state()
    auth = ("ada", PASSWORD)
    item, feed, folder = w.bea_items[0], w.bea_feed, w.bea_folder
    for method, path in [
        ("GET", f"/v1/feeds/{feed}"),
        ("GET", f"/v1/feeds/{feed}/entries"),
        ("GET", f"/v1/feeds/{feed}/entries/{item}"),
        ("GET", f"/v1/feeds/{feed}/icon"),
        ("PUT", f"/v1/feeds/{feed}/mark-all-as-read"),
        ("PUT", f"/v1/feeds/{feed}/refresh"),
        ("DELETE", f"/v1/feeds/{feed}"),
        ("GET", f"/v1/entries/{item}"),
        ("PUT", f"/v1/entries/{item}/bookmark"),
        ("PUT", f"/v1/entries/{item}/star"),
        ("GET", f"/v1/entries/{item}/fetch-content"),
        ("GET", f"/v1/categories/{folder}/feeds"),
        ("GET", f"/v1/categories/{folder}/entries"),
        ("PUT", f"/v1/categories/{folder}/mark-all-as-read"),
        ("DELETE", f"/v1/categories/{folder}"),
    ]:
        answer = w.client.request(method, path, auth=auth)
        assert answer.status_code == 404, (method, path, answer.status_code, answer.text)
        assert "zeppelin" not in answer.text
    put = w.client.put(f"/v1/categories/{folder}", json={"title": "Mine"}, auth=auth)
    assert put.status_code == 404
    edit = w.client.put(f"/v1/feeds/{feed}", json={"title": "Mine"}, auth=auth)
    assert edit.status_code == 404
    bulk = {"entry_ids": w.bea_items, "status": "read"}
    assert w.client.put("/v1/entries", json=bulk, auth=auth).status_code in (204, 404)
    listing = w.client.get("/v1/entries", params={"search": "zeppelin"}, auth=auth).json()
    assert listing["total"] == 0 and listing["entries"] == []  # S05
    assert "zeppelin" not in w.client.get("/v1/export", auth=auth).text
    assert "b.example" not in w.client.get("/v1/feeds", auth=auth).text
    assert w.bea_state() == before
    assert [f.name for f in w.agg.sync_folders(w.bea)] == ["", "Secret"]


def test_google_reader_never_reads_or_changes_another_persons_items(w: World) -> None:
    """A08 over Google Reader: bea's items by every id spelling, her feed and her folder."""
    before = w.bea_state()
    h = greader(w)
    item = w.bea_items[0]
    spellings = [str(item), f"{item:016x}", f"tag:google.com,2005:reader/item/{item:016x}"]
    contents = w.client.post(
        "/reader/api/0/stream/items/contents",
        data={"i": spellings},
        headers=h,
    )
    assert "zeppelin" not in contents.text
    for change in ({"a": READ}, {"a": "user/-/state/com.google/starred"}):
        w.client.post("/reader/api/0/edit-tag", data={"i": spellings, **change}, headers=h)
    for stream in (f"feed/{w.bea_feed}", "feed/https://b.example/f", "user/-/label/Secret"):
        listed = w.client.get(f"/reader/api/0/stream/contents/{stream}", headers=h)
        assert "zeppelin" not in listed.text, stream
        w.client.post("/reader/api/0/mark-all-as-read", data={"s": stream}, headers=h)
        ids = w.client.get("/reader/api/0/stream/items/ids", params={"s": stream}, headers=h)
        assert str(item) not in ids.text
    w.client.post(
        "/reader/api/0/subscription/edit",
        data={"ac": "unsubscribe", "s": f"feed/{w.bea_feed}"},
        headers=h,
    )
    w.client.post("/reader/api/0/disable-tag", data={"s": "user/-/label/Secret"}, headers=h)
    atom = w.client.get(f"/reader/atom/feed/{w.bea_feed}", headers=h)
    assert "zeppelin" not in atom.text
    assert w.bea_state() == before
    assert [f.name for f in w.agg.sync_folders(w.bea)] == ["", "Secret"]


def test_fever_never_reads_or_changes_another_persons_items(w: World) -> None:
    """A08 over Fever: bea's items by id, her feed and her group."""
    before = w.bea_state()
    item = w.bea_items[0]
    found = fever(w, "items", with_ids=",".join(map(str, w.bea_items)))
    assert found["items"] == []
    for mark in ("read", "saved"):
        fever(w, "", mark="item", id=str(item), **{"as": mark})
    fever(w, "", mark="feed", id=str(w.bea_feed), before="9999999999", **{"as": "read"})
    fever(w, "", mark="group", id=str(w.bea_folder), before="9999999999", **{"as": "read"})
    every = fever(w, "items&unread_item_ids&saved_item_ids&feeds&groups")
    assert "zeppelin" not in str(every) and "b.example" not in str(every)
    assert w.bea_state() == before


def test_no_api_makes_anyone_an_admin(w: World) -> None:
    """A07: the apps' APIs change no role."""
    auth = ("ada", PASSWORD)
    for method, path in [("PUT", "/v1/me"), ("PUT", f"/v1/users/{w.ada}"), ("POST", "/v1/users")]:
        answer = w.client.request(method, path, json={"is_admin": True, "role": "admin"}, auth=auth)
        assert 400 <= answer.status_code < 500, (path, answer.status_code)
    me = w.client.get("/v1/me", auth=auth).json()
    assert me["is_admin"] is False
    assert w.agg.accounts.user_by_id(w.ada).role == "reader"  # type: ignore[union-attr]


def test_wrong_credentials_leave_no_secret_in_the_logs(
    w: World, caplog: pytest.LogCaptureFixture
) -> None:
    """A13: a wrong password, key or token through each protocol is logged nowhere."""
    secret = "hunter2-very-secret-api"
    with caplog.at_level(logging.DEBUG):
        w.client.post("/accounts/ClientLogin", data={"Email": "ada", "Passwd": secret})
        w.client.get(
            "/reader/api/0/user-info", headers={"Authorization": f"GoogleLogin auth={secret}"}
        )
        w.client.post("/fever/?api", data={"api_key": secret})
        w.client.get("/v1/me", headers={"X-Auth-Token": secret})
        w.client.get("/v1/me", auth=("ada", secret))
    assert secret not in caplog.text


def test_cors_never_allows_credentials(w: World) -> None:
    """A20: any origin may call with its own key, but never with a browser's cookies."""
    origin = {"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"}
    for path in ("/v1/entries", "/reader/api/0/edit-tag", "/fever/"):
        pre = w.client.options(path, headers=origin)
        assert pre.headers.get("access-control-allow-credentials") is None
        answer = w.client.get("/v1/me", headers={"Origin": "https://evil.example"})
        assert answer.status_code == 401
        assert answer.headers.get("access-control-allow-credentials") is None


def test_ids_of_the_wrong_type_are_4xx(w: World) -> None:
    """S07 over /v1: ids that are not ids are refused with a message, never a 500."""
    auth = ("ada", PASSWORD)
    for path in (
        "/v1/entries?feed_id=1%20OR%201=1",
        "/v1/entries?feed_id=1.5",
        "/v1/entries?feed_id=abc",
        "/v1/entries?after_entry_id=99999999999999999999999",
        "/v1/entries/99999999999999999999999",
        "/v1/feeds/-1",
    ):
        answer = w.client.get(path, auth=auth)
        assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text)
