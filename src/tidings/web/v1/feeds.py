"""Miniflux's feeds are a person's subscriptions: list, one, subscribe (with discovery), change
the title, category or hiding, unsubscribe, the read and unread counters, mark all read, icons.

A feed's address is not changed through the API: the feed is shared by everyone who follows it,
so a new address is a new subscription (unsubscribe, then subscribe to it).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.types import Subscription, User
from tidings.web.context import agg_of, run
from tidings.web.read_forms import MAX_TITLE
from tidings.web.v1.auth import V1Error
from tidings.web.v1.endpoint import (
    NOT_FOUND,
    Endpoints,
    answer,
    field,
    json_body,
    no_content,
    path_int,
)
from tidings.web.v1.shapes import FEED, FEEDS, ICON, ICON_ID, Folders, feed_json, icon_json
from tidings.web.v1.spec import BOOLEAN, INTEGER, STRING, Operation, obj, path_id, schema

FEED_ID = path_id("feed_id", "feed")
NEW_FEED = schema(
    "FeedCreation",
    obj(
        {"feed_url": {**STRING, "description": "a feed, or a page that links to one"}},
        {"category_id": {**INTEGER, "description": "0 or absent: Uncategorized"}},
    ),
)
CREATED = schema("FeedCreated", obj({"feed_id": INTEGER}))
FEED_CHANGE = schema(
    "FeedModification",
    obj(
        {},
        {
            "title": {**STRING, "description": "the person's title; empty: the feed's own"},
            "category_id": INTEGER,
            "hide_globally": {**BOOLEAN, "description": "left out of the person's All"},
            "feed_url": {**STRING, "description": "refused if it differs: subscribe anew"},
            "site_url": {**STRING, "description": "refused if it differs"},
        },
    ),
)
COUNTS_MAP = {"type": "object", "additionalProperties": INTEGER}
COUNTERS = schema(
    "FeedCounters",
    obj(
        {
            "reads": {**COUNTS_MAP, "description": "read entries by feed id (a string)"},
            "unreads": {**COUNTS_MAP, "description": "unread entries by feed id (a string)"},
        }
    ),
)

endpoints = Endpoints()


def all_feeds(agg: Aggregator, user_id: int) -> list[dict[str, Any]]:
    folders = Folders.of(agg.sync_folders(user_id))
    return [feed_json(s, folders) for s in agg.subscriptions(user_id, counted=False)]


def one_feed(agg: Aggregator, user_id: int, feed_id: int) -> dict[str, Any]:
    sub = agg.subscription(user_id, feed_id)
    return feed_json(sub, Folders.of(agg.sync_folders(user_id)))


@endpoints(
    Operation(
        "GET", "/v1/feeds", "The person's feeds, by category then title", "feeds",
        responses={200: FEEDS},
    )
)  # fmt: skip
async def list_feeds(request: Request, user: User) -> Response:
    return answer(await run(all_feeds, request, user.id))


@endpoints(
    Operation(
        "GET",
        "/v1/feeds/counters",
        "Read and unread entries of each feed",
        "feeds",
        responses={200: COUNTERS},
    )
)
async def counters(request: Request, user: User) -> Response:
    stats = await run(Aggregator.feed_stats, request, user.id)
    return answer(
        {
            "reads": {str(k): s.items - s.unread for k, s in stats.items()},
            "unreads": {str(k): s.unread for k, s in stats.items()},
        }
    )


@endpoints(
    Operation(
        "GET", "/v1/feeds/{feed_id}", "One of the person's feeds", "feeds",
        parameters=(FEED_ID,), responses={200: FEED},
    )
)  # fmt: skip
async def get_feed(request: Request, user: User) -> Response:
    return answer(await run(one_feed, request, user.id, path_int(request, "feed_id")))


def folder_name(agg: Aggregator, user_id: int, category_id: int | None) -> str | None:
    """The folder of a category id (0 or None: no folder); an unknown one is a 400."""
    if not category_id:
        return None
    try:
        return agg.folder_by_id(user_id, category_id).name or None
    except NotFoundError as exc:
        message = _("you have no category %(id)d") % {"id": category_id}
        raise V1Error(400, message) from exc


@endpoints(
    Operation(
        "POST",
        "/v1/feeds",
        "Subscribe to a feed, found from a page's address if need be; fetched at once",
        "feeds",
        body=NEW_FEED,
        responses={201: CREATED},
    )
)
async def create_feed(request: Request, user: User) -> Response:
    body = await json_body(request)
    url = field(body, "feed_url", str, required=True).strip()
    if not url:
        raise V1Error(400, _("feed_url is required"))
    folder = await run(folder_name, request, user.id, field(body, "category_id", int))
    sub = await agg_of(request).subscribe(user.id, url, folder=folder)
    return answer({"feed_id": sub.feed.id}, 201)


def change_feed(agg: Aggregator, user_id: int, feed_id: int, body: dict[str, Any]) -> Subscription:
    sub = agg.subscription(user_id, feed_id)
    shown = (("feed_url", sub.feed.url), ("site_url", sub.feed.site_url or sub.feed.url))
    for name, current in shown:
        given = field(body, name, str)
        if given is not None and given.strip() not in (current, ""):
            raise V1Error(
                400,
                _(
                    "tidings does not change a feed's %(field)s: the feed is shared; subscribe "
                    "to the new address and unsubscribe from this one"
                )
                % {"field": name},
            )
    changes: dict[str, Any] = {}
    if (title := field(body, "title", str)) is not None:
        if len(title.strip()) > MAX_TITLE:
            raise V1Error(400, _("a title has at most %(most)d characters") % {"most": MAX_TITLE})
        changes["title"] = title.strip()
    if "category_id" in body:
        changes["folder"] = folder_name(agg, user_id, field(body, "category_id", int)) or ""
    if (hide := field(body, "hide_globally", bool)) is not None:
        changes["hide_from_all"] = hide
    return agg.edit_subscription(user_id, feed_id, **changes) if changes else sub


@endpoints(
    Operation(
        "PUT",
        "/v1/feeds/{feed_id}",
        "Change a feed's title, category or hiding from All",
        "feeds",
        parameters=(FEED_ID,),
        body=FEED_CHANGE,
        responses={201: FEED},
    )
)
async def update_feed(request: Request, user: User) -> Response:
    feed_id = path_int(request, "feed_id")
    body = await json_body(request)
    await run(change_feed, request, user.id, feed_id, body)
    return answer(await run(one_feed, request, user.id, feed_id), 201)


@endpoints(
    Operation(
        "DELETE",
        "/v1/feeds/{feed_id}",
        "Unsubscribe (the person's starred entries of it stay starred)",
        "feeds",
        parameters=(FEED_ID,),
        responses={204: None},
    )
)
async def delete_feed(request: Request, user: User) -> Response:
    await run(Aggregator.unsubscribe, request, user.id, path_int(request, "feed_id"))
    return no_content()


def mark_feed_read(agg: Aggregator, user_id: int, feed_id: int) -> None:
    agg.subscription(user_id, feed_id)  # NotFoundError for a feed not followed
    agg.mark_read(user_id, feed_id=feed_id, before=agg.clock())


@endpoints(
    Operation(
        "PUT",
        "/v1/feeds/{feed_id}/mark-all-as-read",
        "Mark read every entry of the feed that arrived until now",
        "feeds",
        parameters=(FEED_ID,),
        responses={204: None},
    )
)
async def mark_read(request: Request, user: User) -> Response:
    await run(mark_feed_read, request, user.id, path_int(request, "feed_id"))
    return no_content()


@endpoints(
    Operation(
        "GET",
        "/v1/feeds/{feed_id}/icon",
        "The feed's icon (tidings shows the site's own icon for every feed)",
        "icons",
        parameters=(FEED_ID,),
        responses={200: ICON},
    )
)
async def feed_icon(request: Request, user: User) -> Response:
    await run(Aggregator.subscription, request, user.id, path_int(request, "feed_id"))
    return answer(icon_json())


@endpoints(
    Operation(
        "GET",
        "/v1/icons/{icon_id}",
        "An icon by the icon_id of a feed",
        "icons",
        parameters=(path_id("icon_id", "icon"),),
        responses={200: ICON},
    )
)
async def icon(request: Request, user: User) -> Response:
    if path_int(request, "icon_id") != ICON_ID:
        raise V1Error(404, _(NOT_FOUND))
    return answer(icon_json())


routes = endpoints.routes
operations = endpoints.operations
