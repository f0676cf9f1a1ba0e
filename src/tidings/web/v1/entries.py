"""Miniflux's entries at /v1: the listings (all, a feed's, a category's) with its filters and the
number matching, the ids alone, one entry, and the changes of state (read, unread, starred).

Paging for sync: ``order=id&direction=asc&after_entry_id=<last id seen>`` (or ``desc`` with
``before_entry_id``) is a cursor; entries that arrive or change state between two pages are
neither skipped nor seen twice, which ``offset`` cannot promise. ``GET /v1/changes`` is the
incremental form: what changed since the person's change number an app last saw.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.entryfilter import EntryFilter
from tidings.i18n import gettext as _
from tidings.types import User
from tidings.web.context import run
from tidings.web.v1.auth import V1Error
from tidings.web.v1.endpoint import (
    NOT_FOUND,
    Endpoints,
    answer,
    path_int,
)
from tidings.web.v1.entry_filters import (
    ID_MAX,
    IDS_PARAMS,
    LIST_PARAMS,
    SCOPE_PARAMS,
    BadParameter,
    entry_filter,
    scoped,
    whole,
)
from tidings.web.v1.entry_json import ENTRY, Context, entry_json, reading_time
from tidings.web.v1.spec import (
    ERROR,
    INTEGER,
    STRING,
    Operation,
    array_of,
    obj,
    path_id,
    schema,
)

TAG = "Entries"

endpoints = Endpoints()
routes = endpoints.routes
operations = endpoints.operations

PAGE = schema(
    "EntriesPage",
    obj(
        {
            "total": {**INTEGER, "description": "entries matching, all pages"},
            "entries": array_of(ENTRY),
        }
    ),
)
IDS = schema(
    "EntryIds",
    obj({"total": INTEGER, "entry_ids": {"type": "array", "items": {**INTEGER, "minimum": 1}}}),
)
CONTENT = schema("EntryContent", obj({"content": STRING, "reading_time": INTEGER}))

ERRORS: dict[int, str | None] = {400: ERROR, 401: ERROR, 429: ERROR}
ENTRY_ID = path_id("entry_id", "entry")
FEED_ID = path_id("feed_id", "feed")
CATEGORY_ID = path_id("category_id", "category")


def _filter(request: Request, *, ids: bool = False) -> EntryFilter:
    try:
        return entry_filter(request.query_params, ids=ids)
    except BadParameter as exc:
        raise V1Error(400, str(exc)) from exc


def _scope(request: Request, feed_id: int, category_id: int) -> tuple[int, int]:
    """The feed and category asked for: the query's ``feed_id``/``category_id`` over the
    path's, as Miniflux reads them (0: none)."""
    try:
        params = request.query_params
        return whole(params, "feed_id", feed_id, ID_MAX), whole(
            params, "category_id", category_id, ID_MAX
        )
    except BadParameter as exc:
        raise V1Error(400, str(exc)) from exc


def _context(agg: Aggregator, user_id: int) -> Context:
    return Context.of(user_id, agg.subscriptions(user_id, counted=False), agg.sync_folders(user_id))


def _scoped(
    agg: Aggregator,
    ctx: Context,
    f: EntryFilter,
    feed_id: int,
    category_id: int,
    missing: int = 400,
) -> EntryFilter:
    """``f`` within a feed and a category the person has; another is a 400 in the query, as in
    Miniflux, and a 404 in the path (``missing``): someone else's feed is not found."""
    folder = None
    if category_id:
        found = [f for f in ctx.folders.by_name.values() if f.id == category_id]
        if not found:
            raise V1Error(missing, _("invalid category ID"))
        folder = found[0].name
    if feed_id and feed_id not in ctx.subscriptions:
        raise V1Error(missing, _("invalid feed ID"))
    return scoped(f, feed_id=feed_id or None, folder=folder)


def _page(
    agg: Aggregator, user_id: int, f: EntryFilter, scope: tuple[int, int], missing: int
) -> Any:
    ctx = _context(agg, user_id)
    total, entries = agg.list_entries(user_id, _scoped(agg, ctx, f, *scope, missing))
    return {"total": total, "entries": [entry_json(ctx, e) for e in entries]}


async def _listing(
    request: Request, user: User, feed_id: int = 0, category_id: int = 0
) -> Response:
    f = _filter(request)
    scope = _scope(request, feed_id, category_id)
    missing = 404 if request.path_params else 400
    return answer(await run(_page, request, user.id, f, scope, missing))


LIST_RESPONSES: dict[int, str | None] = {200: PAGE, **ERRORS, 404: ERROR}


@endpoints(
    Operation(
        "GET",
        "/v1/entries",
        "The person's entries, filtered, one page, with the number matching",
        TAG,
        parameters=(*LIST_PARAMS, *SCOPE_PARAMS),
        responses=LIST_RESPONSES,
    )
)
async def list_entries(request: Request, user: User) -> Response:
    return await _listing(request, user)


