"""What the site publishes besides its pages: its feeds, its OPML and the embeddable block.

``/rss.xml``, ``/atom.xml`` and ``/feed.json`` exist for all items and under every source
(``/sources/{id}/...``), category (``/categories/{slug}/...``) and search (``/search/...?q=``).
``/opml.xml`` lists the subscriptions. ``/embed/latest`` is a small self-contained HTML block of
the latest items for an iframe on another site (the one route that may be framed) and
``/embed/latest.json`` the same data as JSON. The data is in ``feeddata``, the validators and
304s in ``conditional``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.i18n import gettext as _
from tidings.publish.feeds import FORMATS, FeedFormat, newest_date
from tidings.web.conditional import respond
from tidings.web.context import agg_of, language_context, run, web_of
from tidings.web.feeddata import (
    FeedData,
    Latest,
    all_items_feed,
    category_feed,
    latest,
    latest_json,
    search_feed,
    source_feed,
)

EMBED_DEFAULT, EMBED_MAX = 5, 50
# the site's colour tokens (static/style.css), inlined: the embed loads nothing. Its background
# is its own (light or dark with the reader's scheme), so its text is legible on any host page.
EMBED_STYLE = (
    ":root{color-scheme:light dark}"
    "body{margin:0;padding:.5rem;font:15px/1.45 system-ui,sans-serif;color:#1d1d1f;"
    "background:#fdfcf9}"
    "h2{font-size:1rem;margin:0 0 .4rem}ol{list-style:none;margin:0;padding:0}"
    "li{padding:.35rem 0;border-bottom:1px solid #e4e1d9}a{color:#9c2b1f}"
    ".meta{display:block;color:#5b5b66;font-size:.875rem}.more{margin:.4rem 0 0;font-size:.875rem}"
    "@media (prefers-color-scheme:dark){body{color:#e8e6e1;background:#15161a}a{color:#f08a7b}"
    ".meta{color:#a3a3ad}"
    "li{border-color:#2c2d33}}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(EMBED_STYLE.encode()).digest()).decode()
# The embed may be framed by any site (frame-ancestors *), so SecurityHeaders leaves off
# X-Frame-Options for it. It still runs no script, loads nothing, and its links open outside.
EMBED_CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; "
    "form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox; frame-ancestors *"
)
OPML_TYPE = "text/x-opml; charset=utf-8"
_NUMBER = re.compile(r"[0-9]{1,19}")


# -- the site's feeds, in every format ---------------------------------------------------------


def _format(request: Request) -> tuple[str, FeedFormat]:
    """The format a feed route serves: its path ends with the format's file name."""
    name = request.url.path.rsplit("/", 1)[-1]
    return name, FORMATS[name]


def _base(request: Request) -> str:
    return str(request.base_url)


async def _feed_response(request: Request, fmt: FeedFormat, data: FeedData) -> Response:
    body = await run_in_threadpool(fmt.write, data.channel, data.items, data.sources)
    return respond(request, body, fmt.media_type, last_modified=newest_date(data.items))


async def everything(request: Request) -> Response:
    name, fmt = _format(request)
    data = await run(all_items_feed, request, _base(request), name)
    return await _feed_response(request, fmt, data)


async def one_source(request: Request) -> Response:
    name, fmt = _format(request)
    feed_id = request.path_params["feed_id"]
    data = await run(source_feed, request, _base(request), name, feed_id)
    return await _feed_response(request, fmt, data)


async def one_category(request: Request) -> Response:
    name, fmt = _format(request)
    slug = request.path_params["slug"]
    data = await run(category_feed, request, _base(request), name, slug)
    return await _feed_response(request, fmt, data)


async def searched(request: Request) -> Response:
    name, fmt = _format(request)
    q = request.query_params.get("q", "")
    data = await run(search_feed, request, _base(request), name, q)
    return await _feed_response(request, fmt, data)


async def opml(request: Request) -> Response:
    body = await run_in_threadpool(agg_of(request).export_opml, _base(request))
    disposition = {"Content-Disposition": 'attachment; filename="subscriptions.opml"'}
    return respond(request, body, OPML_TYPE, headers=disposition)


# -- the embeddable block: HTML and JSON from the same data ------------------------------------


def _embed_count(request: Request) -> int:
    raw = request.query_params.get("count", str(EMBED_DEFAULT))
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= EMBED_MAX:
        message = _("count must be a whole number from 1 to %(max)d, not %(raw)r")
        raise HTTPException(400, message % {"max": EMBED_MAX, "raw": raw[:40]})
    return int(raw)


def _embed_scope(request: Request) -> tuple[str | None, int | None]:
    category = request.query_params.get("category") or None
    raw = request.query_params.get("source") or None
    if raw is not None and not _NUMBER.fullmatch(raw):
        message = _("source must be the number of a source, not %(raw)r")
        raise HTTPException(400, message % {"raw": raw[:40]})
    return category, int(raw) if raw is not None else None


async def _latest(request: Request) -> Latest:
    """The embed's data, for the scope and count its query asks (else a 400)."""
    category, source = _embed_scope(request)
    count = _embed_count(request)
    return await run(latest, request, _base(request), count, category=category, source=source)


async def embed(request: Request) -> Response:
    data = await _latest(request)
    template = web_of(request).env.get_template("embed.html")
    html = template.render(
        data=data, style=EMBED_STYLE, site_title=data.site_title, **language_context()
    )
    # no Last-Modified: the ages in the block change with the clock, not with the items
    return respond(request, html.encode(), "text/html; charset=utf-8", csp=EMBED_CSP)


async def embed_json(request: Request) -> Response:
    data = await _latest(request)
    body = json.dumps(latest_json(data), ensure_ascii=False, indent=1).encode() + b"\n"
    return respond(
        request,
        body,
        "application/json; charset=utf-8",
        last_modified=newest_date(data.items),
        headers={"Access-Control-Allow-Origin": "*"},  # public data, for other sites' pages
    )


routes: list[BaseRoute] = [
    *(
        route
        for name in FORMATS
        for route in (
            Route(f"/{name}", everything),
            Route(f"/sources/{{feed_id:int}}/{name}", one_source),
            Route(f"/categories/{{slug}}/{name}", one_category),
            Route(f"/search/{name}", searched),
        )
    ),
    Route("/opml.xml", opml),
    Route("/embed/latest", embed),
    Route("/embed/latest.json", embed_json),
]
