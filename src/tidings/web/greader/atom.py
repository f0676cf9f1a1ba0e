"""``/reader/atom/<stream>``: a stream as Atom, as FeedHQ served it for Newsboat's ``feedhq``
mode and older Atom clients.

Each entry's id is the long item id (the one ``edit-tag`` takes back) and its state is told by
categories in Google's scheme: ``label="read"`` for a read item (Newsboat marks it read),
``label="kept-unread"`` for an unread one (so an item marked unread elsewhere turns unread in
the app too), ``label="starred"``; never a folder's label, which Newsboat would read as a
state. The parameters are those of ``stream/contents``.
"""

from __future__ import annotations

import re
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from starlette.requests import Request
from starlette.responses import Response

from tidings.types import Entry
from tidings.web.context import agg_of, run
from tidings.web.greader.common import call_of
from tidings.web.greader.ids import (
    KEPT_UNREAD,
    READ,
    READING_LIST,
    STARRED,
    feed_stream,
    long_item_id,
    stream_id,
)
from tidings.web.greader.items import usec
from tidings.web.greader.lookups import stream_page
from tidings.web.greader.params import page
from tidings.web.greader.streams import CONTENTS_MAX, EVERYTHING, path_stream

SCHEME = "http://www.google.com/reader/"
PATH_MARK = "/reader/atom/"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


def _date(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _category(term: str) -> str:
    label = term.rsplit("/", 1)[-1]
    return f"<category term={_attr(term)} scheme={_attr(SCHEME)} label={_attr(label)}/>"


def entry_atom(entry: Entry, site_url: str | None) -> str:
    item = entry.item
    terms = [READING_LIST, READ if entry.read else KEPT_UNREAD]
    if entry.starred:
        terms.append(STARRED)
    # no folder label: Newsboat takes every label for a state, and a folder may be "read"
    parts = [
        f"<entry gr:crawl-timestamp-msec={_attr(str(usec(item.first_seen) // 1000))}>",
        f"<id>{_text(long_item_id(item.id))}</id>",
        *(_category(t) for t in terms),
        f'<title type="text">{_text(item.title or "")}</title>',
        f"<published>{_date(item.sort_date)}</published>",
        f"<updated>{_date(item.updated or item.sort_date)}</updated>",
    ]
    if item.link:
        parts.append(f'<link rel="alternate" type="text/html" href={_attr(item.link)}/>')
    for enclosure in item.enclosures:
        length = f" length={_attr(str(enclosure.length))}" if enclosure.length else ""
        kind = f" type={_attr(enclosure.type)}" if enclosure.type else ""
        parts.append(f'<link rel="enclosure" href={_attr(enclosure.url)}{kind}{length}/>')
    # the page's article when the feed has full articles
    body = item.article_html or item.content_html or item.summary_html or ""
    parts.append(f'<content type="html">{_text(body)}</content>')
    if item.author:
        parts.append(f"<author><name>{_text(item.author)}</name></author>")
    source = [f"<source gr:stream-id={_attr(feed_stream(item.feed_id))}>"]
    source.append(f"<id>{_text(feed_stream(item.feed_id))}</id>")
    source.append(f"<title>{_text(entry.title or item.feed_title)}</title>")
    if site_url:
        source.append(f'<link rel="alternate" type="text/html" href={_attr(site_url)}/>')
    parts.append("".join(source) + "</source>")
    return "".join(parts) + "</entry>\n"


async def atom(request: Request) -> Response:
    """A page of a stream as an Atom feed (``gr:continuation`` when more remain)."""
    who, params = await call_of(request)
    stream = path_stream(request, PATH_MARK) or EVERYTHING
    wanted = page(params, CONTENTS_MAX)
    entries, more, lookups = await run(stream_page, request, who.user.id, stream, wanted)
    sites = lookups.site_urls()
    now = agg_of(request).clock()
    head = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:gr="http://www.google.com/schemas/reader/atom/">\n',
        f"<id>{_text('tag:google.com,2005:reader/' + stream_id(stream))}</id>\n",
        f"<title>{_text(lookups.title(stream))}</title>\n",
        f"<updated>{_date(now)}</updated>\n",
        f"<author><name>{_text(who.user.name)}</name></author>\n",
        f'<link rel="self" href={_attr(str(request.url))}/>\n',
    ]
    if more is not None:
        head.append(f"<gr:continuation>{more}</gr:continuation>\n")
    body = "".join(head) + "".join(entry_atom(e, sites.get(e.item.feed_id)) for e in entries)
    return Response(body + "</feed>\n", media_type="application/atom+xml")
