"""The reading page: a signed-in person's feeds and folders, their entries, one entry at a time.

``/read`` lists the unread entries of everything a person follows (``/read/feeds/{id}``,
``/read/folders/{name}``, ``/read/starred`` and ``?label=NAME`` narrow it), newest first, in
pages with a More link. Opening an entry is a POST that marks it read and leads to
``/read/items/{id}`` (no GET changes anything). Every change is a form with the session's token
that answers with a redirect back to the list, or with the new unread counts as JSON when
``static/read.js`` asks for them.
Everything goes through the facade with the person's own id: nobody sees another's entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.core import Aggregator
from tidings.i18n import gettext as _
from tidings.types import Entry, Session, Subscription, UnreadCounts
from tidings.web.auth import checked_form
from tidings.web.context import render, run
from tidings.web.reading_views import (
    PAGE,
    View,
    cursor_of,
    next_url,
    parse_cursor,
    parse_id,
    view_from_url,
    view_of,
)


@dataclass(frozen=True, slots=True)
class Folder:
    name: str
    path: str  # its list, /read/folders/{name} with the name quoted
    feeds: list[Subscription]


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    path: str  # its list, /read?label=NAME


@dataclass(frozen=True, slots=True)
class Sidebar:
    """Everything, starred, then each folder with its feeds, then the feeds in no folder, then
    the labels that rules put on items (the person's and the site's)."""

    counts: UnreadCounts
    folders: list[Folder]
    loose: list[Subscription]
    labels: list[Label] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ListPage:
    view: View
    title: str
    entries: list[Entry]
    more: str | None  # the next page's URL
    up_to: int | None  # the list's largest item id when shown: what "mark all" marks up to
    sidebar: Sidebar
    scroll_read: bool
    now: datetime
    # a folder that folds: each shown story's other feeds ("also in"), by item id
    also_in: dict[int, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ItemPage:
    view: View
    entry: Entry
    newer: Entry | None
    older: Entry | None
    sidebar: Sidebar
    now: datetime


def reader(request: Request) -> Session:
    """The signed-in person; anyone else goes to sign in and comes back here."""
    session: Session | None = getattr(request.state, "session", None)
    if session is None:
        target = request.url.path if request.method == "GET" else "/read"
        raise HTTPException(303, headers={"Location": "/signin?next=" + quote(target)})
    return session


# -- data, in a worker thread ------------------------------------------------------------------


def sidebar(agg: Aggregator, user_id: int) -> Sidebar:
    folders: dict[str, list[Subscription]] = {}
    loose = []
    for sub in agg.subscriptions(user_id):
        if sub.folder:
            folders.setdefault(sub.folder, []).append(sub)
        else:
            loose.append(sub)
    ordered = [
        Folder(name, View("folder", folder=name).path, subs)
        for name, subs in sorted(folders.items(), key=lambda pair: pair[0].casefold())
    ]
    labels = [Label(name, View(label=name).url()) for name in agg.rule_labels(user_id)]
    return Sidebar(agg.unread_counts(user_id), ordered, loose, labels)


def title_of(agg: Aggregator, user_id: int, view: View, side: Sidebar) -> str:
    """The list's heading; a feed the person does not follow is a 404 (an unknown label is
    no error: its list is empty)."""
    if view.label:
        base = "" if view.kind == "all" else title_of(agg, user_id, replace(view, label=None), side)
        labelled = _("Labelled “%(label)s”") % {"label": view.label}
        return f"{base} · {labelled}" if base else labelled
    if view.kind == "feed" and view.feed_id is not None:
        return agg.subscription(user_id, view.feed_id).title
    if view.kind == "folder":
        if view.folder not in {f.name for f in side.folders}:
            raise HTTPException(404, _("you have no folder named %(name)r") % {"name": view.folder})
        return view.folder or ""
    return _("Starred") if view.kind == "starred" else _("All items")


def list_page(agg: Aggregator, user_id: int, view: View, after: str | None) -> ListPage:
    side = sidebar(agg, user_id)
    title = title_of(agg, user_id, view, side)
    # before the page: an item stored between the two queries is then above up_to (unread);
    # the first page in the order received starts with it
    first_received = view.order == "received" and not after
    up_to = None if first_received else newest_id(agg, user_id, view)
    fold = folds(agg, user_id, view)
    query = view.query(limit=PAGE + 1, after=parse_cursor(after, view.order))
    found = agg.entries(user_id, replace(query, fold=fold))
    shown = found[:PAGE]
    if first_received and shown:
        up_to = shown[0].item.id
    more = view.url(after=cursor_of(shown[-1], view.order)) if len(found) > PAGE else None
    scroll = agg.reading_settings(user_id).mark_read_on_scroll
    also = agg.also_in(user_id, [e.item.id for e in shown]) if fold else {}
    return ListPage(view, title, shown, more, up_to, side, scroll, agg.clock(), also)


def folds(agg: Aggregator, user_id: int, view: View) -> bool:
    """Whether the view is a folder that shows each story once."""
    return view.kind == "folder" and view.folder in agg.folding(user_id)


def newest_id(agg: Aggregator, user_id: int, view: View) -> int | None:
    """What "mark all as read" marks up to: the largest item id of the whole list as it stands
    (not only of this page: in date order a later page may hold a larger id), so that an item
    that arrives after the page was shown stays unread."""
    newest = agg.entries(user_id, replace(view.query(limit=1), order="received", direction="desc"))
    return newest[0].item.id if newest else None


def item_page(agg: Aggregator, user_id: int, item_id: int, view: View) -> ItemPage:
    entry = agg.entry(user_id, item_id)
    key: datetime | int = item_id if view.order == "received" else entry.item.sort_date
    query = replace(view.query(limit=1, after=(key, item_id)), fold=folds(agg, user_id, view))
    older = agg.entries(user_id, query)
    newer = agg.entries(user_id, replace(query, direction="asc"))
    side = sidebar(agg, user_id)
    return ItemPage(
        view, entry, newer[0] if newer else None, older[0] if older else None, side, agg.clock()
    )


def counts_json(counts: UnreadCounts, marked: int | None = None) -> dict[str, object]:
    """What read.js shows after a change: every unread count of the sidebar."""
    data: dict[str, object] = {
        "total": counts.total,
        "starred": counts.starred,
        "feeds": {str(k): v for k, v in counts.by_feed.items()},
        "folders": dict(counts.by_folder),
    }
    if marked is not None:
        data["marked"] = marked
    return data


# -- pages -------------------------------------------------------------------------------------


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def _list(request: Request, view: View) -> Response:
    session = reader(request)
    after = request.query_params.get("after")
    page = await run(list_page, request, session.user.id, view, after)
    return _private(render(request, "read.html", page=page))


def _params(request: Request) -> dict[str, str]:
    return dict(request.query_params.items())


async def everything(request: Request) -> Response:
    return await _list(request, view_of("all", _params(request)))


async def starred(request: Request) -> Response:
    return await _list(request, view_of("starred", _params(request)))


async def feed(request: Request) -> Response:
    feed_id: int = request.path_params["id"]
    return await _list(request, view_of("feed", _params(request), feed_id=feed_id))


async def folder(request: Request) -> Response:
    name: str = request.path_params["name"]
    return await _list(request, view_of("folder", _params(request), folder=name))


async def item(request: Request) -> Response:
    session = reader(request)
    view = view_from_url(request.query_params.get("from"))
    page = await run(item_page, request, session.user.id, request.path_params["id"], view)
    return _private(render(request, "read_item.html", page=page))


# -- changes -----------------------------------------------------------------------------------


def _answer(request: Request, agg_counts: UnreadCounts, to: str, marked: int) -> Response:
    """JSON for the script (which asks for it), else back to the page the form was on."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(counts_json(agg_counts, marked), headers={"Cache-Control": "no-store"})
    return RedirectResponse(to, status_code=303)


