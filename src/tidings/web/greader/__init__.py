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

from tidings.web.greader import atom, edits, login, streams, subscriptions, tags
from tidings.web.greader.replies import Handler, endpoint

PREFIXES = ("", "/api/greader.php")
API = "/reader/api/0"
ANY = ["GET", "POST", "PUT", "PATCH", "DELETE"]

# path, handler, whether it changes something (POST only)
PATHS: list[tuple[str, Handler, bool]] = [
    ("/accounts/ClientLogin", login.client_login, False),
    (f"{API}/token", login.token, False),
    (f"{API}/user-info", login.user_info, False),
    (f"{API}/subscription/list", subscriptions.subscription_list, False),
    (f"{API}/subscription/edit", subscriptions.subscription_edit, True),
    (f"{API}/subscription/quickadd", subscriptions.quickadd, True),
    (f"{API}/subscription/export", subscriptions.export_opml, False),
    (f"{API}/subscription/import", subscriptions.import_opml, True),
    (f"{API}/tag/list", tags.tag_list, False),
    (f"{API}/rename-tag", tags.rename_tag, True),
    (f"{API}/disable-tag", tags.disable_tag, True),
    (f"{API}/unread-count", streams.unread_count, False),
    (f"{API}/stream/contents", streams.stream_contents, False),
    (f"{API}/stream/contents/{{stream:path}}", streams.stream_contents, False),
    (f"{API}/stream/items/ids", streams.item_ids_of_stream, False),
    (f"{API}/stream/items/contents", streams.items_contents, False),
    (f"{API}/edit-tag", edits.edit_tag, True),
    (f"{API}/mark-all-as-read", edits.mark_all_as_read, True),
    ("/reader/atom", atom.atom, False),
    ("/reader/atom/{stream:path}", atom.atom, False),
]


async def unknown(request: Request) -> Response:
    return PlainTextResponse(f"Not Found: no such call {request.url.path}", 404)


def _routes() -> list[BaseRoute]:
    found: list[BaseRoute] = []
    for prefix in PREFIXES:
        for path, handler, write in PATHS:
            answer = endpoint(handler, write=write)
            found.append(Route(prefix + path, answer, methods=["GET", "POST"]))
        found.append(Route(f"{prefix}{API}/{{rest:path}}", unknown, methods=ANY))
    found.append(Route("/api/greader.php/{rest:path}", unknown, methods=ANY))
    return found


routes: list[BaseRoute] = _routes()
