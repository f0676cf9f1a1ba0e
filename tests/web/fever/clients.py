"""Two Fever clients as they talk to a server, request for request, and the state they keep:
Read You (``FeverAPI.kt`` and ``FeverRssService.kt``) and Fluent Reader (``fever.ts``), as the
research notes (5.3.3, 5.3.4) describe them. Each records the requests it sent, keeps its local
copy of items with their unread and starred flags, and fails the way the app fails (a feed
without a group, an id list that is not a string, a page that never ends)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

PAGES_MAX = 100  # no sync here pages further: a client that would is stuck in a loop
LONG_MAX = 2**63 - 1
MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER
INT32_MAX = 2**31 - 1


class SyncFailed(Exception):
    """What the app shows as a failed sync."""


@dataclass
class Article:
    feed_id: int
    unread: bool
    starred: bool


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


@dataclass
class Client:
    """What both apps keep: their items, and the requests they sent (method, address, body)."""

    http: httpx.Client
    server: str  # the address the person typed in, e.g. http://host/api/fever.php
    key: str
    articles: dict[int, Article] = field(default_factory=dict)
    sent: list[tuple[str, str]] = field(default_factory=list)

    def unread(self) -> set[int]:
        return {i for i, a in self.articles.items() if a.unread}

    def starred(self) -> set[int]:
        return {i for i, a in self.articles.items() if a.starred}

    def queries(self) -> list[str]:
        """The query strings sent, in order (the bodies hold only the key unless a mark)."""
        return [url.partition("?")[2] for url, _ in self.sent]


@dataclass
class ReadYou(Client):
    """Read You: every call ``POST {server}?api=&{query}`` with ``api_key`` alone in a form
    body; marks go in the query string (``?api=&&mark=item&as=read&id=N``)."""

    groups: dict[int, str] = field(default_factory=dict)
    feeds: dict[int, int] = field(default_factory=dict)  # feed id -> group id
    last_article_id: str | None = None

    @classmethod
    def signed_in(cls, http: httpx.Client, server: str, name: str, password: str) -> ReadYou:
        return cls(http, server, md5(f"{name}:{password}"))

    def _post(self, query: str | None) -> dict[str, Any]:
        url = f"{self.server}?api=&{query or ''}"
        self.sent.append((url, f"api_key={self.key}"))
        response = self.http.post(url, data={"api_key": self.key})
        if response.status_code == 401:
            raise SyncFailed("Unauthorized")
        if not 200 <= response.status_code < 300:
            raise SyncFailed("Forbidden")
        body: dict[str, Any] = response.json()
        if not (body.get("auth") or 0) > 0:
            raise SyncFailed("Unauthorized")
        return body

    def valid_credentials(self) -> bool:
        try:
            return bool(self._post(None)["auth"] > 0)
        except SyncFailed:
            return False

    def sync(self) -> None:
        """FeverRssService.sync: groups, feeds (each must be in a group), favicons, items since
        the last id seen until a page holds fewer than 50, then the two id lists."""
        self.groups = {g["id"]: g["title"] for g in self._post("groups").get("groups") or []}
        feeds_body = self._post("feeds")
        group_of: dict[str, str] = {}
        for fg in feeds_body.get("feeds_groups") or []:
            for feed_id in fg["feed_ids"].split(","):
                group_of[feed_id] = str(fg["group_id"])
        icons = {f["id"]: f["data"] for f in self._post("favicons").get("favicons") or []}
        feeds: dict[int, int] = {}
        for feed in feeds_body.get("feeds") or []:
            if str(feed["id"]) not in group_of:  # feedsGroupsMap[...]!! throws
                raise SyncFailed(f"NullPointerException: feed {feed['id']} has no group")
            feeds[feed["id"]] = int(group_of[str(feed["id"])])
            assert feed["favicon_id"] == 0 or feed["favicon_id"] in icons
        self.feeds = feeds
        for gone in [i for i, a in self.articles.items() if str(a.feed_id) not in group_of]:
            del self.articles[gone]  # a feed no longer listed goes with its articles
        since = self.last_article_id or ""
        body = self._post(f"items&since_id={since}")
        for _ in range(PAGES_MAX):
            page = body.get("items") or []
            if not page:
                break
            for it in page:
                self.articles[it["id"]] = Article(
                    it["feed_id"], (it.get("is_read") or 0) <= 0, (it.get("is_saved") or 0) > 0
                )
                since = str(it["id"])
            if len(page) < 50:
                break
            body = self._post(f"items&since_id={since}")
        else:
            raise SyncFailed("items&since_id never ended")
        unread = self._post("unread_item_ids")["unread_item_ids"].split(",")
        starred = self._post("saved_item_ids")["saved_item_ids"].split(",")
        for article_id, article in self.articles.items():
            article.unread = str(article_id) in unread
            article.starred = str(article_id) in starred
        if since:
            self.last_article_id = since

    def mark_item(self, article_id: int, status: str) -> dict[str, Any]:
        """markAsRead / markAsStarred of one article: the local change, then the server's."""
        article = self.articles[article_id]
        if status in ("read", "unread"):
            article.unread = status == "unread"
        else:
            article.starred = status == "saved"
        return self._post(f"&mark=item&as={status}&id={article_id}")

    def mark_feed(self, feed_id: int, before: datetime | None, unread: bool = False) -> None:
        self._mark("feed", feed_id, before, unread)

    def mark_group(self, group_id: int, before: datetime | None, unread: bool = False) -> None:
        self._mark("group", group_id, before, unread)

    def mark_all_read(self) -> None:
        """ "Mark all as read" without a date: every feed, before Long.MAX_VALUE / 1000."""
        for feed_id in self.feeds:
            self.mark_feed(feed_id, None)

    def _mark(self, what: str, target: int, before: datetime | None, unread: bool) -> None:
        stamp = (int(before.timestamp() * 1000) if before else LONG_MAX) // 1000
        status = "unread" if unread else "read"
        self._post(f"&mark={what}&as={status}&id={target}&before={stamp}")


