"""The scheduling commands as a person runs them: health, enable, list --json, run-scheduler."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_scenarios import RSS, tidings
from tests.feedserver import FeedServer, Route

# slow: real scheduler processes (about 20 s and 5 s)
pytestmark = pytest.mark.slow


def test_health_enable_and_the_list_after_an_adopted_redirect(
    tmp_path: Path, server: FeedServer
) -> None:
    data = tmp_path / "data"
    server.routes["/old.xml"] = Route(RSS)
    server.routes["/new.xml"] = Route(RSS)
    server.routes["/gone.xml"] = Route(RSS.replace(b"Loopback Times", b"Gone Times"))
    assert tidings(data, "add", server.url("/old.xml")).returncode == 0
    assert tidings(data, "add", server.url("/gone.xml")).returncode == 0
    assert "every feed is healthy" in tidings(data, "health").stdout
    assert json.loads(tidings(data, "health", "--json").stdout) == []

    server.routes["/old.xml"] = Route(status=301, headers={"Location": "/new.xml"})
    server.routes["/gone.xml"] = Route(b"", status=410)
    for _ in range(3):  # named feeds are fetched whether due or not, unless disabled
        assert tidings(data, "update", "1", "2").returncode == 0
    assert len(server.hits("/gone.xml")) == 2  # the add and the 410: then never again
    assert "disabled (HTTP 410 Gone" in tidings(data, "update", "2").stdout

    listed = {f["id"]: f for f in json.loads(tidings(data, "list", "--json").stdout)}
    assert listed[1]["url"] == server.url("/new.xml")  # adopted on the third 301
    assert listed[1]["error_count"] == 0 and listed[1]["next_check"]
    gone = listed[2]
    assert "410" in gone["disabled_reason"] and gone["error_count"] == 1
    assert "410" in gone["last_error"] and gone["error_since"] and gone["next_check"]

    (report,) = json.loads(tidings(data, "health", "--json").stdout)
    assert report["id"] == 2 and report["state"] == "disabled"
    assert "410 Gone" in report["reason"] and report["error_count"] == 1
    assert report["since"] and report["next_check"] is None
    table = tidings(data, "health").stdout
    assert "disabled" in table and "410 Gone" in table and "when enabled" in table

    server.routes["/gone.xml"] = Route(RSS)
    enabled = tidings(data, "enable", "2")
    assert enabled.returncode == 0 and enabled.stdout.startswith("enabled 2\t")
    assert "1 feed: 0 new items" in tidings(data, "update").stdout  # due at once
    assert json.loads(tidings(data, "health", "--json").stdout) == []
    missing = tidings(data, "enable", "99")
    assert missing.returncode == 1 and "no feed with id 99" in missing.stderr


def test_run_scheduler_stops_cleanly_on_sigterm(tmp_path: Path, server: FeedServer) -> None:
    data = tmp_path / "data"
    server.routes["/fast.xml"] = Route(RSS)
    server.routes["/slow.xml"] = Route(RSS.replace(b"s1", b"slow-1"), delay=8)
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        f'<outline xmlUrl="{server.url("/fast.xml")}"/>'
        f'<outline xmlUrl="{server.url("/slow.xml")}"/></body></opml>'
    )
    assert tidings(data, "import", str(opml)).returncode == 0
    env = {
        **os.environ,
        "TIDINGS_DATA_DIR": str(data),
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_READ_TIMEOUT": "30",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings.cli", "run-scheduler", "--grace", "0.3", "--idle", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not server.hits("/slow.xml") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.hits("/slow.xml"), "the scheduler never asked for the slow feed"
        time.sleep(0.3)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr
    assert took < 5, took  # the grace, not the 8 s answer
    assert "scheduler stopped" in stderr and "Traceback" not in stderr
    fast_line = next(line for line in stderr.splitlines() if "/fast.xml" in line)
    assert "feed_id=1 " in fast_line and "outcome=ok" in fast_line and "new=2" in fast_line
    listed = {f["id"]: f for f in json.loads(tidings(data, "list", "--json").stdout)}
    assert listed[1]["item_count"] == 2 and listed[1]["last_checked"]
    assert listed[2]["item_count"] == 0 and listed[2]["last_checked"] is None  # abandoned whole
