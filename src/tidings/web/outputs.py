"""What the site publishes besides its pages: its feeds, its OPML and the embeddable block.

``/rss.xml``, ``/atom.xml`` and ``/feed.json`` exist for all items and under every source
(``/sources/{id}/...``), category (``/categories/{slug}/...``) and search (``/search/...?q=``).
``/opml.xml`` lists the subscriptions. ``/embed/latest`` is a small self-contained HTML block of
the latest items for an iframe on another site (the one route that may be framed) and
``/embed/latest.json`` the same as JSON.

Every answer carries an ETag (a hash of the body) and, when it lists items, Last-Modified (the
newest item); a matching If-None-Match, else an If-Modified-Since not older than that, gets a 304.
The bodies never depend on the clock (except the ages in the embed, which therefore has no
Last-Modified), so an unchanged feed keeps its ETag. Byte outputs get ``default-src 'none';
sandbox`` as their CSP (security baseline rule 5): a browser that opens one runs nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.core import Aggregator
from tidings.errors import NotFoundError
from tidings.publish.feeds import FORMATS, Channel, FeedFormat, Source, newest_date
from tidings.timefmt import gettext as _
from tidings.timefmt import iso
from tidings.types import Feed, Item
from tidings.web.context import Web
from tidings.web.filters import safe_url

FEED_SIZE = 50  # items in each outgoing feed
EMBED_DEFAULT, EMBED_MAX = 5, 50
MAX_ID = 2**63 - 1  # larger path ids cannot be in the database (and would overflow SQLite)

FEED_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
EMBED_STYLE = (
    "body{margin:0;font:15px/1.45 system-ui,sans-serif;color:#1d1d1f;background:transparent}"
    "h2{font-size:1rem;margin:0 0 .4rem}ol{list-style:none;margin:0;padding:0}"
    "li{padding:.35rem 0;border-bottom:1px solid #e4e1d9}a{color:#9c2b1f}"
    ".meta{display:block;color:#5b5b66;font-size:.8rem}.more{margin:.4rem 0 0;font-size:.85rem}"
    "@media (prefers-color-scheme:dark){body{color:#e8e6e1}a{color:#f08a7b}.meta{color:#a3a3ad}"
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


# -- data: one function per output, feeding every format ---------------------------------------


@dataclass(frozen=True, slots=True)
class FeedData:
    """What one outgoing feed lists, in every format."""

    channel: Channel
    items: tuple[Item, ...]
    sources: Mapping[int, Source]


@dataclass(frozen=True, slots=True)
class Latest:
    """The latest items for the embed, HTML and JSON alike."""

    title: str
    more_url: str  # absolute: the page with more
    items: tuple[Item, ...]
    sources: Mapping[int, Source]
    now: datetime


def _url(base: str, path: str) -> str:
    return base.rstrip("/") + path


def _feed(agg: Aggregator, feed_id: int) -> Feed:
    if feed_id > MAX_ID:
        raise NotFoundError(f"no feed with id {feed_id}")
    return agg.feed(feed_id)


def _sources(agg: Aggregator, base: str, items: Sequence[Item]) -> dict[int, Source]:
    """The source of each item, in one query (a feed removed since the items were read is
    left out)."""
    return {
        feed.id: Source(
            feed.id, feed.display_title, feed.url, feed.site_url, _url(base, f"/sources/{feed.id}")
        )
        for feed in agg.feeds({i.feed_id for i in items})
    }


def _data(
    agg: Aggregator, base: str, items: Sequence[Item], *, title: str, home: str, self_path: str,
    description: str = "", updated: datetime | None = None,
) -> FeedData:  # fmt: skip
    site = agg.site().site_title
    channel = Channel(
        title=title,
        home_url=_url(base, home),
        self_url=_url(base, self_path),
        description=description,
        author=site,
        updated=updated,
    )
    return FeedData(channel, tuple(items), _sources(agg, base, items))


def all_items_feed(agg: Aggregator, base: str, name: str) -> FeedData:
    """What's new, as a feed."""
    site = agg.site().site_title
    return _data(
        agg,
        base,
        agg.items(limit=FEED_SIZE),
        title=site,
        home="/",
        self_path=f"/{name}",
        description=_("The latest items of every source on %(site)s") % {"site": site},
    )


def source_feed(agg: Aggregator, base: str, name: str, feed_id: int) -> FeedData:
    """One source's items, as a feed. Raises NotFoundError."""
    feed = _feed(agg, feed_id)
    return _data(
        agg,
        base,
        agg.items(feed_id=feed.id, limit=FEED_SIZE),
        title=feed.display_title,
        home=f"/sources/{feed.id}",
        self_path=f"/sources/{feed.id}/{name}",
        description=feed.description or "",
        updated=feed.added_at,
    )


def category_feed(agg: Aggregator, base: str, name: str, slug: str) -> FeedData:
    """The items of a category's sources, as a feed. Raises NotFoundError."""
    category = agg.category(slug)
    return _data(
        agg,
        base,
        agg.items(category=category.slug, limit=FEED_SIZE),
        title=f"{category.name} · {agg.site().site_title}",
        home=f"/categories/{category.slug}",
        self_path=f"/categories/{category.slug}/{name}",
    )


def search_feed(agg: Aggregator, base: str, name: str, q: str) -> FeedData:
    """The newest items matching ``q``, as a feed one can subscribe to. 400 for a void query."""
    query = q.strip()
    problem = agg.search_problem(query)
    if problem:
        raise HTTPException(400, problem)
    hits = agg.search(query, limit=FEED_SIZE, newest_first=True)
    encoded = quote(query, safe="")
    return _data(
        agg,
        base,
        [h.item for h in hits],
        title=_("Search: %(query)s") % {"query": query} + f" · {agg.site().site_title}",
        home=f"/search?q={encoded}",
        self_path=f"/search/{name}?q={encoded}",
    )


