"""A real HTTP server on loopback for integration tests: static feeds, validators, scripts.

It runs in a thread so that both async tests and subprocess (CLI) tests can use it, and it records
every request so that tests can check what tidings actually sent.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/xml"
    headers: dict[str, str] = field(default_factory=dict)
    validators: bool = True  # send ETag / Last-Modified and answer 304 to them
    gzip: bool = False
    delay: float = 0.0  # seconds before answering


Handler = Callable[["RequestRecord"], Route]


@dataclass(frozen=True)
class RequestRecord:
    path: str
    headers: dict[str, str]
    at: float


class FeedServer:
    """Serve routes (exact paths) and a directory on a loopback address, on a free port.

    ``active`` / ``max_active`` count the requests being answered at once, measured here at the
    server, so tests can check the client's per-host cap from the other side.
    """

    def __init__(self, directory: Path | None = None, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route | Handler] = {}
        self.directory = directory
        self.host = host
        self.requests: list[RequestRecord] = []
        self.stamps: dict[str, str] = {}  # ETag -> Last-Modified, fixed when first served
        self.active = 0
        self.max_active = 0
        self.spans: list[tuple[float, float]] = []  # (start, end) of each answered request
        self._count_lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                # headers and body go out in two writes: without this, Nagle's algorithm and
                # the client's delayed ACK hold every response for 40 ms
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                with server._count_lock:
                    server.active += 1
                    server.max_active = max(server.max_active, server.active)
                started = time.monotonic()
                try:
                    self._get()
                finally:
                    with server._count_lock:
                        server.active -= 1
                        server.spans.append((started, time.monotonic()))

            def _get(self) -> None:
                record = RequestRecord(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()
                )
                server.requests.append(record)
                route = server.resolve(record)
                if route is None:
                    self._send(404, {"Content-Type": "text/plain"}, b"not found")
                    return
                if route.delay:
                    time.sleep(route.delay)
                headers = {"Content-Type": route.content_type, **route.headers}
                body = route.body
                if route.validators and route.status == 200:
                    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                    headers.setdefault("ETag", etag)
                    stamp = server.stamps.setdefault(etag, formatdate(usegmt=True))
                    headers.setdefault("Last-Modified", stamp)
                    # as real servers do: If-None-Match wins; If-Modified-Since only without it
                    inm = record.headers.get("if-none-match")
                    if inm is not None:
                        fresh = inm == headers["ETag"]
                    else:
                        fresh = record.headers.get("if-modified-since") == headers["Last-Modified"]
                    if fresh:
                        self._send(304, {"ETag": headers["ETag"]}, b"")
                        return
                if route.gzip:
                    body = gzip.compress(body)
                    headers["Content-Encoding"] = "gzip"
                self._send(route.status, headers, body)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer((host, 0), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def resolve(self, record: RequestRecord) -> Route | None:
        path = record.path.split("?", 1)[0]
        route = self.routes.get(record.path) or self.routes.get(path)
        if callable(route):
            return route(record)
        if route is not None:
            return route
        if self.directory is not None:
            candidate = (self.directory / path.lstrip("/")).resolve()
            if candidate.is_file() and self.directory.resolve() in candidate.parents:
                ctype = "application/json" if candidate.suffix == ".json" else "application/xml"
                return Route(candidate.read_bytes(), content_type=ctype)
        return None

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def hits(self, path: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