@endpoints(
    Operation(
        "GET",
        "/v1/feeds/{feed_id}/entries",
        "One feed's entries, filtered as GET /v1/entries",
        TAG,
        parameters=(FEED_ID, *LIST_PARAMS),
        responses=LIST_RESPONSES,
    )
)
async def feed_entries(request: Request, user: User) -> Response:
    return await _listing(request, user, feed_id=_path_or_400(request, "feed_id"))


@endpoints(
    Operation(
        "GET",
        "/v1/categories/{category_id}/entries",
        "One category's entries, filtered as GET /v1/entries",
        TAG,
        parameters=(CATEGORY_ID, *LIST_PARAMS),
        responses=LIST_RESPONSES,
    )
)
async def category_entries(request: Request, user: User) -> Response:
    return await _listing(request, user, category_id=_path_or_400(request, "category_id"))


def _path_or_400(request: Request, name: str) -> int:
    """A feed or category id of a listing's path: one the person cannot have is a 400, as a
    feed or category they do not have is."""
    value = int(request.path_params[name])
    if not 1 <= value <= ID_MAX:
        category = name == "category_id"
        raise V1Error(400, _("invalid category ID") if category else _("invalid feed ID"))
    return value


def _ids(agg: Aggregator, user_id: int, f: EntryFilter, feed_id: int, category_id: int) -> Any:
    ctx = Context.of(user_id, agg.subscriptions(user_id, counted=False), agg.sync_folders(user_id))
    total, ids = agg.list_entry_ids(user_id, _scoped(agg, ctx, f, feed_id, category_id))
    return {"total": total, "entry_ids": ids}


@endpoints(
    Operation(
        "GET",
        "/v1/entries/ids",
        "The ids of the person's entries, newest first by default, up to 10,000 a page",
        TAG,
        parameters=(*IDS_PARAMS, *SCOPE_PARAMS),
        responses={200: IDS, **ERRORS},
    )
)
async def entry_ids(request: Request, user: User) -> Response:
    f = _filter(request, ids=True)
    feed_id, category_id = _scope(request, 0, 0)
    return answer(await run(_ids, request, user.id, f, feed_id, category_id))


# -- one entry -------------------------------------------------------------------------------------


def one_entry(
    agg: Aggregator, user_id: int, entry_id: int, feed_id: int = 0, category_id: int = 0
) -> Any:
    entry = agg.entry(user_id, entry_id)  # NotFoundError: a 404
    ctx = _context(agg, user_id)
    if feed_id and entry.item.feed_id != feed_id:
        raise V1Error(404, _(NOT_FOUND))
    if category_id:
        folder = ctx.folders.by_name.get(entry.folder or "")
        if folder is None or folder.id != category_id:
            raise V1Error(404, _(NOT_FOUND))
    return entry_json(ctx, entry)


ONE_RESPONSES: dict[int, str | None] = {200: ENTRY, 400: ERROR, 401: ERROR, 404: ERROR, 429: ERROR}


@endpoints(
    Operation(
        "GET", "/v1/entries/{entry_id}", "One entry", TAG, (ENTRY_ID,), responses=ONE_RESPONSES
    )
)
async def get_entry(request: Request, user: User) -> Response:
    return answer(await run(one_entry, request, user.id, path_int(request, "entry_id")))


@endpoints(
    Operation(
        "GET",
        "/v1/feeds/{feed_id}/entries/{entry_id}",
        "One entry of one feed",
        TAG,
        (FEED_ID, ENTRY_ID),
        responses=ONE_RESPONSES,
    )
)
async def get_feed_entry(request: Request, user: User) -> Response:
    ids = path_int(request, "feed_id"), path_int(request, "entry_id")
    return answer(await run(one_entry, request, user.id, ids[1], feed_id=ids[0]))


@endpoints(
    Operation(
        "GET",
        "/v1/categories/{category_id}/entries/{entry_id}",
        "One entry of one category",
        TAG,
        (CATEGORY_ID, ENTRY_ID),
        responses=ONE_RESPONSES,
    )
)
async def get_category_entry(request: Request, user: User) -> Response:
    ids = path_int(request, "category_id"), path_int(request, "entry_id")
    return answer(await run(one_entry, request, user.id, ids[1], category_id=ids[0]))


def _content(agg: Aggregator, user_id: int, entry_id: int) -> Any:
    item = agg.entry(user_id, entry_id).item
    # the page's article when the feed has full articles
    content = item.article_html or item.content_html or item.summary_html or ""
    return {"content": content, "reading_time": reading_time(content)}


@endpoints(
    Operation(
        "GET",
        "/v1/entries/{entry_id}/fetch-content",
        "The entry's content as stored: the article of its page when its feed has full "
        "articles, else what the feed gives (update_content changes nothing; tidings fetches "
        "pages on its own schedule)",
        TAG,
        (ENTRY_ID,),
        responses={200: CONTENT, 401: ERROR, 404: ERROR, 429: ERROR},
    )
)
async def fetch_content(request: Request, user: User) -> Response:
    return answer(await run(_content, request, user.id, path_int(request, "entry_id")))
