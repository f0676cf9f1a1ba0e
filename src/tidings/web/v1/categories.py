"""Miniflux's categories are a person's folders, with stable ids: list, create, rename, delete,
their feeds, and marking all of a folder read.

Every feed is in exactly one category: the feeds without a folder are in "Uncategorized" (the
folder named "", which can be neither renamed nor deleted). Deleting a folder keeps its feeds,
without a folder (Miniflux would delete them: an app's "delete category" must not unsubscribe).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.types import User
from tidings.web.context import run
from tidings.web.v1.auth import V1Error
from tidings.web.v1.endpoint import Endpoints, answer, field, json_body, no_content, path_int
from tidings.web.v1.shapes import (
    CATEGORY,
    FEEDS,
    UNCATEGORIZED,
    Folders,
    category_json,
    feed_json,
)
from tidings.web.v1.spec import (
    BOOLEAN,
    ERROR,
    STRING,
    Operation,
    array_of,
    obj,
    path_id,
    query,
    schema,
)

CATEGORY_ID = path_id("category_id", "category")
CATEGORIES = schema("Categories", array_of(CATEGORY))
NEW_CATEGORY = schema(
    "CategoryCreation",
    obj({"title": STRING}, {"hide_globally": {**BOOLEAN, "description": "ignored"}}),
)
CATEGORY_CHANGE = schema(
    "CategoryModification",
    obj({}, {"title": STRING, "hide_globally": {**BOOLEAN, "description": "ignored"}}),
)
COUNTS = query(
    "counts", {"type": "boolean"}, "true: with each category's feed_count and total_unread"
)

endpoints = Endpoints()


def _title(body: dict[str, Any], required: bool) -> str | None:
    title: str | None = field(body, "title", str, required=required)
    if title is not None and title.strip().casefold() == UNCATEGORIZED.casefold():
        raise V1Error(
            400,
            _("%(name)s is where the feeds without a folder are") % {"name": UNCATEGORIZED},
        )
    return title


@endpoints(
    Operation(
        "GET",
        "/v1/categories",
        "The person's categories (folders), Uncategorized first, then by title",
        "categories",
        parameters=(COUNTS,),
        responses={200: CATEGORIES},
    )
)
async def list_categories(request: Request, user: User) -> Response:
    counts = request.query_params.get("counts", "").lower() in ("true", "1")
    folders = await run(Aggregator.sync_folders, request, user.id)
    return answer([category_json(f, user.id, counts) for f in folders])


@endpoints(
    Operation(
        "POST",
        "/v1/categories",
        "Make a category (an empty folder)",
        "categories",
        body=NEW_CATEGORY,
        responses={201: CATEGORY},
    )
)
async def create_category(request: Request, user: User) -> Response:
    title = _title(await json_body(request), required=True)
    assert title is not None
    folder = await run(Aggregator.create_folder, request, user.id, title)
    return answer(category_json(folder, user.id), 201)


@endpoints(
    Operation(
        "GET",
        "/v1/categories/{category_id}",
        "One category (Capy Reader asks for it; Miniflux lists them only)",
        "categories",
        parameters=(CATEGORY_ID, COUNTS),
        responses={200: CATEGORY},
    )
)
async def get_category(request: Request, user: User) -> Response:
    counts = request.query_params.get("counts", "").lower() in ("true", "1")
    folder = await run(Aggregator.folder_by_id, request, user.id, path_int(request, "category_id"))
    return answer(category_json(folder, user.id, counts))


@endpoints(
    Operation(
        "PUT",
        "/v1/categories/{category_id}",
        "Rename a category; its feeds move with it",
        "categories",
        parameters=(CATEGORY_ID,),
        body=CATEGORY_CHANGE,
        responses={201: CATEGORY},
    )
)
async def update_category(request: Request, user: User) -> Response:
    folder_id = path_int(request, "category_id")
    title = _title(await json_body(request), required=False)
    if title is None:
        folder = await run(Aggregator.folder_by_id, request, user.id, folder_id)
    else:
        folder = await run(Aggregator.rename_folder, request, user.id, folder_id, title)
    return answer(category_json(folder, user.id), 201)


@endpoints(
    Operation(
        "DELETE",
        "/v1/categories/{category_id}",
        "Delete a category; its feeds stay, in Uncategorized (which cannot go: a 400)",
        "categories",
        parameters=(CATEGORY_ID,),
        responses={204: None, 400: ERROR},
    )
)
async def delete_category(request: Request, user: User) -> Response:
    await run(Aggregator.delete_folder, request, user.id, path_int(request, "category_id"))
    return no_content()


def folder_feeds(agg: Aggregator, user_id: int, folder_id: int) -> list[dict[str, Any]]:
    folders = agg.sync_folders(user_id)
    wanted = next((f for f in folders if f.id == folder_id), None)
    if wanted is None:
        raise NotFoundError(_("you have no category %(id)d") % {"id": folder_id})
    by_name = Folders.of(folders)
    return [
        feed_json(s, by_name)
        for s in agg.subscriptions(user_id, counted=False)
        if (s.folder or "") == wanted.name
    ]


@endpoints(
    Operation(
        "GET",
        "/v1/categories/{category_id}/feeds",
        "The feeds in a category",
        "categories",
        parameters=(CATEGORY_ID,),
        responses={200: FEEDS},
    )
)
async def category_feeds(request: Request, user: User) -> Response:
    folder_id = path_int(request, "category_id")
    return answer(await run(folder_feeds, request, user.id, folder_id))


def mark_folder_read(agg: Aggregator, user_id: int, folder_id: int) -> None:
    folder = agg.folder_by_id(user_id, folder_id)
    agg.mark_read(user_id, folder=folder.name, before=agg.clock())


@endpoints(
    Operation(
        "PUT",
        "/v1/categories/{category_id}/mark-all-as-read",
        "Mark read every entry of the category's feeds that arrived until now",
        "categories",
        parameters=(CATEGORY_ID,),
        responses={204: None},
    )
)
async def mark_category_read(request: Request, user: User) -> Response:
    await run(mark_folder_read, request, user.id, path_int(request, "category_id"))
    return no_content()


routes = endpoints.routes
operations = endpoints.operations
