"""The notice an admin page shows once after a change ("Added NATO News with 12 items.").

A change answers with a redirect (POST, redirect, GET) and its notice travels in a cookie, never
in the URL: a link cannot make the admin pages say anything. The cookie is signed with the
session's own secret (its form token, kept server-side), so it is good only for the browser that
made the change, and the page that shows it deletes it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tidings.types import Session

NOTICE_COOKIE = "tidings_notice"
NOTICE_PATH = "/admin"  # the admin's pages; a person's own pages under /read have theirs
READ_PATH = "/read"
MAX_NOTICE = 1000  # characters; a cookie holds about 4 KB


def _mac(session: Session, payload: str) -> str:
    key = session.csrf_token.encode()
    return hmac.new(key, f"notice:{payload}".encode(), hashlib.sha256).hexdigest()


def _cookie_path(path: str) -> str:
    return READ_PATH if path == READ_PATH or path.startswith(READ_PATH + "/") else NOTICE_PATH


def redirect_with_notice(request: Request, message: str, to: str) -> Response:
    """A 303 to ``to`` whose page shows ``message`` once."""
    response = RedirectResponse(to, status_code=303)
    session: Session | None = getattr(request.state, "session", None)
    if session is None:
        return response
    payload = base64.urlsafe_b64encode(message[:MAX_NOTICE].encode()).decode().rstrip("=")
    response.set_cookie(
        NOTICE_COOKIE,
        f"{payload}.{_mac(session, payload)}",
        max_age=300,
        path=_cookie_path(to),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def take_notice(request: Request) -> str | None:
    """The notice this browser's last change left, if it is genuine."""
    raw = request.cookies.get(NOTICE_COOKIE)
    session: Session | None = getattr(request.state, "session", None)
    if not raw or session is None or "." not in raw:
        return None
    payload, mac = raw.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(session, payload)):
        return None
    try:
        return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def shown(request: Request, response: Response) -> Response:
    """``response``, which showed the notice (if any): it is not shown again."""
    if NOTICE_COOKIE in request.cookies:
        response.delete_cookie(NOTICE_COOKIE, path=_cookie_path(request.url.path))
    return response
