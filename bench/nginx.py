"""nginx as the farm's static server: its own config in a temporary folder, never the system one.

One server block listens on every farm address (127.0.1.x, loopback only) and serves the farm's
document root with ETag and Last-Modified (nginx's defaults for static files). The access log
records status and body bytes per request, so each run can count what it really transferred.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CONF = """\
{user}worker_processes 1;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
worker_rlimit_nofile 65536;
events {{ worker_connections 8192; }}
http {{
    types {{
        application/rss+xml rss;
        application/atom+xml atom;
        application/rdf+xml rdf;
        application/feed+json json;
    }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types application/rss+xml application/atom+xml application/rdf+xml
                  application/feed+json;
    log_format bench '$status $body_bytes_sent $remote_addr';
    access_log {tmp}/access.log bench;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    gzip off;
    etag on;
    if_modified_since exact;
    open_file_cache off;
    server {{
{listens}
        server_name _;
        root {root};
        location / {{ try_files $uri =404; }}
    }}
}}
"""


@dataclass(frozen=True, slots=True)
class Traffic:
    """What nginx served between two marks of its access log."""

    requests: int
    body_bytes: int
    statuses: dict[int, int]

    def count(self, status: int) -> int:
        return self.statuses.get(status, 0)


class Nginx:
    def __init__(self, tmp: Path, proc: subprocess.Popen[bytes]) -> None:
        self.tmp = tmp
        self.proc = proc
        self._mark = 0

    @property
    def access_log(self) -> Path:
        return self.tmp / "access.log"

    def mark(self) -> None:
        """Start counting traffic from here."""
        self._mark = self.access_log.stat().st_size if self.access_log.exists() else 0

    def traffic(self) -> Traffic:
        """Requests since the last mark (nginx writes each line unbuffered, as it answers)."""
        with self.access_log.open("rb") as f:
            f.seek(self._mark)
            data = f.read()
        statuses: Counter[int] = Counter()
        body = 0
        for line in data.splitlines():
            status, sent, _addr = line.split(b" ", 2)
            statuses[int(status)] += 1
            body += int(sent)
        return Traffic(sum(statuses.values()), body, dict(statuses))


def version() -> str:
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    out = subprocess.run([exe, "-v"], capture_output=True, text=True, check=False)
    return (out.stderr or out.stdout).strip().removeprefix("nginx version: ")


def find() -> str:
    for path in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if path and os.access(path, os.X_OK):
            return path
    raise SystemExit(
        "bench: nginx is missing; install Debian's package: apt-get update && "
        "apt-get install -y nginx wrk"
    )


def _wait_listening(addresses: list[str], port: int, deadline: float) -> None:
    for host in addresses:
        while True:
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx is not listening on {host}:{port}") from None
                time.sleep(0.05)


@contextmanager
def serving(root: Path, addresses: list[str], port: int, tmp: Path) -> Iterator[Nginx]:
    """Run nginx in the foreground as our child for the duration of the block; stop it after."""
    exe = find()
    for a in addresses:
        if not a.startswith("127."):
            raise ValueError(f"loopback addresses only, not {a}")
    tmp.mkdir(parents=True, exist_ok=True)
    listens = "\n".join(f"        listen {a}:{port};" for a in addresses)
    # as root, the worker would drop to "nobody"; the farm is world-readable, so that is fine,
    # but its temp paths must be writable by it
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(CONF.format(user=user, tmp=tmp, root=root, listens=listens))
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / sub).mkdir(exist_ok=True)
    check = subprocess.run(
        [exe, "-t", "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx rejected its config: {check.stderr.strip()}")
    log = (tmp / "stderr.log").open("wb")
    proc = subprocess.Popen(
        [exe, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_listening(addresses, port, time.monotonic() + 15)
        server = Nginx(tmp, proc)
        server.mark()
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)  # graceful stop of the master and its worker
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()
