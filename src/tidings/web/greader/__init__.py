"""The Google Reader API ("GReader") that feed-reading apps sync with: NetNewsWire, Reeder,
Read You, Fluent Reader, News+, Capy Reader, FeedMe, Newsboat and others.

Served at FreshRSS's address (``/api/greader.php/accounts/ClientLogin``,
``/api/greader.php/reader/api/0/...``) and at the site's root (``/accounts/ClientLogin``,
``/reader/api/0/...``, ``/reader/atom/<stream>``), so either address works in an app. Modules:
``ids`` (item and stream id spellings), ``params`` (paging and filters), ``query`` (a stream as
an id query), ``items`` (item JSON), ``auth`` (tokens), ``login``, ``subscriptions``, ``tags``,
``streams``, ``edits`` and ``atom``. An unknown path under ``reader/api/0`` is a 404 (never an
empty answer an app would take for "nothing there").
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.i18n import gettext as _
from tidings.web.greader import atom, edits, login, streams, subscriptions, tags
from tidings.web.greader.replies import Handler, endpoint

PREFIXES = ("", "/api/greader.php")
API = "/reader/api/0"
CONTENTS = "stream/contents/"  # and the stream id, percent-encoded or not

# each call under reader/api/0: its handler, and whether it changes something (POST only)
CALLS: dict[str, tuple[Handler, bool]] = {
    "token": (login.token, False),
    "user-info": (login.user_info, False),
    "subscription/list": (subscriptions.subscription_list, False),
    "subscription/edit": (subscriptions.subscription_edit, True),
    "subscription/quickadd": (subscriptions.quickadd, True),
    "subscription/export": (subscriptions.export_opml, False),
    "subscription/import": (subscriptions.import_opml, True),
    "tag/list": (tags.tag_list, False),
    "rename-tag": (tags.rename_tag, True),
    "disable-tag": (tags.disable_tag, True),
    "unread-count": (streams.unread_count, False),
    "stream/contents": (streams.stream_contents, False),
    "stream/items/ids": (streams.item_ids_of_stream, False),
    "stream/items/contents": (streams.items_contents, False),
    "edit-tag": (edits.edit_tag, True),
    "mark-all-as-read": (edits.mark_all_as_read, True),
}
ANSWERS = {name: endpoint(handler, write=write) for name, (handler, write) in CALLS.items()}


async def api_call(request: Request) -> Response:
    """The call named by the path under ``reader/api/0``; a name that is none is a 404."""
    name = str(request.path_params["call"]).strip("/")
    if name.startswith(CONTENTS):
        name = "stream/contents"
    answer = ANSWERS.get(name)
    if answer is None:
        return PlainTextResponse(
            _("Not Found: no such call %(path)s") % {"path": request.url.path}, 404
        )
    return await answer(request)


def _routes() -> list[BaseRoute]:
    both = ["GET", "POST"]
    found: list[BaseRoute] = []
    for prefix in PREFIXES:
        found.append(
            Route(f"{prefix}/accounts/ClientLogin", endpoint(login.client_login), methods=both)
        )
        found.append(Route(f"{prefix}{API}/{{call:path}}", api_call, methods=both))
    found.append(Route("/reader/atom", endpoint(atom.atom), methods=["GET"]))
    found.append(Route("/reader/atom/{stream:path}", endpoint(atom.atom), methods=["GET"]))
    return found


routes: list[BaseRoute] = _routes()
