"""SIGKILL the scheduler mid-update, several times: nothing is lost, duplicated or half-written.

A separate ``tidings run-scheduler`` process updates 300 loopback feeds on 10 hosts, every feed
due again each second, each document a little longer at every request. It is killed at random
moments (the seed is printed); after each kill the database must pass SQLite's integrity and
foreign-key checks, keep every item it had before, hold no duplicate, and be consistent feed by
feed: the items of a feed are exactly the items its fetch log says were added, and the feed row
was written with them. The next run starts from the stored state; at the end one
``tidings update --all`` completes and every feed holds exactly the items of the last document it
was served.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.feedserver import FeedServer, RequestRecord, Route
from tidings.store.store import Store

HOSTS = 10
PER_HOST = 30
KILLS = 4


class GrowingFeeds:
    """Feed ``n`` answers with items 0 .. 10 + 3 v - 1 at its v-th request: always a bit more."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: dict[str, int] = {}  # path -> requests so far
        self.served: dict[str, int] = {}  # path -> number of items in the last document

    def __call__(self, record: RequestRecord) -> Route:
        with self.lock:
            version = self.requests.get(record.path, 0)
            self.requests[record.path] = version + 1
            size = 10 + 3 * version
            self.served[record.path] = size
        name = record.path.strip("/").removesuffix(".xml")
        items = "".join(
            f"<item><guid>{name}-{k}</guid><title>Item {k} of {name}</title>"
            f"<description>Number {k}</description></item>"
            for k in range(size)
        )
        body = (
            '<?xml version="1.0"?><rss version="2.0"><channel>'
            f"<title>{name}</title><link>http://example.org/</link>{items}</channel></rss>"
        )
        return Route(body.encode(), delay=0.03)  # so that there are always fetches in flight


@pytest.fixture
def farm() -> Iterator[tuple[list[FeedServer], GrowingFeeds]]:
    feeds = GrowingFeeds()
    servers = [FeedServer(host=f"127.0.3.{h + 1}").start() for h in range(HOSTS)]
    for h, srv in enumerate(servers):
        for n in range(PER_HOST):
            srv.routes[f"/h{h}f{n}.xml"] = feeds
    yield servers, feeds
    for srv in servers:
        srv.stop()


def snapshot(db: Path) -> dict[int, set[str]]:
    """Check the database whole and feed by feed; return each feed's item guids."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        duplicates = conn.execute(
            "SELECT feed_id, guid, count(*) FROM items GROUP BY feed_id, guid HAVING count(*) > 1"
        ).fetchall()
        assert duplicates == [], duplicates
        items: dict[int, set[str]] = {}
        for feed_id, guid in conn.execute("SELECT feed_id, guid FROM items"):
            items.setdefault(feed_id, set()).add(guid)
        logged = dict(
            conn.execute("SELECT feed_id, coalesce(sum(new_items), 0) FROM fetch_log GROUP BY 1")
        )
        rows = conn.execute(
            "SELECT id, last_checked, last_success, etag, body_hash, "
            "(SELECT max(at) FROM fetch_log l WHERE l.feed_id = feeds.id) FROM feeds"
        ).fetchall()
    finally:
        conn.close()
    for feed_id, checked, success, etag, body, last_logged in rows:
        count = len(items.get(feed_id, ()))
        # items, fetch log and feed row are one transaction: all of it is there, or none
        assert logged.get(feed_id, 0) == count, (feed_id, logged.get(feed_id), count)
        assert checked == last_logged, (feed_id, checked, last_logged)
        assert (success is None) == (etag is None) == (body is None), feed_id
        assert (count == 0) == (success is None), (feed_id, count, success)
    return items


def run_cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tidings.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(
    tmp_path: Path, farm: tuple[list[FeedServer], GrowingFeeds]
) -> None:
    servers, feeds = farm
    started = time.monotonic()
    data = tmp_path / "data"
    db = data / "tidings.db"
    store = Store.open(f"sqlite:///{db}")
    now = datetime.now(UTC)
    for h, srv in enumerate(servers):
        for n in range(PER_HOST):
            store.add_feed(srv.url(f"/h{h}f{n}.xml"), now=now, refresh_seconds=1)
    store.close()
    env = {
        **os.environ,
        "TIDINGS_DATA_DIR": str(data),
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_MIN_REFRESH": "1s",
        "TIDINGS_DEFAULT_REFRESH": "1s",
        "TIDINGS_READ_TIMEOUT": "10",
        # more in flight at any moment, so that a kill nearly always cuts updates short
        "TIDINGS_PER_HOST_CONCURRENCY": "4",
    }
    seed = int.from_bytes(os.urandom(4), "big")
    print(f"kill test seed {seed}")
    rng = random.Random(seed)
    before: dict[int, set[str]] = {}
    interrupted = 0  # requests answered whose update the kill cut short
    logged_before = 0
    for kill in range(KILLS):
        served_before = sum(len(s.requests) for s in servers)
        proc = run_cli(env, "run-scheduler", "--idle", "0.2")
        try:
            deadline = time.monotonic() + 20
            # a random moment in the thick of its work, counted in requests answered: a cycle
            # of 300 feeds is over in well under a second, so a moment in time could miss it
            target = served_before + rng.randint(20, 200)
            while sum(len(s.requests) for s in servers) < target:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "the scheduler made no progress"
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.05))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stderr is not None:
                proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        after = snapshot(db)
        for feed_id, guids in before.items():
            assert guids <= after.get(feed_id, set()), f"feed {feed_id} lost items"
        served = sum(len(s.requests) for s in servers) - served_before
        conn = sqlite3.connect(db)
        logged_now = conn.execute("SELECT count(*) FROM fetch_log").fetchone()[0]
        conn.close()
        logged, logged_before = logged_now - logged_before, logged_now
        interrupted += served - logged
        print(
            f"kill {kill + 1}: {served} requests answered, {logged} updates committed, "
            f"{served - logged} cut short; {sum(map(len, after.values()))} items stored"
        )
        before = after
    # the next update completes, from whatever the kills left
    final = subprocess.run(
        [sys.executable, "-m", "tidings.cli", "update", "--all"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert final.returncode == 0, final.stderr
    assert f"{HOSTS * PER_HOST} feeds" in final.stdout and "0 failed" in final.stdout
    items = snapshot(db)
    for feed_id, guids in before.items():
        assert guids <= items[feed_id]
    conn = sqlite3.connect(db)
    urls = dict(conn.execute("SELECT id, url FROM feeds"))
    conn.close()
    for feed_id, url in urls.items():
        path = "/" + url.split("/", 3)[3]
        name = path.strip("/").removesuffix(".xml")
        expected = {f"{name}-{k}" for k in range(feeds.served[path])}
        assert items[feed_id] == expected, feed_id
    took = time.monotonic() - started
    print(f"kill test: {KILLS} kills, {len(urls)} feeds, {took:.1f} s")
    assert interrupted > 0


def test_the_check_sees_a_half_written_feed(tmp_path: Path) -> None:
    """The invariants above are not vacuous: items written without their feed row fail them."""
    db = tmp_path / "tidings.db"
    store = Store.open(f"sqlite:///{db}")
    fid = store.add_feed("http://127.0.0.1/f.xml", now=datetime.now(UTC))
    store.close()
    assert snapshot(db) == {}
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO items (feed_id, identity_hash, content_hash, guid, first_seen, sort_date)"
            " VALUES (?, 'i', 'c', 'g', '2026-11-28 12:00:00', '2026-11-28 12:00:00')",
            (fid,),
        )
    conn.close()
    with pytest.raises(AssertionError):
        snapshot(db)
