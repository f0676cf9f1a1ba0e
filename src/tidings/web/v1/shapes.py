"""Miniflux's category, feed and icon objects, made from a person's folders and subscriptions.

A feed's id is the feed's own id (the same in every person's list and on every entry); the
category of a feed without a folder is the person's "Uncategorized" (the folder named "").
tidings fetches no site icons, so every feed shows the site's own icon, icon id 1.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tidings.synctypes import Folder
from tidings.types import Subscription
from tidings.web.v1.endpoint import rfc3339
from tidings.web.v1.spec import (
    BOOLEAN,
    DATE,
    INTEGER,
    SCHEMAS,
    STRING,
    array_of,
    obj,
    ref,
    schema,
)

UNCATEGORIZED = "Uncategorized"
ICON_ID = 1
ICON_TYPE = "image/svg+xml"
ICON_BYTES = resources.files("tidings.web").joinpath("static", "favicon.svg").read_bytes()
EMPTY_RULE = {**STRING, "description": "always empty: tidings keeps no such setting"}
NEVER = {**BOOLEAN, "description": "always false: tidings has no such option"}

CATEGORY = schema(
    "Category",
    obj(
        {
            "id": INTEGER,
            "title": {**STRING, "description": "the folder's name; Uncategorized: no folder"},
            "user_id": INTEGER,
            "hide_globally": NEVER,
        },
        {
            "feed_count": {**INTEGER, "description": "with ?counts=true"},
            "total_unread": {**INTEGER, "description": "with ?counts=true"},
        },
    ),
)
FEED_ICON = schema(
    "FeedIcon", obj({"feed_id": INTEGER, "icon_id": INTEGER, "external_icon_id": STRING})
)
ICON = schema(
    "Icon",
    obj(
        {
            "id": INTEGER,
            "mime_type": STRING,
            "data": {**STRING, "description": "<mime type>;base64,<the icon's bytes>"},
        }
    ),
)
FEED = schema(
    "Feed",
    obj(
        {
            "id": {**INTEGER, "description": "the feed's id, as on its entries"},
            "user_id": INTEGER,
            "feed_url": STRING,
            "site_url": {**STRING, "description": "the site's home page, else the feed's URL"},
            "title": {**STRING, "description": "the person's title for it, else the feed's"},
            "description": STRING,
            "checked_at": {**DATE, "description": "last fetched (0001-01-01T00:00:00Z: never)"},
            "next_check_at": DATE,
            "etag_header": STRING,
            "last_modified_header": STRING,
            "parsing_error_message": {**STRING, "description": "why the feed fails, else empty"},
            "parsing_error_count": {**INTEGER, "description": "failed fetches in a row"},
            "disabled": {**BOOLEAN, "description": "gone for good (410): no longer fetched"},
            "hide_globally": {**BOOLEAN, "description": "left out of the person's All"},
            "user_agent": STRING,
            "category": ref(CATEGORY),
            "icon": {"anyOf": [ref(FEED_ICON), {"type": "null"}]},
        },
        {
            "language": EMPTY_RULE,
            "scraper_rules": EMPTY_RULE,
            "rewrite_rules": EMPTY_RULE,
            "blocklist_rules": EMPTY_RULE,
            "keeplist_rules": EMPTY_RULE,
            "urlrewrite_rules": EMPTY_RULE,
            "cookie": EMPTY_RULE,
            "username": EMPTY_RULE,
            "password": EMPTY_RULE,
            "proxy_url": EMPTY_RULE,
            "crawler": NEVER,
            "no_media_player": NEVER,
            "ignore_http_cache": NEVER,
            "allow_self_signed_certificates": NEVER,
            "fetch_via_proxy": NEVER,
            "disable_http2": NEVER,
            "ignore_entry_updates": NEVER,
        },
    ),
)
FEEDS = schema("Feeds", array_of(FEED))
_EMPTY = tuple(k for k, v in SCHEMAS[FEED]["properties"].items() if v is EMPTY_RULE)
_FALSE = tuple(k for k, v in SCHEMAS[FEED]["properties"].items() if v is NEVER)


def category_title(folder: str | None) -> str:
    return folder or UNCATEGORIZED


def category_json(folder: Folder, user_id: int, counts: bool = False) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "id": folder.id,
        "title": category_title(folder.name),
        "user_id": user_id,
        "hide_globally": False,
    }
    if counts:
        shape["feed_count"] = folder.feed_count
        shape["total_unread"] = folder.unread
    return shape


@dataclass(frozen=True, slots=True)
class Folders:
    """A person's folders by name ("" for no folder), to give each feed its category."""

    by_name: Mapping[str, Folder]

    @classmethod
    def of(cls, folders: Iterable[Folder]) -> Folders:
        return cls({f.name: f for f in folders})

    def of_subscription(self, sub: Subscription) -> Folder:
        found = self.by_name.get(sub.folder or "")
        # a folder made since the list was read: its id is not known yet, the feed counts
        return found if found is not None else Folder(0, sub.folder or "", 0, 0)


def feed_json(sub: Subscription, folders: Folders) -> dict[str, Any]:
    """Miniflux's feed object for one of the person's subscriptions."""
    feed = sub.feed
    shape: dict[str, Any] = {
        "id": feed.id,
        "user_id": sub.user_id,
        "feed_url": feed.url,
        "site_url": feed.site_url or feed.url,
        "title": sub.title,
        "description": feed.description or "",
        "checked_at": rfc3339(feed.last_checked),
        "next_check_at": rfc3339(feed.next_check),
        "etag_header": feed.etag or "",
        "last_modified_header": feed.last_modified or "",
        "parsing_error_message": feed.disabled_reason or feed.last_error or "",
        "parsing_error_count": feed.error_count,
        "disabled": bool(feed.disabled_reason),
        "hide_globally": sub.hide_from_all,
        "user_agent": feed.user_agent or "",
        "category": category_json(folders.of_subscription(sub), sub.user_id),
        "icon": {"feed_id": feed.id, "icon_id": ICON_ID, "external_icon_id": ""},
    }
    shape.update(dict.fromkeys(_EMPTY, ""))
    shape.update(dict.fromkeys(_FALSE, False))
    return shape


def icon_json() -> dict[str, Any]:
    data = base64.b64encode(ICON_BYTES).decode("ascii")
    return {"id": ICON_ID, "mime_type": ICON_TYPE, "data": f"{ICON_TYPE};base64,{data}"}
