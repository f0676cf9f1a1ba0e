"""The Fever API at ``/fever/`` and ``/api/fever.php``, for the apps that sync over it.

One address answers everything: GET or POST, parameters in the query string and the body alike
(urlencoded or multipart), as the clients mix them (research notes 2.1). The key is
``api_key`` = md5("name:API password"); a wrong or missing key is a 200 with ``auth`` 0, since
clients read ``auth``, not the status (failures are counted per address, and too many are
refused the same way for a while). A request may combine a mark and any selectors: the mark is
applied first, so the lists of the same answer show it. A bad value is answered with the
envelope and an ``error`` member (clients expect JSON with a 200), never with a server error.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from tidings.core import Aggregator
from tidings.errors import TidingsError
from tidings.web import fever_marks, fever_reads
from tidings.web.api_common import Refused, api_params, api_secret_user
from tidings.web.context import run
from tidings.web.fever_reads import FeverValueError, Json, Params, Person

API_VERSION = 3

# the parts of an answer, in the order they are made: the write first
PARTS: dict[str, Callable[[Person, Params], Json]] = {
    "mark": fever_marks.mark,
    "groups": lambda person, _: fever_reads.groups(person),
    "feeds": lambda person, _: fever_reads.feeds(person),
    # tidings keeps no feed icon images (see fever_reads.feeds): the list is empty, not absent
    "favicons": lambda person, _: {"favicons": []},
    "items": fever_reads.items,
    "unread_item_ids": lambda person, _: fever_reads.unread_item_ids(person),
    "saved_item_ids": lambda person, _: fever_reads.saved_item_ids(person),
    # hot links: no server ranks them; the list is there, empty, for clients that read it
    "links": lambda person, _: {"links": []},
}


def answer(agg: Aggregator, user_id: int, params: Params) -> Json:
    """The authenticated answer: the envelope, then each part asked for. A part that fails
    adds its message to ``error``; the others are still answered."""
    person = Person(agg, user_id)
    body: Json = {
        "api_version": API_VERSION,
        "auth": 1,
        "last_refreshed_on_time": fever_reads.last_refreshed(person),
    }
    problems: list[str] = []
    for name, part in PARTS.items():
        if name not in params:
            continue
        try:
            body.update(part(person, params))
        except (FeverValueError, TidingsError) as problem:
            problems.append(str(problem))
    if problems:
        body["error"] = "; ".join(problems)
    return body


def signed_out(message: str | None = None, status: int = 200) -> JSONResponse:
    body: Json = {"api_version": API_VERSION, "auth": 0}
    if message:
        body["error"] = message
    return JSONResponse(body, status_code=status)


async def fever(request: Request) -> JSONResponse:
    try:
        params = await api_params(request)
    except HTTPException as unreadable:  # a body over 10 MB, a broken multipart form
        return signed_out(unreadable.detail, unreadable.status_code)
    key = params.get("api_key", "")
    if not key.strip():
        return signed_out()
    found = await api_secret_user(request, Aggregator.fever_user, key, guessable=True)
    if isinstance(found, Refused):
        return signed_out(found.message if found.throttled else None)
    return JSONResponse(await run(answer, request, found.id, params))


routes: list[BaseRoute] = [
    Route(path, fever, methods=["GET", "POST"])
    for path in ("/fever/", "/fever", "/api/fever.php", "/api/fever.php/")
]