def latest(
    agg: Aggregator, base: str, count: int, *, category: str | None, source: int | None
) -> Latest:
    """The newest ``count`` items, of one category and/or source if asked. Raises NotFoundError."""
    title, more = agg.site().site_title, "/"
    slug = None
    if category is not None:
        found = agg.category(category)
        slug, title, more = found.slug, found.name, f"/categories/{found.slug}"
    if source is not None:
        feed = _feed(agg, source)
        title, more = feed.display_title, f"/sources/{feed.id}"
    items = agg.items(feed_id=source, category=slug, limit=count)
    return Latest(title, _url(base, more), tuple(items), _sources(agg, base, items), agg.clock())


def latest_json(data: Latest) -> dict[str, Any]:
    """The embed as JSON: plain values and absolute URLs only."""
    return {
        "title": data.title,
        "url": data.more_url,
        "items": [
            {
                "id": item.id,
                "title": item.title,
                "url": safe_url(item.link) if safe_url(item.link) != "#" else None,
                "date": iso(item.sort_date),
                "source": {
                    "id": item.feed_id,
                    "title": item.feed_title,
                    "url": data.sources[item.feed_id].page_url
                    if item.feed_id in data.sources
                    else None,
                },
            }
            for item in data.items
        ],
    }


# -- HTTP: validators, 304s and headers -------------------------------------------------------


def _http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
    since_header = request.headers.get("if-modified-since")
    if since_header is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(since_header)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


def respond(
    request: Request,
    body: bytes,
    content_type: str,
    *,
    last_modified: datetime | None = None,
    csp: str = FEED_CSP,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The body with its validators, or a 304 when the client's copy is current."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    out = {"ETag": etag, "Cache-Control": "no-cache", "Content-Security-Policy": csp}
    if last_modified is not None:
        out["Last-Modified"] = _http_date(last_modified)
    out.update(headers or {})
    if _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=out)
    out["Content-Type"] = content_type
    return Response(body, headers=out)


def _feed_response(request: Request, fmt: FeedFormat, data: FeedData) -> Response:
    body = fmt.write(data.channel, data.items, data.sources)
    return respond(request, body, fmt.media_type, last_modified=newest_date(data.items))


def _embed_count(request: Request) -> int:
    raw = request.query_params.get("count", str(EMBED_DEFAULT))
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= EMBED_MAX:
        raise HTTPException(
            400, f"count must be a whole number from 1 to {EMBED_MAX}, not {raw[:40]!r}"
        )
    return int(raw)


def _embed_scope(request: Request) -> tuple[str | None, int | None]:
    category = request.query_params.get("category") or None
    raw = request.query_params.get("source") or None
    if raw is not None and not _NUMBER.fullmatch(raw):
        raise HTTPException(400, f"source must be the number of a source, not {raw[:40]!r}")
    return category, int(raw) if raw is not None else None


# -- routes ------------------------------------------------------------------------------------


def routes(web: Web) -> list[BaseRoute]:
    agg = web.agg
    out: list[BaseRoute] = []

    def base(request: Request) -> str:
        return str(request.base_url)

    for name, fmt in FORMATS.items():

        def everything(request: Request, name: str = name, fmt: FeedFormat = fmt) -> Response:
            return _feed_response(request, fmt, all_items_feed(agg, base(request), name))

        def one_source(request: Request, name: str = name, fmt: FeedFormat = fmt) -> Response:
            data = source_feed(agg, base(request), name, request.path_params["feed_id"])
            return _feed_response(request, fmt, data)

        def one_category(request: Request, name: str = name, fmt: FeedFormat = fmt) -> Response:
            data = category_feed(agg, base(request), name, request.path_params["slug"])
            return _feed_response(request, fmt, data)

        def searched(request: Request, name: str = name, fmt: FeedFormat = fmt) -> Response:
            data = search_feed(agg, base(request), name, request.query_params.get("q", ""))
            return _feed_response(request, fmt, data)

        out += [
            Route(f"/{name}", everything),
            Route(f"/sources/{{feed_id:int}}/{name}", one_source),
            Route(f"/categories/{{slug}}/{name}", one_category),
            Route(f"/search/{name}", searched),
        ]

    def opml(request: Request) -> Response:
        return respond(
            request,
            agg.export_opml(),
            OPML_TYPE,
            headers={"Content-Disposition": 'attachment; filename="subscriptions.opml"'},
        )

    def embed(request: Request) -> Response:
        category, source = _embed_scope(request)
        data = latest(agg, base(request), _embed_count(request), category=category, source=source)
        html = web.env.get_template("embed.html").render(
            data=data, style=EMBED_STYLE, site_title=agg.site().site_title
        )
        # no Last-Modified: the ages in the block change with the clock, not with the items
        return respond(request, html.encode(), "text/html; charset=utf-8", csp=EMBED_CSP)

    def embed_json(request: Request) -> Response:
        category, source = _embed_scope(request)
        data = latest(agg, base(request), _embed_count(request), category=category, source=source)
        body = json.dumps(latest_json(data), ensure_ascii=False, indent=1).encode() + b"\n"
        return respond(
            request,
            body,
            "application/json; charset=utf-8",
            last_modified=newest_date(data.items),
            headers={"Access-Control-Allow-Origin": "*"},  # public data, for other sites' pages
        )

    return [
        *out,
        Route("/opml.xml", opml),
        Route("/embed/latest", embed),
        Route("/embed/latest.json", embed_json),
    ]
