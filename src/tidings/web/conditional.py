"""Validators and 304s for the byte outputs (feeds, OPML, the embed).

Every answer carries an ETag (a hash of the body) and, when it lists items, Last-Modified (the
newest item); a matching If-None-Match, else an If-Modified-Since not older than that, gets a 304.
Byte outputs get ``default-src 'none'; sandbox`` as their CSP (security baseline rule 5): a
browser that opens one runs nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

FEED_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def _http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


def not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
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
    if not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=out)
    out["Content-Type"] = content_type
    return Response(body, headers=out)
