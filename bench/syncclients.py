"""The bench's apps: one client per protocol, making the requests the real apps make.

Each keeps what an app keeps: the contents it has (``seen``), and the unread and starred sets it
shows. ``full_sync`` is a new app's first sync, ``incremental_sync`` a later one. The sequences
follow the apps that sync most carefully: Reeder and NetNewsWire over Google Reader (every id,
then the unread and starred ids, then the contents missing), Read You over Fever (items by
``since_id``, then the unread and saved ids), Fluent Reader and Flux News over Miniflux's API
(entries by ``after_entry_id``, then the unread and starred ids).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

import httpx

CONTENTS_BATCH = 1000  # ids per stream/items/contents request
IDS_PAGE = 10_000
FEVER_PAGE = 50
V1_PAGE = 1000
MAX_REQUESTS = 2_000  # no sync loop runs past this many requests


class App:
    """What every app keeps, and the count of its requests and bytes."""

    def __init__(self, http: httpx.Client, base: str, name: str, password: str) -> None:
        self.http, self.base, self.name, self.password = http, base, name, password
        self.seen: set[int] = set()
        self.unread: set[int] = set()
        self.starred: set[int] = set()
        self.requests = self.bytes = 0

    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        if self.requests >= MAX_REQUESTS:
            raise RuntimeError(f"{type(self).__name__}: over {MAX_REQUESTS} requests in a sync")
        answer = self.http.request(method, self.base + path, **kw)
        answer.raise_for_status()
        self.requests += 1
        self.bytes += len(answer.content)
        return answer

    def sign_in(self) -> None:
        raise NotImplementedError

    def full_sync(self) -> None:
        raise NotImplementedError

    def incremental_sync(self) -> None:
        raise NotImplementedError


class GoogleReader(App):
    READING = "user/-/state/com.google/reading-list"
    READ = "user/-/state/com.google/read"
    STARRED = "user/-/state/com.google/starred"

    def sign_in(self) -> None:
        form = {"Email": self.name, "Passwd": self.password}
        answer = self.call("POST", "/accounts/ClientLogin", data=form)
        auth = next(v for k, _, v in (x.partition("=") for x in answer.text.split()) if k == "Auth")
        self.headers = {"Authorization": f"GoogleLogin auth={auth}"}
        self.token = self.call("GET", "/reader/api/0/token", headers=self.headers).text.strip()
        self.newest = 0  # the seconds of the last sync's newest crawl time

    def _ids(self, **params: Any) -> set[int]:
        found: set[int] = set()
        query: dict[str, Any] = {"output": "json", "n": IDS_PAGE, **params}
        while True:
            page = self.call(
                "GET", "/reader/api/0/stream/items/ids", params=query, headers=self.headers
            ).json()
            found.update(int(ref["id"]) for ref in page["itemRefs"])
            if not page.get("continuation"):
                return found
            query["c"] = page["continuation"]

    def _contents(self, ids: set[int]) -> None:
        missing = sorted(ids - self.seen)
        for start in range(0, len(missing), CONTENTS_BATCH):
            chunk = missing[start : start + CONTENTS_BATCH]
            form = [("T", self.token), ("output", "json"), *(("i", str(i)) for i in chunk)]
            page = self.call(
                "POST",
                "/reader/api/0/stream/items/contents",
                content=urlencode(form),
                headers={**self.headers, "Content-Type": "application/x-www-form-urlencoded"},
            ).json()
            for item in page["items"]:
                self.seen.add(int(item["id"].rsplit("/", 1)[1], 16))
                self.newest = max(self.newest, int(item["crawlTimeMsec"]) // 1000)

    def _lists(self) -> None:
        for path in ("tag/list", "subscription/list"):
            self.call("GET", f"/reader/api/0/{path}?output=json", headers=self.headers)

    def full_sync(self) -> None:
        self._lists()
        every = self._ids(s=self.READING)
        self.unread = self._ids(s=self.READING, xt=self.READ)
        self.starred = self._ids(s=self.STARRED)
        self._contents(every | self.starred)

    def incremental_sync(self) -> None:
        self._lists()
        recent = self._ids(s=self.READING, ot=self.newest)
        self.unread = self._ids(s=self.READING, xt=self.READ)
        self.starred = self._ids(s=self.STARRED)
        self._contents(recent | self.unread | self.starred)


class Fever(App):
    def sign_in(self) -> None:
        key = hashlib.md5(f"{self.name}:{self.password}".encode(), usedforsecurity=False)
        self.form = {"api_key": key.hexdigest()}
        assert self._api("")["auth"] == 1
        self.last = 0

    def _api(self, selectors: str) -> dict[str, Any]:
        found: dict[str, Any] = self.call("POST", f"/fever/?api{selectors}", data=self.form).json()
        return found

    def _items(self) -> None:
        while True:
            page = self._api(f"&items&since_id={self.last or ''}")["items"]
            for item in page:
                self.seen.add(item["id"])
                self.last = max(self.last, item["id"])
            if len(page) < FEVER_PAGE:
                return

    def _state(self) -> None:
        unread = self._api("&unread_item_ids")["unread_item_ids"]
        saved = self._api("&saved_item_ids")["saved_item_ids"]
        self.unread = {int(i) for i in unread.split(",") if i}
        self.starred = {int(i) for i in saved.split(",") if i}

    def full_sync(self) -> None:
        self._api("&groups")
        self._api("&feeds")
        self._items()
        self._state()

    def incremental_sync(self) -> None:
        self._items()
        self._state()


class Miniflux(App):
    def sign_in(self) -> None:
        self.auth = httpx.BasicAuth(self.name, self.password)
        self.call("GET", "/v1/me", auth=self.auth)
        self.last = 0

    def _get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params=params, auth=self.auth).json()

    def _entries(self) -> None:
        while True:
            page = self._get(
                "/v1/entries", order="id", direction="asc", limit=V1_PAGE, after_entry_id=self.last
            )["entries"]
            for entry in page:
                self.seen.add(entry["id"])
                self.last = max(self.last, entry["id"])
            if len(page) < V1_PAGE:
                return

    def _state(self) -> None:
        unread = self._get("/v1/entries/ids", status="unread", limit=0)
        starred = self._get("/v1/entries/ids", starred="true", limit=0)
        self.unread, self.starred = set(unread["entry_ids"]), set(starred["entry_ids"])

    def full_sync(self) -> None:
        self._get("/v1/categories")
        self._get("/v1/feeds")
        self._entries()
        self._state()

    def incremental_sync(self) -> None:
        self._entries()
        self._state()


CLIENTS: dict[str, type[App]] = {
    "Google Reader": GoogleReader,
    "Fever": Fever,
    "Miniflux": Miniflux,
}
