"""The one guarded HTTP client every outbound request goes through.

Guarantees, whatever the URL or the server does: http/https only; the address actually dialled is
checked by the policy (literal hosts here, names in the resolver) at every redirect hop, because
redirects are followed here, one validated hop at a time; connect, read and total deadlines; a cap
on the body *after* decompression and on stacked encodings; no cookies, no proxies from the
environment; and only tidings' own errors come out (the library's chained as ``__cause__``).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import ssl
import time
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Final
from urllib.parse import urlencode

import aiohttp
from aiohttp.abc import AbstractResolver
from multidict import CIMultiDictProxy
from yarl import URL

from tidings.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeoutError,
    TooLargeError,
)
from tidings.fetch.content_coding import BodyDecoder, codings_left, content_codings
from tidings.fetch.guard import AddressPolicy, literal_ip
from tidings.fetch.resolver import GuardedResolver
from tidings.fetch.status import status_error
from tidings.types import FetchResult

FEED_ACCEPT: Final = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, */*;q=0.1"
)
# a web page, for the article of an item (full articles)
PAGE_ACCEPT: Final = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
# br: aiohttp decodes it with the brotli package (a dependency), content_coding a stacked one
ACCEPT_ENCODING: Final = "gzip, deflate, br"

_SCHEMES: Final = frozenset({"http", "https"})
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_CHUNK: Final = 64 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB" if size >= 1024 * 1024 else f"{size} bytes"


def _hop_url(raw: str | URL, *, base: URL | None = None) -> URL:
    """Parse (and for a redirect, resolve) one URL and refuse what we never fetch."""
    try:
        url = URL(raw) if isinstance(raw, str) else raw
        if base is not None:
            url = base.join(url)
    except (ValueError, TypeError) as exc:
        raise FetchError(
            f"invalid URL {str(raw)[:200]!r}: {exc}", kind="bad_url", permanent=True
        ) from exc
    scheme = url.scheme.lower()
    if scheme not in _SCHEMES:
        shown = f"{scheme!r}" if scheme else "none"
        raise FetchError(
            f"unsupported scheme {shown} in {str(url)[:200]!r}: only http and https are fetched",
            kind="bad_url",
            permanent=True,
        )
    if not url.raw_host:
        raise FetchError(f"URL without a host: {str(url)[:200]!r}", kind="bad_url", permanent=True)
    return url


def _summary(exc: BaseException) -> str:
    """One short line from a library error, without the response bytes it may quote."""
    text = exc.message if isinstance(exc, aiohttp.ClientResponseError) else str(exc)
    quoted = re.search(r"message='([^']*)'", text)
    if quoted:
        text = quoted.group(1)
    text = " ".join(text.split())
    text = re.sub(r"^\d{3}, message:\s*", "", text)
    text = re.split(r" b['\"]", text, maxsplit=1)[0].rstrip(" :")
    return text[:200] or type(exc).__name__


def _os_reason(error: OSError) -> str:
    if isinstance(error, socket.gaierror) or not error.errno:
        return error.strerror or _summary(error)
    return os.strerror(error.errno)


def _tls_reason(error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        return f"certificate verify failed: {error.verify_message}"
    text = str(error.strerror or error)
    return re.sub(r"^\[SSL: [A-Z_]+\] | \(_ssl\.c:\d+\)$", "", text)[:200]


def _lowered(headers: CIMultiDictProxy[str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


class FetchClient:
    """One pooled aiohttp session behind the address policy and the limits."""

    def __init__(
        self,
        *,
        policy: AddressPolicy,
        user_agent: str,
        connect_timeout: float = 10,
        read_timeout: float = 20,
        total_timeout: float = 60,
        max_bytes: int = 10 * 1024 * 1024,
        max_redirects: int = 5,
        per_host: int = 2,
        total_connections: int = 100,
        resolver: AbstractResolver | None = None,
    ) -> None:
        if _CONTROL.search(user_agent) or not user_agent.strip():
            raise ValueError("user_agent must be one non-empty line")
        for name, value in (
            ("connect_timeout", connect_timeout),
            ("read_timeout", read_timeout),
            ("total_timeout", total_timeout),
            ("max_bytes", max_bytes),
            ("per_host", per_host),
            ("total_connections", total_connections),
        ):
            if value <= 0:
                raise ValueError(f"{name} must be positive, not {value!r}")
        if max_redirects < 0:
            raise ValueError(f"max_redirects must not be negative, not {max_redirects!r}")
        self.policy = policy
        self.user_agent = user_agent
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.per_host = per_host
        self.total_connections = total_connections
        self._inner_resolver = resolver
        self._resolver: GuardedResolver | None = None
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    async def __aenter__(self) -> FetchClient:
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the pooled connections (and the resolver, unless it was given to us)."""
        self._closed = True
        session, self._session = self._session, None
        resolver, self._resolver = self._resolver, None
        if session is not None:
            await session.close()
        if resolver is not None:
            await resolver.close()

    def _open(self) -> aiohttp.ClientSession:
        """The session, made on first use: aiohttp needs a running event loop to build it."""
        if self._closed:
            raise RuntimeError("FetchClient is closed")
        if self._session is None:
            self._resolver = GuardedResolver(self.policy, self._inner_resolver)
            connector = aiohttp.TCPConnector(
                limit=self.total_connections,
                limit_per_host=self.per_host,
                resolver=self._resolver,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
                auto_decompress=True,
                timeout=aiohttp.ClientTimeout(
                    total=None,  # the whole fetch, all hops, is bounded in fetch() instead
                    sock_connect=self.connect_timeout,
                    sock_read=self.read_timeout,
                ),
            )
        return self._session

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        user_agent: str | None = None,
    ) -> FetchResult:
        """GET ``url`` (conditionally if validators are given) and return 200 or 304.

        ``user_agent`` replaces the client's own for this request (a feed's own User-Agent).

        Raises FetchError and its children only: BlockedAddressError, HTTPStatusError,
        TooLargeError, FetchTimeoutError, or FetchError with kind bad_url, redirects, dns, tls,
        connection, encoding or protocol.
        """
        if _CONTROL.search(accept):
            raise ValueError("accept must be one line")
        if user_agent is not None and (_CONTROL.search(user_agent) or not user_agent.strip()):
            raise ValueError("user_agent must be one non-empty line")
        started = time.monotonic()
        session = self._open()
        headers = {
            "User-Agent": user_agent or self.user_agent,
            "Accept": accept,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        # validators go back exactly as received; one that could split a header never came
        # from a real response, so it is dropped rather than sent
        if etag is not None and not _CONTROL.search(etag):
            headers["If-None-Match"] = etag
        if last_modified is not None and not _CONTROL.search(last_modified):
            headers["If-Modified-Since"] = last_modified
        return await self._guarded(session, url, headers, started, None)

    async def post_form(
        self, url: str, form: Mapping[str, str], *, user_agent: str | None = None
    ) -> FetchResult:
        """POST ``form`` urlencoded to ``url`` (a WebSub hub) under the same guard, deadlines
        and cap on the answer as ``fetch``; any 2xx is a success (``status`` says which).

        A 307 or 308 is followed with the same POST; any other redirect is refused (a 303
        would turn the request into a GET of a page nobody asked for).
        """
        if user_agent is not None and (_CONTROL.search(user_agent) or not user_agent.strip()):
            raise ValueError("user_agent must be one non-empty line")
        started = time.monotonic()
        headers = {
            "User-Agent": user_agent or self.user_agent,
            "Accept-Encoding": ACCEPT_ENCODING,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        body = urlencode(list(form.items())).encode("ascii")
        return await self._guarded(self._open(), url, headers, started, body)

    async def _guarded(
        self,
        session: aiohttp.ClientSession,
        url: str,
        headers: Mapping[str, str],
        started: float,
        form: bytes | None,
    ) -> FetchResult:
        try:
            async with asyncio.timeout(self.total_timeout):
                return await self._follow(session, url, headers, started, form)
        except FetchError:
            raise
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise self._translate(exc, url) from exc

    async def fetch_page(self, url: str, *, user_agent: str | None = None) -> FetchResult:
        """GET a web page (an item's, for its article) under every guarantee of ``fetch``."""
        return await self.fetch(url, accept=PAGE_ACCEPT, user_agent=user_agent)

    def _translate(self, exc: BaseException, url: str) -> FetchError:
        """The one FetchError for a library failure; isinstance order goes specific to general."""
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return FetchTimeoutError(f"connect timed out after {self.connect_timeout:g} s: {url}")
        if isinstance(exc, aiohttp.SocketTimeoutError):
            return FetchTimeoutError(f"no data for {self.read_timeout:g} s (read timeout): {url}")
        if isinstance(exc, TimeoutError):
            return FetchTimeoutError(
                f"not done within the {self.total_timeout:g} s total deadline: {url}"
            )
        if isinstance(exc, aiohttp.ClientConnectorDNSError):
            return FetchError(
                f"DNS lookup failed for {url}: {_os_reason(exc.os_error)}", kind="dns"
            )
        if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, ssl.SSLError):
            return FetchError(f"TLS failure for {url}: {_tls_reason(exc.os_error)}", kind="tls")
        if isinstance(exc, ssl.SSLError):
            return FetchError(f"TLS failure for {url}: {_tls_reason(exc)}", kind="tls")
        if isinstance(exc, aiohttp.ClientConnectorError):
            return FetchError(
                f"cannot connect to {url}: {_os_reason(exc.os_error)}", kind="connection"
            )
        if isinstance(exc, aiohttp.InvalidURL):
            return FetchError(
                f"invalid URL {url!r}: {_summary(exc)}", kind="bad_url", permanent=True
            )
        summary = _summary(exc)
        encoding = "content-encoding" in summary.lower()
        if isinstance(exc, aiohttp.ClientPayloadError):
            kind = "encoding" if encoding else "connection"
            return FetchError(f"broken response body from {url}: {summary}", kind=kind)
        if isinstance(exc, aiohttp.ClientResponseError):
            # a malformed answer: header too long, bad status line, undecodable encoding ...
            kind = "encoding" if encoding else "protocol"
            return FetchError(f"malformed response from {url}: {summary}", kind=kind)
        return FetchError(f"connection to {url} failed: {summary}", kind="connection")

    async def _follow(
        self,
        session: aiohttp.ClientSession,
        url: str,
        headers: Mapping[str, str],
        started: float,
        form: bytes | None = None,
    ) -> FetchResult:
        """GET (or with ``form``, POST) one hop at a time, each hop's address checked."""
        current = _hop_url(url)
        redirects: list[tuple[int, str]] = []
        while True:
            try:
                self._check_literal(current)
                resp = await (
                    session.get(current, headers=headers, allow_redirects=False)
                    if form is None
                    else session.post(current, headers=headers, data=form, allow_redirects=False)
                )
            except BlockedAddressError as exc:
                if not redirects:
                    raise
                raise BlockedAddressError(f"redirect {len(redirects)} to {current}: {exc}") from exc
            async with resp:
                status = resp.status
                location = resp.headers.get("Location") if status in _REDIRECTS else None
                if location is not None and form is not None and status not in (307, 308):
                    raise FetchError(
                        f"{url} answered a POST with a {status} redirect", kind="redirects"
                    )
                if location is not None:
                    if len(redirects) >= self.max_redirects:
                        raise FetchError(
                            f"too many redirects: more than {self.max_redirects} from {url}",
                            kind="redirects",
                        )
                    target = _hop_url(location, base=current)
                    redirects.append((status, str(target)))
                    current = target
                    continue
                if status == 304:
                    return self._result(url, current, redirects, 304, resp, b"", started)
                if 200 <= status < 300:
                    body = await self._read_body(resp)
                    answered = 200 if form is None else status
                    return self._result(url, current, redirects, answered, resp, body, started)
                raise status_error(
                    status,
                    resp.reason,
                    resp.headers.get("Retry-After"),
                    resp.headers.get("Date"),
                )

    def _check_literal(self, url: URL) -> None:
        """Judge an IP-literal host here: aiohttp dials those without asking the resolver."""
        host = url.raw_host or ""
        ip = literal_ip(host)
        if ip is None:
            if ":" in host:
                raise FetchError(
                    f"invalid IPv6 host in {str(url)[:200]!r}", kind="bad_url", permanent=True
                )
            return  # a name: the guarded resolver judges every address it resolves to
        port = url.port if url.port is not None else (443 if url.scheme == "https" else 80)
        self.policy.check(str(ip), port)

    async def _read_body(self, resp: aiohttp.ClientResponse) -> bytes:
        """The body after every content coding, refused as soon as it passes ``max_bytes``."""
        codings = content_codings(resp.headers.getall("Content-Encoding", ()))
        # a body that cannot be there (a 204) is aiohttp's EmptyStreamReader, without the count
        decoded_by_aiohttp = getattr(resp.content, "total_compressed_bytes", None) is not None
        left = codings_left(codings, decoded_by_aiohttp=decoded_by_aiohttp)
        declared = resp.content_length
        if declared is not None and declared > self.max_bytes:
            # compressed or not, a declared length over the cap is refused before reading
            raise TooLargeError(
                f"body of {declared} bytes is over the {_mib(self.max_bytes)} limit"
            )
        decoder = BodyDecoder(left)
        parts: list[bytes] = []
        size = 0

        def keep(pieces: Iterable[bytes]) -> None:
            nonlocal size
            for piece in pieces:
                size += len(piece)
                if size > self.max_bytes:
                    raise TooLargeError(
                        f"body is over the {_mib(self.max_bytes)} limit after decompression"
                    )
                parts.append(piece)

        async for chunk in resp.content.iter_chunked(_CHUNK):
            keep(decoder.feed(chunk))
        keep(decoder.finish())
        return b"".join(parts)

    @staticmethod
    def _result(
        url: str,
        final: URL,
        redirects: list[tuple[int, str]],
        status: int,
        resp: aiohttp.ClientResponse,
        body: bytes,
        started: float,
    ) -> FetchResult:
        return FetchResult(
            url=url,
            final_url=str(final) if redirects else url,
            status=status,
            headers=_lowered(resp.headers),
            body=body,
            elapsed=time.monotonic() - started,
            redirects=tuple(redirects),
        )
