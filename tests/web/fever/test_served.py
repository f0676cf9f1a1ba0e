"""Fever through a real ``tidings serve`` on a loopback port, over feeds fetched from a loopback
feed server: the person and their subscriptions made with the command line, then Read You and
Fluent Reader sync, mark, and sync again after a fetch brings new items."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.cli.helpers import environment, run_tidings
from tests.feedserver import FeedServer, Route
from tests.web.fever.clients import Fluent, ReadYou
from tests.web.fever.helpers import API_PASSWORD, PASSWORD

pytestmark = pytest.mark.slow  # real server and command-line processes


def rss(title: str, names: list[str]) -> bytes:
    entries = "".join(
        f"<item><title>{name} &amp; more</title><link>http://example.org/{name}</link>"
        f"<guid>{name}</guid><description>&lt;p&gt;{name}&lt;/p&gt;</description>"
        f"<pubDate>Fri, 27 Nov 2026 {10 + n // 60:02d}:{n % 60:02d}:00 +0000</pubDate></item>"
        for n, name in enumerate(names)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://example.org/</link><description>News</description>{entries}"
        "</channel></rss>"
    ).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(data: Path, *args: str, stdin: str | None = None) -> str:
    done = run_tidings(data, *args, stdin=stdin, TIDINGS_SAMPLES="false")
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextlib.contextmanager
def serving(data: Path) -> Iterator[str]:
    """``tidings serve`` on a free loopback port, without the background scheduler."""
    port = free_port()
    log = data.parent / "serve.log"
    with log.open("wb") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tidings.cli", "serve", "--port", str(port), "--no-scheduler"],
            env={**os.environ, **environment(data), "TIDINGS_SAMPLES": "false"},
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def server_sets(http: httpx.Client, url: str, key: str) -> tuple[set[int], set[int], set[int]]:
    """Every item id, the unread ones and the saved ones, as the server lists them."""
    everything: set[int] = set()
    since = "0"
    for _ in range(20):
        page = http.post(f"{url}?api&items&since_id={since}", data={"api_key": key}).json()
        everything |= {i["id"] for i in page["items"]}
        if len(page["items"]) < 50:
            break
        since = str(page["items"][-1]["id"])
    lists = http.post(f"{url}?api&unread_item_ids&saved_item_ids", data={"api_key": key}).json()

    def ids(listed: str) -> set[int]:
        return {int(i) for i in listed.split(",")} if listed else set()

    return everything, ids(lists["unread_item_ids"]), ids(lists["saved_item_ids"])


def test_read_you_and_fluent_against_tidings_serve(tmp_path: Path, server: FeedServer) -> None:
    data = tmp_path / "data"
    world = [f"w{n}" for n in range(70)]
    server.routes["/world.xml"] = Route(rss("World Wire", world))
    server.routes["/harbour.xml"] = Route(rss("Harbour News", ["h1", "h2"]))
    cli(data, "user", "add", "ada", "--password-stdin", stdin=PASSWORD + "\n")
    cli(data, "user", "api-password", "ada", "--password-stdin", stdin=API_PASSWORD + "\n")
    cli(data, "--user", "ada", "subscribe", server.url("/world.xml"), "--folder", "World")
    cli(data, "--user", "ada", "subscribe", server.url("/harbour.xml"))
    with serving(data) as base, httpx.Client(timeout=10) as http:
        url = base + "/api/fever.php"
        phone = ReadYou.signed_in(http, url, "ada", API_PASSWORD)
        desktop = Fluent.signed_in(http, base + "/fever/", "ada", API_PASSWORD, now=time_now)
        assert phone.valid_credentials() and desktop.authenticate()
        phone.sync()
        desktop.sync()
        everything, unread, saved = server_sets(http, url, phone.key)
        assert len(everything) == 72 and unread == everything and saved == set()
        for app in (phone, desktop):
            assert set(app.articles) == everything and app.unread() == unread
        assert phone.groups and all(group in phone.groups for group in phone.feeds.values())
        # the phone reads and saves, the desktop reads one feed up to now
        first, second = sorted(everything)[:2]
        phone.mark_item(first, "read")
        phone.mark_item(second, "saved")
        harbour = next(f for f, title in desktop.sources.items() if title == "Harbour News")
        desktop.mark_all_read([harbour])
        # a fetch brings new items to World
        server.routes["/world.xml"] = Route(rss("World Wire", [*world, "w-new-1", "w-new-2"]))
        assert "0 failed" in cli(data, "update", "--all")
        phone.sync()
        desktop.sync()
        everything, unread, saved = server_sets(http, url, phone.key)
        assert len(everything) == 74 and saved == {second}
        assert first not in unread
        assert not {i for i, a in desktop.articles.items() if a.feed_id == harbour} & unread
        for app in (phone, desktop):
            assert set(app.articles) == everything
            assert app.unread() == unread
            assert app.starred() == saved
        envelope = http.post(url + "?api", data={"api_key": phone.key}).json()
        assert envelope["auth"] == 1 and envelope["last_refreshed_on_time"] > 0


def time_now() -> datetime:
    return datetime.now(UTC)
