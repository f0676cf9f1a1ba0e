"""A person's private feeds: their unread items, their starred items and each folder's unread
items as RSS 2.0, Atom and JSON Feed, at addresses that carry their feed token, for a feed
reader or a phone that has no session. And ``/read/starred.json``, the signed-in person's
starred items to keep.

The token is ``Reading.feed_token``: whoever holds the address reads the feed, so a token that
names nobody (or an old one, after "Rotate") is a 404 like any unknown address, and every answer
asks not to be kept by shared caches nor indexed, and to send no Referer onwards. The writers
are the site's own (``publish.feeds``), with the person's titles for their sources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.core import Aggregator, public_url
from tidings.i18n import gettext as _
from tidings.publish.feeds import FORMATS, Channel, FeedFormat, Source, newest_date
from tidings.timefmt import iso
from tidings.types import Entry, EntryQuery, User
from tidings.web.auth import require_user
from tidings.web.conditional import respond
from tidings.web.context import run
from tidings.web.feeddata import FEED_SIZE, FeedData

PRIVATE_HEADERS = {
    "Cache-Control": "private, no-cache",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}
EXTENSIONS: dict[str, FeedFormat] = {
    "xml": FORMATS["rss.xml"],
    "atom": FORMATS["atom.xml"],
    "json": FORMATS["feed.json"],
}
TOKEN = re.compile(r"[0-9a-z-]{1,80}")  # the facade checks the token itself
EXPORT_PAGE = 500  # starred entries read per query for the export
PREFIX = "/read/private"


@dataclass(frozen=True, slots=True)
class PrivateLink:
    """One private feed in its three formats (absolute URLs)."""

    label: str
    rss: str
    atom: str
    json: str


@dataclass(frozen=True, slots=True)
class PrivateLinks:
    unread: PrivateLink
    starred: PrivateLink
    folders: tuple[PrivateLink, ...]


@dataclass(frozen=True, slots=True)
class Scope:
    """Which of a person's feeds: "unread", "starred", or the unread items of one folder."""

    kind: str
    folder: str | None = None

    def path(self, token: str) -> str:
        """The feed's path without its extension."""
        if self.folder is not None:
            return f"{PREFIX}/{token}/folders/{quote(self.folder, safe='')}"
        return f"{PREFIX}/{token}/{self.kind}"


def _link(base: str, label: str, path: str) -> PrivateLink:
    url = base.rstrip("/") + path
    return PrivateLink(label, f"{url}.xml", f"{url}.atom", f"{url}.json")


def private_links(base: str, token: str, folders: Sequence[str]) -> PrivateLinks:
    """The addresses of a person's private feeds, for their settings page."""
    return PrivateLinks(
        _link(base, _("Unread"), Scope("unread").path(token)),
        _link(base, _("Starred"), Scope("starred").path(token)),
        tuple(_link(base, f, Scope("folder", f).path(token)) for f in folders),
    )


def _sources(agg: Aggregator, user: User, base: str) -> dict[int, Source]:
    """The person's subscriptions as the items' sources, under the person's titles."""
    root = base.rstrip("/")
    return {
        sub.feed.id: Source(
            sub.feed.id,
            sub.title,
            public_url(sub.feed.url, base),
            public_url(sub.feed.site_url, base) if sub.feed.site_url else None,
            f"{root}/read/feeds/{sub.feed.id}",
        )
        for sub in agg.subscriptions(user.id)
    }


def _channel(agg: Aggregator, user: User, base: str, scope: Scope, self_url: str) -> Channel:
    root, site = base.rstrip("/"), agg.site().site_title
    if scope.folder is not None:
        title, home = scope.folder, f"/read/folders/{quote(scope.folder, safe='')}"
    elif scope.kind == "starred":
        title, home = _("Starred"), "/read/starred"
    else:
        title, home = _("Unread"), "/read"
    return Channel(
        title=f"{title} · {user.name} · {site}",
        home_url=root + home,
        self_url=self_url,
        description=_("%(name)s's private feed on %(site)s") % {"name": user.name, "site": site},
        author=site,
    )


