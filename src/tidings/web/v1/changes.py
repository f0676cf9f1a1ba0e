"""``GET /v1/changes?since=SEQ``: tidings' own addition to the Miniflux API, for apps that keep a
copy of a person's state and want only what changed since they last looked.

Every change of a person's read or starred state bumps their change number once; this answers
the entries changed after ``since`` (id, feed, status, starred), the feeds whose "read up to"
mark moved (every entry of ``feed_id`` with an id at or below ``read_up_to`` is read, except
those listed unread here or later), and ``seq``, the ``since`` of the next call. Unlike
``changed_after``, which has one-second ties, nothing is missed or repeated.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.entryfilter import changed_at
from tidings.types import User
from tidings.web.context import run
from tidings.web.v1.auth import V1Error
from tidings.web.v1.endpoint import Endpoints, answer, rfc3339
from tidings.web.v1.entry_filters import BadParameter, whole
from tidings.web.v1.spec import BOOLEAN, DATE, ERROR, INTEGER, Operation, array_of, obj, schema

SEQ_MAX = 2**53 - 1

endpoints = Endpoints()
routes = endpoints.routes
operations = endpoints.operations

STATE = schema(
    "EntryState",
    obj(
        {
            "id": {**INTEGER, "minimum": 1},
            "feed_id": {**INTEGER, "minimum": 1},
            "status": {"type": "string", "enum": ["read", "unread"]},
            "starred": BOOLEAN,
            "changed_at": DATE,
        }
    ),
)
READ_UP_TO = schema(
    "ReadUpTo",
    obj(
        {
            "feed_id": {**INTEGER, "minimum": 1},
            "read_up_to": {**INTEGER, "description": "the feed's entries up to this id are read"},
        }
    ),
)
CHANGES = schema(
    "Changes",
    obj(
        {
            "since": INTEGER,
            "seq": {**INTEGER, "description": "the since of the next call"},
            "entries": array_of(STATE),
            "read_up_to": array_of(READ_UP_TO),
        }
    ),
)


def _changes(agg: Aggregator, user_id: int, since: int) -> dict[str, Any]:
    entries, marks, seq = agg.changes(user_id, since)
    return {
        "since": since,
        "seq": seq,
        "entries": [
            {
                "id": e.item.id,
                "feed_id": e.item.feed_id,
                "status": "read" if e.read else "unread",
                "starred": e.starred,
                "changed_at": rfc3339(changed_at(e.read_at, e.starred_at, e.item.first_seen)),
            }
            for e in entries
        ],
        "read_up_to": [{"feed_id": f, "read_up_to": up_to} for f, up_to in marks],
    }


@endpoints(
    Operation(
        "GET",
        "/v1/changes",
        "What changed in the person's read and starred state since their change number SEQ "
        "(tidings' addition; 0: everything)",
        "Entries",
        parameters=(
            {
                "name": "since",
                "in": "query",
                "required": False,
                "description": "the seq of the previous answer; 0 (the default) for all",
                "schema": {"type": "integer", "minimum": 0, "maximum": SEQ_MAX},
            },
        ),
        responses={200: CHANGES, 400: ERROR, 401: ERROR, 429: ERROR},
    )
)
async def changes(request: Request, user: User) -> Response:
    try:
        since = whole(request.query_params, "since", 0, SEQ_MAX)
    except BadParameter as exc:
        raise V1Error(400, str(exc)) from exc
    return answer(await run(_changes, request, user.id, since))
