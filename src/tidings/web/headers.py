"""The strict security headers every response carries, error pages included."""

from __future__ import annotations

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' https: http: data:; media-src https: http:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    """The same strict headers on every response, error pages included."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        # a private feed (its address is a secret) sends no Referer at all: it sets its own
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        # A route that may be framed (only /embed/latest, see web/outputs.py) opts out by setting
        # its own CSP with a frame-ancestors other than 'none'; X-Frame-Options cannot say
        # "any site", so it is left off there. Everything else keeps DENY.
        csp = response.headers["Content-Security-Policy"]
        if "frame-ancestors" not in csp or "frame-ancestors 'none'" in csp:
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response
