"""The command line end to end, as a new user runs it: a real process, file and server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import run_tidings
from tests.feedserver import FeedServer, Route
from tidings.store import migrate

# slow: the command line run in real processes (three tests over 5 s each, the others 2 to 3 s)
pytestmark = pytest.mark.slow

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Times</title>'
    b"<link>http://example.org/</link><description>All the news on 127.0.0.1</description>"
    b"<item><title>First story</title><link>http://example.org/1</link><guid>s1</guid>"
    b"<pubDate>Fri, 27 Nov 2026 10:00:00 +0000</pubDate><description>One</description></item>"
    b"<item><title>Second story</title><link>http://example.org/2</link><guid>s2</guid>"
    b"<pubDate>Thu, 26 Nov 2026 10:00:00 +0000</pubDate>"
    b'<enclosure url="http://example.org/2.mp3" type="audio/mpeg" length="42"/></item>'
    b"</channel></rss>"
)


def tidings(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_tidings(data, *args, stdin=stdin, COLUMNS="200")


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    srv = FeedServer().start()
    srv.routes["/times.xml"] = Route(RSS)
    srv.routes["/other.xml"] = Route(RSS.replace(b"Loopback Times", b"Other Times"))
    srv.routes["/home"] = Route(
        b'<html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/other.xml"></head></html>',
        content_type="text/html",
    )
    srv.routes["/nofeed"] = Route(b"<html><body>nothing</body></html>", content_type="text/html")
    srv.routes["/data.bin"] = Route(b"\x89PNG\r\n\x1a\n" + bytes(100), content_type="image/png")
    yield srv
    srv.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_new_user_scenario(tmp_path: Path, feeds: FeedServer) -> None:
    data = tmp_path / "data"
    added = tidings(data, "add", feeds.url("/times.xml"), "--category", "News", "--refresh", "30m")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "1\tLoopback Times"

    found = tidings(data, "add", feeds.url("/home"))
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "2\tOther Times"

    update = tidings(data, "update", "--all")
    assert update.returncode == 0, update.stderr
    assert "2 feeds: 0 new items, 0 changed, 2 not modified, 0 failed" in update.stdout

    listed = json.loads(tidings(data, "list", "--json").stdout)
    assert [f["title"] for f in listed] == ["Loopback Times", "Other Times"]
    first = listed[0]
    assert set(first) >= {
        "id",
        "title",
        "url",
        "site_url",
        "item_count",
        "last_checked",
        "last_success",
        "next_check",
        "error_count",
        "last_error",
        "disabled_reason",
        "categories",
    }
    assert first["item_count"] == 2 and first["categories"] == ["News"]
    assert first["error_count"] == 0 and first["last_error"] is None

    items = json.loads(tidings(data, "items", "--feed", "1", "--json").stdout)
    assert [i["title"] for i in items] == ["First story", "Second story"]
    assert items[1]["enclosures"] == [
        {"url": "http://example.org/2.mp3", "type": "audio/mpeg", "length": 42}
    ]
    assert set(items[0]) >= {
        "id",
        "feed_id",
        "feed_title",
        "title",
        "link",
        "guid",
        "author",
        "published",
        "updated",
        "first_seen",
        "summary_html",
        "content_html",
        "enclosures",
    }
    assert items[0]["published"].startswith("2026-11-27T10:00:00")
    human = tidings(data, "items", "--category", "News", "--limit", "1")
    assert "First story" in human.stdout and "Second story" not in human.stdout

    opml = tmp_path / "subs.opml"
    assert tidings(data, "export", "-o", str(opml)).returncode == 0
    fresh = tmp_path / "fresh"
    imported = tidings(fresh, "import", str(opml))
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 feeds" in imported.stdout
    again = tidings(fresh, "import", str(opml))
    assert "imported 0 feeds, skipped 2" in again.stdout
    assert again.stderr.count("warning") == 2
    assert "2 feeds: 4 new items" in tidings(fresh, "update").stdout
    fresh_list = json.loads(tidings(fresh, "list", "--json").stdout)
    assert {f["url"] for f in fresh_list} == {f["url"] for f in listed}
    assert next(f for f in fresh_list if f["title"] == "Loopback Times")["categories"] == ["News"]

    removed = tidings(data, "remove", feeds.url("/times.xml"))
    assert removed.returncode == 0 and "removed 1" in removed.stdout
    assert [f["id"] for f in json.loads(tidings(data, "list", "--json").stdout)] == [2]


def test_add_errors_are_one_line_and_store_nothing(tmp_path: Path, feeds: FeedServer) -> None:
    data = tmp_path / "data"
    assert tidings(data, "add", feeds.url("/times.xml")).returncode == 0
    cases = {
        feeds.url("/times.xml"): "already subscribed",
        feeds.url("/nofeed"): "no feed found",
        f"http://127.0.0.1:{free_port()}/feed.xml": "refused",
        feeds.url("/data.bin"): "not a feed",
        "ftp://example.org/feed": "http",
    }
    for url, message in cases.items():
        result = tidings(data, "add", url)
        assert result.returncode == 1, (url, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (url, result.stderr)
        assert lines[0].startswith("error:") and message in lines[0].lower(), (url, lines)
        assert "Traceback" not in result.stderr
    assert len(json.loads(tidings(data, "list", "--json").stdout)) == 1


def test_update_reports_failures_and_exits_zero(tmp_path: Path, feeds: FeedServer) -> None:
    data = tmp_path / "data"
    tidings(data, "add", feeds.url("/times.xml"))
    tidings(data, "add", feeds.url("/other.xml"))
    feeds.routes["/other.xml"] = Route(
        b"down for maintenance", status=503, content_type="text/plain"
    )
    result = tidings(data, "update", "--all")
    assert result.returncode == 0
    assert "1 failed" in result.stdout
    assert "failed 2 " in result.stdout and "503" in result.stdout
    listed = json.loads(tidings(data, "list", "--json").stdout)
    assert listed[1]["error_count"] == 1 and "503" in listed[1]["last_error"]


def test_bad_setting_fails_at_start_naming_it(tmp_path: Path) -> None:
    env = {**os.environ, "TIDINGS_DATA_DIR": str(tmp_path), "TIDINGS_PER_HOST_CONCURRENCY": "x"}
    result = subprocess.run(
        [sys.executable, "-m", "tidings.cli", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "TIDINGS_PER_HOST_CONCURRENCY" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_and_unknown_feed(tmp_path: Path) -> None:
    result = tidings(tmp_path, "db", "upgrade")
    assert result.returncode == 0
    assert f"revision {migrate.head_revision()}" in result.stdout
    missing = tidings(tmp_path, "remove", "42")
    assert missing.returncode == 1 and "no feed with id 42" in missing.stderr
