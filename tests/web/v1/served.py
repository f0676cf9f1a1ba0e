"""A real ``tidings serve`` on a free loopback port, with real feeds from a loopback feed server,
and a reader set up through the command line (password, API password, API key, subscriptions):
what Miniflux's client library, newsboat and schemathesis talk to."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from tests.feedserver import FeedServer, Route

API_PASSWORD = "apps only password"
RSS = '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{title}</title>\
<link>https://{host}/</link>{items}</channel></rss>'
ITEM = "<item><title>{title} {n}</title><link>https://{host}/{n}</link><guid>{host}-{n}</guid>\
<pubDate>{date}</pubDate><description>&lt;p&gt;Item {n} of {title}&lt;/p&gt;</description></item>"


def rss(title: str, host: str, count: int) -> bytes:
    """A feed of ``count`` items, the newest first, an hour apart."""
    now = datetime.now(UTC).replace(microsecond=0)
    items = "".join(
        ITEM.format(
            title=title, host=host, n=n, date=format_datetime(now - timedelta(hours=n), True)
        )
        for n in range(count)
    )
    return RSS.format(title=title, host=host, items=items).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    base: str  # http://127.0.0.1:<port>
    data: Path
    feeds: FeedServer
    database_url: str | None = None  # None: SQLite in the data folder

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """A command of ``tidings`` on the served data folder; its standard output."""
        done = subprocess.run(
            [sys.executable, "-m", "tidings.cli", *args],
            env=environment(self.data, self.database_url),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"tidings {' '.join(args)}: {done.stderr}"
        return done.stdout

    def reader(self, name: str, feeds: dict[str, tuple[str, int, str | None]]) -> str:
        """A reader with the API password, following ``feeds`` (path: (title, items,
        folder)) served by the feed server; the secret of their new API key."""
        self.cli("user", "add", name, "--password-stdin", stdin="sign-in password 1\n")
        self.cli("user", "api-password", name, "--password-stdin", stdin=API_PASSWORD + "\n")
        for path, (title, count, folder) in feeds.items():
            self.feeds.routes[path] = Route(rss(title, path.strip("/").split(".")[0], count))
            where = ("--folder", folder) if folder else ()
            self.cli("--user", name, "subscribe", self.feeds.url(path), *where)
        return self.cli("user", "api-key", name, "--description", "tests").strip()


def environment(data: Path, database_url: str | None = None) -> dict[str, str]:
    database = {"TIDINGS_DATABASE_URL": database_url} if database_url else {}
    return {
        **os.environ,
        **database,
        "TIDINGS_DATA_DIR": str(data),
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_SAMPLES": "false",
        "TIDINGS_PARSE_PROCESSES": "0",
    }


@contextlib.contextmanager
def served(tmp: Path, database_url: str | None = None) -> Iterator[Served]:
    """The feed server and ``tidings serve`` (no scheduler: nothing changes unless asked),
    once it answers /healthz."""
    feeds = FeedServer().start()
    port = free_port()
    data = tmp / "data"
    site = Served(f"http://127.0.0.1:{port}", data, feeds, database_url)
    site.cli("db", "upgrade")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--no-scheduler"],
        env=environment(data, database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):  # bounded wait for the server to listen
            try:
                urllib.request.urlopen(site.base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield site
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        feeds.stop()
