"""The listening socket of ``tidings serve``: bound before anything starts, so that a port in
use is one line of error, not a server that starts its scheduler and then fails."""

from __future__ import annotations

import errno
import socket
from typing import Any

from tidings.cli.common import fail
from tidings.i18n import N_
from tidings.i18n import gettext as _

CANNOT_LISTEN = N_("cannot listen on %(host)s port %(port)s: %(error)s")


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (uvicorn listens on it); a one-line error else."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said outright: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # connections whose socket says it is TCP; with Nagle on, every answer written in two parts
    # (headers, then body) waited ~40 ms for the client's delayed acknowledgement
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise fail(
                _(
                    "port %(port)s on %(host)s is in use "
                    "(choose another with --port, or make run PORT=...)"
                )
                % {"port": port, "host": host}
            ) from None
        error = exc.strerror or exc
        raise fail(_(CANNOT_LISTEN) % {"host": host, "port": port, "error": error}) from None
    except (OverflowError, UnicodeError) as exc:  # an address that is no address
        sock.close()
        raise fail(_(CANNOT_LISTEN) % {"host": host, "port": port, "error": exc}) from None
    return sock


def serve_on(sock: socket.socket, application: Any) -> None:
    """Serve ``application`` on the bound socket until Ctrl-C or SIGTERM."""
    import uvicorn

    # the forwarded headers are web/proxy.py's to judge (TIDINGS_TRUSTED_PROXIES), not uvicorn's
    config = uvicorn.Config(application, log_level="info", access_log=False, proxy_headers=False)
    with sock:
        uvicorn.Server(config).run(sockets=[sock])
