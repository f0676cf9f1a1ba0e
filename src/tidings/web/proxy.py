"""Where the site is, as its visitors see it: behind a reverse proxy, or at ``TIDINGS_BASE_URL``.

Every absolute URL the site writes (its feeds' self and home links, the embed's, a page's
canonical and alternate links) and the same-origin check of every unsafe request are built from
the request's scheme and ``Host``. This middleware, the outermost, sets those two once:

- With ``TIDINGS_BASE_URL``, they are the base URL's, whatever the request says.
- Else, from a peer in ``TIDINGS_TRUSTED_PROXIES`` (by default the loopback addresses, where a
  proxy on the same machine connects from), ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` are
  believed (the value the nearest proxy added: the last one), and ``X-Forwarded-For`` gives the
  client's address (the last one that is not a trusted proxy). From anyone else they are
  ignored: a visitor cannot make the site write links to another host.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from tidings.config import IPNetwork

_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _last(headers: dict[bytes, bytes], name: bytes) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    parts = [p.strip() for p in value.decode("latin-1").split(",") if p.strip()]
    return parts[-1] if parts else None


class ForwardedHeaders:
    """Pure ASGI middleware: the scheme, ``Host`` and client address visitors see."""

    def __init__(self, app: ASGIApp, trusted: Sequence[IPNetwork] = (), base_url: str = "") -> None:
        self.app = app
        self.trusted = tuple(trusted)
        self.base: tuple[str, bytes] | None = None
        if base_url:
            parts = urlsplit(base_url)
            self.base = (parts.scheme, parts.netloc.encode("ascii"))

    def _trusts(self, host: str | None) -> bool:
        address = _address(host) if host else None
        return address is not None and any(address in net for net in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = self._rewritten(scope)
        await self.app(scope, receive, send)

    def _rewritten(self, scope: Scope) -> Scope:
        client = scope.get("client")
        trusted = self._trusts(client[0] if client else None)
        if self.base is None and not trusted:
            return scope
        headers = dict(scope["headers"])  # the last of a repeated header: only the proxy's
        scheme, host = scope["scheme"], headers.get(b"host")
        if trusted:
            proto = (_last(headers, b"x-forwarded-proto") or "").lower()
            if proto in ("http", "https"):
                scheme = proto
            forwarded_host = _last(headers, b"x-forwarded-host")
            if forwarded_host and _HOST.fullmatch(forwarded_host):
                host = forwarded_host.encode("ascii")
            client = self._client(headers, client)
        if self.base is not None:
            scheme, host = self.base
        if scope["type"] == "websocket":
            scheme = {"http": "ws", "https": "wss"}.get(scheme, scheme)
        kept = [(k, v) for k, v in scope["headers"] if k != b"host"]
        if host is not None:
            kept.append((b"host", host))
        return {**scope, "scheme": scheme, "headers": kept, "client": client}

    def _client(
        self, headers: dict[bytes, bytes], client: tuple[str, int] | None
    ) -> tuple[str, int] | None:
        """The last address of X-Forwarded-For that is not a trusted proxy."""
        chain = headers.get(b"x-forwarded-for", b"").decode("latin-1").split(",")
        for hop in reversed([h.strip() for h in chain if h.strip()]):
            address = _address(hop)
            if address is None:
                return client
            if not any(address in net for net in self.trusted):
                return (str(address), 0)
        return client