@dataclass
class Fluent(Client):
    """Fluent Reader: every call ``POST {endpoint}?api{selectors}`` with the body
    ``api_key=...`` and the marks appended to the body."""

    now: Callable[[], datetime] = datetime.now
    fetch_limit: int = 500
    last_id: int = 0
    use_int32: bool = False
    sources: dict[int, str] = field(default_factory=dict)
    source_groups: dict[int, str] = field(default_factory=dict)

    @classmethod
    def signed_in(
        cls, http: httpx.Client, server: str, name: str, password: str, now: Callable[[], datetime]
    ) -> Fluent:
        return cls(http, server, md5(f"{name}:{password}"), now=now)

    def fetch_api(self, params: str = "", postparams: str = "") -> dict[str, Any]:
        url = f"{self.server}?api{params}"
        body = f"api_key={self.key}{postparams}"
        self.sent.append((url, body))
        response = self.http.post(
            url, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
        )
        found: dict[str, Any] = response.json()
        return found

    def authenticate(self) -> bool:
        return bool(self.fetch_api().get("auth"))

    def sync(self) -> None:
        """syncWithService: sources, then the id lists, then the new items."""
        self.update_sources()
        self.sync_items()
        self.fetch_items()

    def update_sources(self) -> None:
        response = self.fetch_api("&feeds")
        feeds, feed_groups = response.get("feeds"), response.get("feeds_groups")
        if feeds is None:
            raise SyncFailed("service.failure")
        groups = self.fetch_api("&groups").get("groups")  # importGroups on the first sync
        if groups is None or feed_groups is None:
            raise SyncFailed("service.failure")
        titles = {g["id"]: g["title"].strip() for g in groups}
        for group in feed_groups:
            for fid in group["feed_ids"].split(","):
                self.source_groups[int(fid)] = titles[group["group_id"]]
        self.sources = {f["id"]: f["title"] for f in feeds}
        for gone in [i for i, a in self.articles.items() if a.feed_id not in self.sources]:
            del self.articles[gone]  # a source deleted on the service goes with its items

    def sync_items(self) -> None:
        unread = self.fetch_api("&unread_item_ids").get("unread_item_ids")
        starred = self.fetch_api("&saved_item_ids").get("saved_item_ids")
        if not isinstance(unread, str) or not isinstance(starred, str):
            raise SyncFailed("service.failure")
        unread_ids = {int(s) for s in unread.split(",") if s}
        starred_ids = {int(s) for s in starred.split(",") if s}
        for article_id, article in self.articles.items():
            article.unread = article_id in unread_ids
            article.starred = article_id in starred_ids

    def fetch_items(self) -> None:
        """Newest first from max_id=2^53-1, down to the newest item of the last sync, while
        pages are full and under the fetch limit (int32 ids if the first page is empty)."""
        fetched: list[dict[str, Any]] = []
        low = INT32_MAX if self.use_int32 else MAX_SAFE_INTEGER
        for _ in range(PAGES_MAX):
            response: dict[str, Any] | None = self.fetch_api(f"&items&max_id={low}")
            assert response is not None
            page = response.get("items")
            if page is None:
                raise SyncFailed("service.failure")
            fetched += [i for i in page if i["id"] > self.last_id]
            if not page and low == MAX_SAFE_INTEGER:
                self.use_int32, low, response = True, INT32_MAX, None
            else:
                low = min([low, *(i["id"] for i in page)])
            full = response is None or len(response["items"]) >= 50
            if not (low > self.last_id and full and len(fetched) < self.fetch_limit):
                break
        else:
            raise SyncFailed("items&max_id never ended")
        self.last_id = max([self.last_id, *(i["id"] for i in fetched)])
        for i in fetched:
            if i["feed_id"] not in self.sources:
                raise SyncFailed(f"TypeError: no source {i['feed_id']}")
            self.articles[i["id"]] = Article(i["feed_id"], not i["is_read"], bool(i["is_saved"]))

    def mark_item(self, article_id: int, status: str) -> dict[str, Any]:
        article = self.articles[article_id]
        if status in ("read", "unread"):
            article.unread = status == "unread"
        else:
            article.starred = status == "saved"
        return self.fetch_api("", f"&mark=item&as={status}&id={article_id}")

    def mark_all_read(self, feed_ids: list[int], date: datetime | None = None) -> None:
        """markAllRead of sources (no "before" flag): each feed read up to a second after
        ``date`` or now; locally, their items are read."""
        stamp = math.floor((date or self.now()).timestamp()) + 1
        for article in self.articles.values():
            if article.feed_id in feed_ids:
                article.unread = False
        for feed_id in feed_ids:
            self.fetch_api("", f"&mark=feed&as=read&id={feed_id}&before={stamp}")
