"""Refresh from an app: one feed now, or the person's (or a category's) feeds that are due.

Feeds are shared and fetched politely, so an app cannot make tidings hammer a site: one feed is
fetched at once (as the admin's "update now") unless it was fetched in the last minute, and
"refresh all" fetches only the feeds whose next check has come, after the answer is sent.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.types import Subscription, User
from tidings.web.context import agg_of, run
from tidings.web.v1.endpoint import Endpoints, path_int
from tidings.web.v1.spec import Operation, path_id

RECENT = timedelta(minutes=1)  # a feed fetched this recently is not fetched again on request

endpoints = Endpoints()


def due_ids(agg: Aggregator, user_id: int, folder_id: int | None = None) -> list[int]:
    """The person's feeds (in one folder, if given) that are due and not disabled."""
    now = agg.clock()
    folder = agg.folder_by_id(user_id, folder_id).name if folder_id is not None else None
    return [
        s.feed.id
        for s in agg.subscriptions(user_id, counted=False)
        if (folder is None or (s.folder or "") == folder)
        and not s.feed.disabled_reason
        and (s.feed.next_check is None or s.feed.next_check <= now)
    ]


def in_background(request: Request, feed_ids: list[int]) -> Response:
    """204 now; the feeds are fetched once the answer is sent."""
    task = BackgroundTask(agg_of(request).update, feed_ids) if feed_ids else None
    return Response(status_code=204, background=task)


@endpoints(
    Operation(
        "PUT",
        "/v1/feeds/refresh",
        "Fetch the person's feeds that are due, after answering",
        "feeds",
        responses={204: None},
    )
)
async def refresh_all(request: Request, user: User) -> Response:
    return in_background(request, await run(due_ids, request, user.id))


@endpoints(
    Operation(
        "PUT",
        "/v1/categories/{category_id}/refresh",
        "Fetch the category's feeds that are due, after answering",
        "categories",
        parameters=(path_id("category_id", "category"),),
        responses={204: None},
    )
)
async def refresh_category(request: Request, user: User) -> Response:
    folder_id = path_int(request, "category_id")
    return in_background(request, await run(due_ids, request, user.id, folder_id))


@endpoints(
    Operation(
        "PUT",
        "/v1/feeds/{feed_id}/refresh",
        "Fetch one feed now (unless it was fetched in the last minute); its result shows in "
        "the feed's checked_at and parsing_error_message",
        "feeds",
        parameters=(path_id("feed_id", "feed"),),
        responses={204: None},
    )
)
async def refresh_feed(request: Request, user: User) -> Response:
    agg = agg_of(request)
    sub: Subscription = await run(
        Aggregator.subscription, request, user.id, path_int(request, "feed_id")
    )
    checked = sub.feed.last_checked
    if checked is None or agg.clock() - checked >= RECENT:
        await agg.update([sub.feed.id])  # a disabled feed is skipped, with its reason
    return Response(status_code=204)


routes = endpoints.routes
operations = endpoints.operations
