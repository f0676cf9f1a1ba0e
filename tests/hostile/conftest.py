"""Fixtures for the hostile suite: canary listeners (O-NOCONN) and an audit of opened files."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.fetch.conftest import free_port, make_client, serve, serve_raw  # noqa: F401


@dataclass
class Canary:
    """A listener on loopback that must never be connected to."""

    host: str
    port: int
    connections: int = 0
    _sock: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str = "/") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"


def _listen(canary: Canary, family: socket.AddressFamily) -> None:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((canary.host, 0))
    sock.listen(16)
    sock.settimeout(0.05)
    canary.port = sock.getsockname()[1]
    canary._sock = sock

    def accept() -> None:
        while not canary._stop.is_set():
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            canary.connections += 1
            conn.close()

    threading.Thread(target=accept, daemon=True).start()


@pytest.fixture
def tripwire() -> Iterator[Canary]:
    """A canary on 127.0.0.1 in its own thread: it counts connections from any event loop."""
    trip = Canary("127.0.0.1", 0)
    _listen(trip, socket.AF_INET)
    yield trip
    trip._stop.set()
    assert trip._sock is not None
    trip._sock.close()


@pytest.fixture
def tripwire6() -> Iterator[Canary]:
    """The same on ::1 (skipped where the machine has no IPv6 loopback)."""
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    trip = Canary("::1", 0)
    try:
        _listen(trip, socket.AF_INET6)
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback: {exc}")
    yield trip
    trip._stop.set()
    assert trip._sock is not None
    trip._sock.close()


class FileAudit:
    """Records every file the process opens while armed (``sys.addaudithook`` 'open' events)."""

    def __init__(self) -> None:
        self.armed = False
        self.opened: list[str] = []

    def hook(self, event: str, args: tuple[object, ...]) -> None:
        if self.armed and event == "open" and args and isinstance(args[0], str | bytes):
            self.opened.append(str(args[0]))

    def touched(self, *needles: str) -> list[str]:
        return [p for p in self.opened if any(n in p for n in needles)]


_AUDIT = FileAudit()
sys.addaudithook(_AUDIT.hook)  # audit hooks cannot be removed: one for the whole session


@pytest.fixture
def file_audit() -> Iterator[FileAudit]:
    _AUDIT.opened.clear()
    _AUDIT.armed = True
    yield _AUDIT
    _AUDIT.armed = False