def _mark_item(
    agg: Aggregator, user_id: int, item_id: int, action: str
) -> tuple[int, UnreadCounts]:
    agg.entry(user_id, item_id)  # NotFoundError (a 404) unless it is one of the person's
    if action in ("read", "unread"):
        result = agg.set_read(user_id, [item_id], action == "read")
    else:
        result = agg.set_starred(user_id, [item_id], action == "star")
    return result.marked, agg.unread_counts(user_id)


async def _change(request: Request, action: str) -> Response:
    session = reader(request)
    form = await checked_form(request)
    item_id: int = request.path_params["id"]
    marked, counts = await run(_mark_item, request, session.user.id, item_id, action)
    return _answer(request, counts, next_url(form.get("next")), marked)


async def mark_read(request: Request) -> Response:
    return await _change(request, "read")


async def mark_unread(request: Request) -> Response:
    return await _change(request, "unread")


async def star(request: Request) -> Response:
    return await _change(request, "star")


async def unstar(request: Request) -> Response:
    return await _change(request, "unstar")


def _mark_all(
    agg: Aggregator, user_id: int, feed_id: int | None, folder: str | None, up_to: int
) -> tuple[int, UnreadCounts]:
    if feed_id is not None:
        agg.subscription(user_id, feed_id)  # NotFoundError unless the person follows it
    result = agg.mark_read(user_id, feed_id=feed_id, folder=folder, up_to_id=up_to)
    return result.marked, agg.unread_counts(user_id)


async def mark_all(request: Request) -> Response:
    """Everything in a view as read, up to the largest item id the page showed: an item that
    arrived since then stays unread."""
    session = reader(request)
    form = await checked_form(request)
    up_to = parse_id(form.get("up_to"), "up_to")
    raw_feed, raw_folder = form.get("feed"), form.get("folder")
    feed_id = parse_id(raw_feed, "feed") if raw_feed else None
    folder_name = raw_folder.strip() if isinstance(raw_folder, str) and raw_folder.strip() else None
    marked, counts = await run(_mark_all, request, session.user.id, feed_id, folder_name, up_to)
    return _answer(request, counts, next_url(form.get("next")), marked)


routes: list[BaseRoute] = [
    Route("/read", everything, methods=["GET"]),
    Route("/read/starred", starred, methods=["GET"]),
    Route("/read/feeds/{id:int}", feed, methods=["GET"]),
    Route("/read/folders/{name:path}", folder, methods=["GET"]),
    Route("/read/items/{id:int}", item, methods=["GET"]),
    Route("/read/items/{id:int}/read", mark_read, methods=["POST"]),
    Route("/read/items/{id:int}/unread", mark_unread, methods=["POST"]),
    Route("/read/items/{id:int}/star", star, methods=["POST"]),
    Route("/read/items/{id:int}/unstar", unstar, methods=["POST"]),
    Route("/read/mark-all", mark_all, methods=["POST"]),
]
