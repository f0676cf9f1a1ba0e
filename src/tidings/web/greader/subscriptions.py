"""Subscriptions: ``subscription/list``, ``quickadd``, ``edit`` (subscribe, unsubscribe,
rename, move between folders) and OPML ``export``/``import``.

A feed is ``feed/<id>`` (tidings' id, stable across calls) in what is written, and either that or
``feed/<url>`` in what is read (News+ subscribes with ``feed/<url>``). A feed's folder is its
one label (``user/-/label/<folder>``); a feed in no folder has none.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.errors import DuplicateError, TidingsError
from tidings.i18n import gettext as _
from tidings.types import Subscription
from tidings.web.api_common import capped_body
from tidings.web.context import agg_of, run
from tidings.web.greader.auth import caller
from tidings.web.greader.common import call_of
from tidings.web.greader.ids import Stream, feed_stream, label_stream, parse_stream
from tidings.web.greader.lookups import Lookups
from tidings.web.greader.params import text
from tidings.web.greader.replies import ApiError, bad_request, json_reply, ok, tagged_json

ALREADY = "Already subscribed!"  # the text Capy Reader recognises: the same in every language


def subscription_json(sub: Subscription) -> dict[str, Any]:
    feed = sub.feed
    return {
        "id": feed_stream(feed.id),
        "title": sub.title,
        "categories": (
            [{"id": label_stream(sub.folder), "label": sub.folder, "type": "folder"}]
            if sub.folder
            else []
        ),
        "url": feed.url,
        "htmlUrl": feed.site_url or feed.url,
        "iconUrl": feed.image_url or "",
    }


async def subscription_list(request: Request) -> Response:
    """Every feed the person follows, hidden ones too, with an ETag (NetNewsWire asks with
    ``If-None-Match`` and takes 304 as unchanged)."""
    who, _ = await call_of(request)
    subs = await run(lambda agg, uid: agg.subscriptions(uid, counted=False), request, who.user.id)
    return tagged_json(request, {"subscriptions": [subscription_json(s) for s in subs]})


def _url_of(value: str) -> str:
    value = value.strip()
    return value[5:] if value.startswith("feed/") else value


async def quickadd(request: Request) -> Response:
    """Follow the feed at ``quickadd`` (found by discovery from a page's address too)."""
    who, params = await call_of(request)
    url = _url_of(text(params, "quickadd") or "")
    if not url:
        raise bad_request(_("quickadd must be the address of a feed or of a page that links one"))
    agg = agg_of(request)
    try:
        sub = await agg.subscribe(who.user.id, url)
    except DuplicateError:
        return json_reply({"numResults": 0, "query": url, "error": ALREADY})
    except TidingsError as error:
        return json_reply({"numResults": 0, "query": url, "error": str(error)})
    return json_reply(
        {
            "numResults": 1,
            "query": url,
            "streamId": feed_stream(sub.feed.id),
            "streamName": sub.title,
        }
    )


def _label(values: list[str]) -> str | None:
    """The folder named by the first label among ``values`` (states and the like ignored)."""
    for value in values:
        stream = parse_stream(value)
        if stream is not None and stream.kind == "label":
            return stream.name
    return None


def _edit(
    agg: Aggregator,
    user_id: int,
    streams: list[Stream],
    title: str | None,
    add: str | None,
    remove: str | None,
    unsubscribe: bool,
) -> None:
    lookups = Lookups(agg, user_id)
    for stream in streams:
        feed_id = lookups.feed_id(stream)
        if unsubscribe:
            if feed_id is not None:  # not followed: already as asked
                agg.unsubscribe(user_id, feed_id)
            continue
        if feed_id is None:
            raise ApiError(
                404, _("not subscribed to %(feed)s") % {"feed": stream.name or stream.feed_id}
            )
        current = agg.subscription(user_id, feed_id)
        changes: dict[str, Any] = {}
        if title:
            changes["title"] = title
        if add is not None:
            changes["folder"] = add
        elif remove is not None and current.folder == remove:
            changes["folder"] = None
        if changes:
            agg.edit_subscription(user_id, feed_id, **changes)


async def subscription_edit(request: Request) -> Response:
    """``ac=subscribe`` (``s=feed/<url>``), ``unsubscribe`` or ``edit`` (``t`` a title,
    ``a``/``r`` the folder label to add or remove) for each ``s``."""
    who, params = await call_of(request)
    action = (text(params, "ac") or "edit").lower()
    streams = []
    for raw in params.getlist("s"):
        stream = parse_stream(raw)
        if stream is None or stream.kind != "feed":
            raise bad_request(
                _("s must name a feed (feed/<id> or feed/<url>), not %(value)r") % {"value": raw}
            )
        streams.append(stream)
    if not streams:
        raise bad_request(_("the parameter s must name the feed to change"))
    title = text(params, "t")
    add, remove = _label(params.getlist("a")), _label(params.getlist("r"))
    uid = who.user.id
    if action == "subscribe":
        agg = agg_of(request)
        for stream in streams:
            if stream.feed_id is not None:
                known = await run(lambda a, s: Lookups(a, uid).feed_id(s), request, stream)
                if known is None:
                    raise bad_request(_("subscribe with the feed's address: s=feed/<url>"))
                continue
            try:
                await agg.subscribe(uid, _url_of(stream.name), title=title, folder=add)
            except DuplicateError:
                await run(_edit, request, uid, [stream], title, add, remove, False)
        return ok()
    if action not in ("unsubscribe", "edit"):
        raise bad_request(
            _("ac must be subscribe, unsubscribe or edit, not %(value)r") % {"value": action}
        )
    await run(_edit, request, uid, streams, title, add, remove, action == "unsubscribe")
    return ok()


async def export_opml(request: Request) -> Response:
    """The person's subscriptions as OPML."""
    who, _ = await call_of(request)
    body = await run(lambda agg, uid: agg.export_subscriptions(uid), request, who.user.id)
    return Response(
        body,
        media_type="text/x-opml",
        headers={"Content-Disposition": 'attachment; filename="subscriptions.opml"'},
    )


def _import(agg: Aggregator, user_id: int, document: bytes) -> None:
    agg.import_subscriptions(user_id, document)


async def import_opml(request: Request) -> Response:
    """Follow the feeds of an OPML document: the raw body (NetNewsWire), or a multipart
    form's file or a form field."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        who = await caller(request, None)
        async with request.form(max_files=1, max_fields=20) as form:
            parts = [v for _key, v in form.multi_items() if not isinstance(v, str)]
            if not parts:
                raise bad_request(_("the form holds no OPML file"))
            document = await parts[0].read()
    elif kind == "application/x-www-form-urlencoded":
        who, params = await call_of(request)
        document = (params.get("opml") or "").encode()
    else:
        await capped_body(request)
        who, _params = await call_of(request)
        document = await request.body()
    if not document.strip():
        raise bad_request(_("the OPML document is empty"))
    await run(_import, request, who.user.id, document)
    return ok()
