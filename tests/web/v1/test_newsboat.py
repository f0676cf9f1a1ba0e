"""Debian's newsboat in its ``miniflux`` url-source mode against a real ``tidings serve``: its
unread count equals the server's after a reload, a mark made through the API reaches it on the
next reload, and an article read in its interface (driven through a pseudo-terminal) is read on
the server. Newsboat 2.21 speaks HTTP Basic only, with the API password."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import termios
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.shared import in_ci
from tests.web.v1.served import API_PASSWORD, Served, served

NEWSBOAT = shutil.which("newsboat")
MISSING = "newsboat is not installed (apt-get install newsboat)"
if NEWSBOAT is None and in_ci():
    raise RuntimeError(f"the newsboat tests must run under CI, but {MISSING}")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(NEWSBOAT is None, reason=MISSING)]


class Newsboat:
    """One newsboat installation of its own (config, urls, cache and home in ``folder``)."""

    def __init__(self, folder: Path, site: Served, name: str) -> None:
        folder.mkdir()
        self.folder = folder
        # no trailing slash: newsboat appends "/v1/..." to the address as it is written
        (folder / "config").write_text(
            f'urls-source "miniflux"\nminiflux-url "{site.base}"\n'
            f'miniflux-login "{name}"\nminiflux-password "{API_PASSWORD}"\n'
        )
        (folder / "urls").write_text("")
        self.env = {
            **os.environ,
            "HOME": str(folder),
            "XDG_CONFIG_HOME": str(folder / "config.d"),
            "XDG_DATA_HOME": str(folder / "data.d"),
            "TERM": "xterm",
            "LANG": "C.UTF-8",
        }
        self.command = [
            NEWSBOAT or "newsboat",
            f"--log-file={folder / 'log.txt'}",
            "--log-level=6",
            "-C", str(folder / "config"),
            "-u", str(folder / "urls"),
            "-c", str(folder / "cache.db"),
        ]  # fmt: skip

    def unread_after_reload(self) -> int:
        """``newsboat -x reload print-unread``: what it counts as unread after syncing."""
        done = subprocess.run(
            [*self.command, "-x", "reload", "print-unread"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        found = re.search(r"(\d+) unread articles", done.stdout)
        assert found, done.stdout
        return int(found.group(1))

    def read_first_article(self) -> None:
        """In its interface: open the first feed, then its first article (which marks it read,
        on the server too), and quit."""
        screen = Terminal(self.command, self.env)
        try:
            assert screen.wait_for(b"unread"), "no feed list"
            screen.press(b"\r")
            assert screen.wait_for(b" 0"), "no article list"
            screen.press(b"\r")
            assert screen.wait_for(b"Item 0 of"), "no article"
            screen.drain(1.0)  # it sends the mark from a thread of its own
            for _ in range(3):  # the article, the feed, newsboat
                screen.press(b"q")
                screen.drain(0.5)
        finally:
            screen.close()
        log = (self.folder / "log.txt").read_text(errors="replace")
        assert '"status":"read"' in log, "newsboat sent no mark"


class Terminal:
    """A program on a pseudo-terminal of 30 lines by 100 columns: keys in, screen bytes out."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.proc = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.screen = bytearray()

    def wait_for(self, text: bytes, seconds: float = 20.0) -> bool:
        """Read the screen until ``text`` shows among the new bytes (bounded by ``seconds``)."""
        start, end = len(self.screen), time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.screen.extend(os.read(self.master, 65536))
                except OSError:  # the program ended
                    return False
            if text in self.screen[start:]:
                return True
        return False

    def drain(self, seconds: float) -> None:
        """Read the screen for ``seconds``, whatever it shows."""
        self.wait_for(b"\x00never", seconds)

    def press(self, key: bytes) -> None:
        os.write(self.master, key)

    def close(self) -> None:
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self.master)


def api(site: Served, key: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        site.base + path,
        data=data,
        method=method,
        headers={"X-Auth-Token": key, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Served, str]]:
    with served(tmp_path) as running:
        feeds = {"/harbour.xml": ("Harbour", 4, "Work"), "/weather.xml": ("Weather", 3, None)}
        yield running, running.reader("nell", feeds)


def test_newsboat_counts_what_the_server_counts_and_marks_through_it(
    site: tuple[Served, str], tmp_path: Path
) -> None:
    served_site, key = site
    newsboat = Newsboat(tmp_path / "newsboat", served_site, "nell")

    def server_unread() -> int:
        return int(api(served_site, key, "GET", "/v1/entries?status=unread&limit=1")["total"])

    assert newsboat.unread_after_reload() == server_unread() == 7
    # marked through the API: newsboat sees it on its next reload
    ids = api(served_site, key, "GET", "/v1/entries?order=id&limit=2")["entries"]
    api(served_site, key, "PUT", "/v1/entries",
        {"entry_ids": [e["id"] for e in ids], "status": "read"})  # fmt: skip
    assert newsboat.unread_after_reload() == server_unread() == 5
    # read in newsboat: the server has it read
    newsboat.read_first_article()
    assert server_unread() == 4
    read = api(served_site, key, "GET", "/v1/entries?status=read&limit=0")["entries"]
    assert len(read) == 3 and {e["title"] for e in read} > {e["title"] for e in ids}
    assert newsboat.unread_after_reload() == 4
