"""Changing entries through /v1: ``PUT /v1/entries`` (read or unread, starred or not, absolute
and idempotent), Miniflux's star toggles, and its entry edit, which tidings refuses: an entry is
its feed's, shared by everyone who follows the feed."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.i18n import N_
from tidings.i18n import gettext as _
from tidings.types import Entry, User
from tidings.web.context import run
from tidings.web.v1.auth import V1Error
from tidings.web.v1.endpoint import Endpoints, answer, field, json_body, no_content, path_int
from tidings.web.v1.entries import ENTRY_ID, TAG, one_entry
from tidings.web.v1.entry_filters import ID_MAX
from tidings.web.v1.entry_json import ENTRY
from tidings.web.v1.spec import BOOLEAN, ERROR, INTEGER, STRING, Operation, obj, schema

MARK_MAX = 100_000  # ids in one PUT /v1/entries
EDIT_REFUSED = N_(
    "entries cannot be edited here: an entry is its feed's, shared by everyone who follows the "
    "feed, and stays as the feed gives it"
)

endpoints = Endpoints()
routes = endpoints.routes
operations = endpoints.operations

STATUS_CHANGE = schema(
    "EntriesStatusUpdate",
    obj(
        {"entry_ids": {"type": "array", "items": {**INTEGER, "minimum": 1, "maximum": ID_MAX},
                       "minItems": 1, "maxItems": MARK_MAX}},
        {"status": {"type": "string", "enum": ["read", "unread"]}, "starred": BOOLEAN},
    ),
)  # fmt: skip
EDIT = schema("EntryUpdate", obj({}, {"title": STRING, "content": STRING}))


@endpoints(
    Operation(
        "PUT",
        "/v1/entries/{entry_id}",
        "Edit an entry's title or content: refused (403), entries are shared; an empty edit "
        "answers the entry",
        TAG,
        (ENTRY_ID,),
        body=EDIT,
        responses={
            201: ENTRY,
            400: ERROR,
            401: ERROR,
            403: ERROR,
            404: ERROR,
            413: ERROR,
            429: ERROR,
        },
    )
)
async def edit_entry(request: Request, user: User) -> Response:
    body = await json_body(request)
    title, content = field(body, "title", str), field(body, "content", str)
    if title == "" or content == "":
        if title == "":
            raise V1Error(400, _("the entry title cannot be empty"))
        raise V1Error(400, _("the entry content cannot be empty"))
    shown = await run(one_entry, request, user.id, path_int(request, "entry_id"))
    if title is not None or content is not None:
        raise V1Error(403, _(EDIT_REFUSED))
    return answer(shown, 201)


# -- changing state --------------------------------------------------------------------------------


def _entry_ids(body: dict[str, Any]) -> list[int]:
    raw = field(body, "entry_ids", list, required=True)
    if not raw:
        raise V1Error(400, _("the list of entries cannot be empty"))
    if len(raw) > MARK_MAX:
        raise V1Error(400, _("at most %(most)s entries at once") % {"most": f"{MARK_MAX:,}"})
    for value in raw:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= ID_MAX:
            raise V1Error(400, _("entry_ids must be entry ids (positive integers)"))
    return [int(i) for i in raw]


@endpoints(
    Operation(
        "PUT",
        "/v1/entries",
        "Mark entries read or unread, and/or star or unstar them (ids not the person's are "
        "passed over)",
        TAG,
        body=STATUS_CHANGE,
        responses={204: None, 400: ERROR, 401: ERROR, 413: ERROR, 429: ERROR},
    )
)
async def update_entries(request: Request, user: User) -> Response:
    body = await json_body(request)
    ids = _entry_ids(body)
    status, star = field(body, "status", str), field(body, "starred", bool)
    if status is None and star is None:
        raise V1Error(400, _("either the status or the starred field must be specified"))
    if status is not None and status not in ("read", "unread"):
        raise V1Error(400, _('invalid entry status, valid status values are: "read" and "unread"'))
    read = None if status is None else status == "read"
    await run(Aggregator.set_state, request, user.id, ids, read=read, starred=star)
    return no_content()


def _toggle(agg: Aggregator, user_id: int, entry_id: int) -> None:
    entry: Entry = agg.entry(user_id, entry_id)
    agg.set_starred(user_id, [entry_id], not entry.starred)


def _toggle_operation(path: str) -> Operation:
    return Operation(
        "PUT",
        path,
        "Star the entry, or unstar it if starred (a toggle, as Miniflux's)",
        TAG,
        (ENTRY_ID,),
        responses={204: None, 401: ERROR, 404: ERROR, 429: ERROR},
    )


@endpoints(_toggle_operation("/v1/entries/{entry_id}/bookmark"))
async def toggle_bookmark(request: Request, user: User) -> Response:
    await run(_toggle, request, user.id, path_int(request, "entry_id"))
    return no_content()


@endpoints(_toggle_operation("/v1/entries/{entry_id}/star"))
async def toggle_star(request: Request, user: User) -> Response:
    await run(_toggle, request, user.id, path_int(request, "entry_id"))
    return no_content()