def private_feed(agg: Aggregator, token: str, scope: Scope, base: str, ext: str) -> FeedData:
    """The newest entries of one private feed; 404 for a token or folder that names nothing."""
    user = agg.user_for_feed_token(token) if TOKEN.fullmatch(token) else None
    if user is None:
        raise HTTPException(404, _("no such feed"))
    if scope.folder is not None and scope.folder not in agg.folders(user.id):
        raise HTTPException(404, _("no such feed"))
    status = "starred" if scope.kind == "starred" else "unread"
    entries = agg.entries(user.id, EntryQuery(status=status, folder=scope.folder, limit=FEED_SIZE))
    self_url = base.rstrip("/") + f"{scope.path(token)}.{ext}"
    return FeedData(
        _channel(agg, user, base, scope, self_url),
        tuple(e.item for e in entries),
        _sources(agg, user, base),
    )


def _ext(request: Request) -> str:
    """The format a private feed route serves: its path ends with the format's extension."""
    return request.url.path.rsplit(".", 1)[-1]


async def _serve(request: Request, scope: Scope) -> Response:
    ext = _ext(request)
    fmt = EXTENSIONS[ext]
    token = request.path_params["token"]
    data = await run(private_feed, request, token, scope, str(request.base_url), ext)
    body = await run_in_threadpool(fmt.write, data.channel, data.items, data.sources)
    return respond(
        request,
        body,
        fmt.media_type,
        last_modified=newest_date(data.items),
        headers=PRIVATE_HEADERS,
    )


async def unread(request: Request) -> Response:
    return await _serve(request, Scope("unread"))


async def starred(request: Request) -> Response:
    return await _serve(request, Scope("starred"))


async def folder(request: Request) -> Response:
    return await _serve(request, Scope("folder", request.path_params["name"]))


# -- the signed-in person's starred items, to keep ---------------------------------------------


def starred_entries(agg: Aggregator, user_id: int) -> list[Entry]:
    """Every starred entry of a person, newest first, a page of queries at a time."""
    found: list[Entry] = []
    after: tuple[datetime | int, int] | None = None
    while True:
        query = EntryQuery(status="starred", limit=EXPORT_PAGE, after=after)
        page = agg.entries(user_id, query)
        found.extend(page)
        if len(page) < EXPORT_PAGE:
            return found
        last = page[-1].item
        after = (last.sort_date, last.id)


def starred_export(agg: Aggregator, user: User, base: str) -> bytes:
    """The starred entries as a JSON Feed, each with when it was starred (``_tidings``)."""
    entries = starred_entries(agg, user.id)
    scope = Scope("starred")
    channel = _channel(agg, user, base, scope, base.rstrip("/") + "/read/starred.json")
    body = FORMATS["feed.json"].write(channel, [e.item for e in entries], _sources(agg, user, base))
    document = json.loads(body)
    for item, entry in zip(document["items"], entries, strict=True):
        item["_tidings"]["starred_at"] = iso(entry.starred_at) if entry.starred_at else None
        item["_tidings"]["read"] = entry.read
    return json.dumps(document, ensure_ascii=False, indent=1).encode() + b"\n"


async def starred_json(request: Request) -> Response:
    session = require_user(request)
    body = await run(starred_export, request, session.user, str(request.base_url))
    headers = {**PRIVATE_HEADERS, "Content-Disposition": 'attachment; filename="starred.json"'}
    return respond(request, body, "application/feed+json; charset=utf-8", headers=headers)


routes: list[BaseRoute] = [
    *(
        route
        for ext in EXTENSIONS
        for route in (
            Route(f"{PREFIX}/{{token}}/unread.{ext}", unread, methods=["GET"]),
            Route(f"{PREFIX}/{{token}}/starred.{ext}", starred, methods=["GET"]),
            Route(f"{PREFIX}/{{token}}/folders/{{name:path}}.{ext}", folder, methods=["GET"]),
        )
    ),
    Route("/read/starred.json", starred_json, methods=["GET"]),
]
