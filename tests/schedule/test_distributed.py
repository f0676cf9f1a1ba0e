"""Worker mode end to end: real 'tidings worker' processes, one PostgreSQL, a loopback host farm.

Each host of the farm is a server on its own 127.0.0.x address, which counts the requests it
is answering at once (the per-host cap, seen from the other side) and every request by path
(each due feed fetched exactly once per cycle). No dispatcher process runs: the workers'
periodic task and their dispatch after each batch are the whole scheduler.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.feedserver import FeedServer, RequestRecord, Route
from tests.pg import fresh_schema
from tests.update.test_pipeline import rss
from tidings.store.leases import LeasedStore
from tidings.store.schema import feeds, fetch_log, items
from tidings.store.store import Store
from tidings.types import Lease, UpdatePlan

pytestmark = pytest.mark.postgres

CAP = 2  # requests at once per host, across all workers
ITEMS = 3
DEADLINE = 40.0  # seconds before a test gives up waiting (a failure, never a pass)


@pytest.fixture
def pg_url(pg_database: str) -> str:
    fresh_schema(pg_database)
    return pg_database


class Farm:
    """Hosts 127.0.0.2, .3, ... each serving ``per_host`` feeds of ``ITEMS`` items."""

    def __init__(self, hosts: int, per_host: int, delay: float = 0.02) -> None:
        self.servers = [FeedServer(host=f"127.0.0.{2 + h}").start() for h in range(hosts)]
        self.urls: list[str] = []
        for h, server in enumerate(self.servers):
            for n in range(per_host):
                path = f"/h{h}f{n}.xml"
                titles = [f"h{h}f{n} item {i}" for i in range(ITEMS)]
                server.routes[path] = Route(rss(*titles), delay=delay)
                self.urls.append(server.url(path))

    def hits(self) -> Counter[str]:
        return Counter(f"{s.host}{r.path}" for s in self.servers for r in list(s.requests))

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def subscribe(url: str, urls: list[str]) -> Store:
    store = Store.open(url)
    now = datetime.now(UTC) - timedelta(minutes=1)
    for u in urls:
        store.add_feed(u, now=now)
    return store


def environment(url: str, data: Path, lease: int) -> dict[str, str]:
    return {
        **os.environ,
        "TIDINGS_DATA_DIR": str(data),
        "TIDINGS_DATABASE_URL": url,
        "TIDINGS_MODE": "workers",
        "TIDINGS_LEASE_SECONDS": str(lease),
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_PER_HOST_CONCURRENCY": str(CAP),
        "TIDINGS_PARSE_PROCESSES": "0",
        "TIDINGS_READ_TIMEOUT": "30",
    }


class Workers:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, n: int = 1) -> list[subprocess.Popen[bytes]]:
        started = []
        for _ in range(n):
            # the child keeps its own descriptor of the log; this process needs none
            with (self.logs / f"worker{len(self.procs)}.log").open("wb") as log:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "tidings.cli", "worker", "--concurrency", "2"],
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            self.procs.append(proc)
            started.append(proc)
        return started

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def output(self) -> str:
        return "\n".join(
            f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:]
            for p in sorted(self.logs.glob("worker*.log"))
        )


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[Workers]]:
    made: list[Workers] = []
    yield made
    for w in made:
        w.stop()


def wait_until_checked(store: Store, since: datetime, total: int, workers: Workers) -> None:
    """Until every feed was written at or after ``since`` and no lease is left."""
    end = time.monotonic() + DEADLINE
    while True:
        with store.engine.connect() as conn:
            done = conn.execute(
                select(func.count()).select_from(feeds).where(feeds.c.last_checked >= since)
            ).scalar()
            leased = conn.execute(
                select(func.count()).select_from(feeds).where(feeds.c.lease_token.is_not(None))
            ).scalar()
        if done == total and leased == 0:
            return
        if time.monotonic() > end:
            pytest.fail(f"{done} of {total} feeds updated, {leased} leased\n{workers.output()}")
        time.sleep(0.2)


def assert_items_exact(store: Store, total: int) -> None:
    with store.engine.connect() as conn:
        rows = conn.execute(select(items.c.feed_id, items.c.guid)).all()
    assert len(rows) == total * ITEMS
    assert len(set(rows)) == len(rows)  # no item twice
    assert Counter(fid for fid, _ in rows) == {fid: ITEMS for fid in store.feed_ids()}


def fetch_log_counts(store: Store) -> Counter[int]:
    with store.engine.connect() as conn:
        return Counter(conn.execute(select(fetch_log.c.feed_id)).scalars())


def jobs_doing(store: Store) -> list[tuple[object, ...]]:
    """The jobs procrastinate has as being run, with their workers."""
    with store.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT id, task_name, worker_id FROM procrastinate_jobs WHERE status = 'doing'"
                )
            )
        ]


def run_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tidings.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("count", [2, 4])
@pytest.mark.slow
def test_workers_fetch_every_due_feed_once_per_cycle_within_each_hosts_cap(
    count: int, pg_url: str, tmp_path: Path, workers: list[Workers]
) -> None:
    farm = Farm(hosts=8, per_host=30)  # 240 feeds
    store = subscribe(pg_url, farm.urls)
    total = len(farm.urls)
    env = environment(pg_url, tmp_path, lease=120)
    try:
        assert "job queue" in run_cli(env, "db", "upgrade")
        pool = Workers(env, tmp_path)
        workers.append(pool)
        cycle = datetime.now(UTC)
        pool.start(count)
        wait_until_checked(store, cycle, total, pool)
        assert set(farm.hits().values()) == {1}, "every due feed fetched exactly once"
        assert len(farm.hits()) == total

        # the next cycle, each feed fetched once more (a 304 now): with two workers "update
        # now" for every feed (it waits for the workers' results); with four, every feed made
        # due and one dispatch from the command line
        cycle = datetime.now(UTC)
        if count == 2:
            summary = run_cli(env, "update", "--all")
            assert f"{total} feeds: 0 new items, 0 changed, {total} not modified" in summary
        else:
            with store.engine.begin() as conn:
                conn.execute(feeds.update().values(next_check=cycle))
            assert "leased" in run_cli(env, "dispatch", "--once")
        wait_until_checked(store, cycle, total, pool)
        assert set(farm.hits().values()) == {2}

        assert_items_exact(store, total)
        assert set(fetch_log_counts(store).values()) == {2}  # one write per feed per cycle
        for server in farm.servers:
            assert 0 < server.max_active <= CAP, server.host  # the cap held across workers
    finally:
        store.close()
        farm.stop()


@pytest.mark.slow
def test_a_killed_worker_loses_nothing_and_its_late_write_is_refused(
    pg_url: str, tmp_path: Path, workers: list[Workers]
) -> None:
    farm = Farm(hosts=3, per_host=10)
    # two feeds of the first host hang on their first request: the worker dies inside them
    slow = [farm.urls[0], farm.urls[1]]
    hung: dict[str, int] = {}
    for url in slow:
        path = url.split(farm.servers[0].url(""), 1)[1]
        fast = farm.servers[0].routes[path]
        assert isinstance(fast, Route)

        def first_hangs(record: RequestRecord, fast: Route = fast) -> Route:
            hung[record.path] = hung.get(record.path, 0) + 1
            if hung[record.path] == 1:
                return Route(fast.body, delay=20.0)
            return fast

        farm.servers[0].routes[path] = first_hangs
    store = subscribe(pg_url, farm.urls)
    total = len(farm.urls)
    env = environment(pg_url, tmp_path, lease=2)
    try:
        run_cli(env, "db", "upgrade")
        pool = Workers(env, tmp_path)
        workers.append(pool)
        cycle = datetime.now(UTC)
        (doomed,) = pool.start(1)
        end = time.monotonic() + DEADLINE
        while len(hung) < len(slow):  # both slow feeds are being fetched by the worker
            assert time.monotonic() < end, pool.output()
            time.sleep(0.05)
        slow_ids = [store.find_feed(u).id for u in slow]  # type: ignore[union-attr]
        with store.engine.connect() as conn:
            tokens = dict(
                conn.execute(
                    select(feeds.c.id, feeds.c.lease_token).where(feeds.c.id.in_(slow_ids))
                ).all()
            )
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()

        pool.start(1)  # another worker takes the feeds over once the leases expire
        wait_until_checked(store, cycle, total, pool)

        assert sorted(hung.values()) == [2, 2]  # the killed fetch, then the one that counted
        assert all(n >= 1 for n in farm.hits().values())
        assert len(farm.hits()) == total  # nothing lost
        assert set(fetch_log_counts(store).values()) == {1}  # nothing written twice
        assert_items_exact(store, total)

        # the dead worker's write, had it come late, is refused: its token is not current
        late = LeasedStore(store.engine)
        fid = slow_ids[0]
        old = Lease(fid, str(tokens[fid]), "127.0.0.2")
        late.hold([old])
        now = datetime.now(UTC)
        assert late.apply(UpdatePlan(fid, now, now + timedelta(days=1), status=200)) is False
        assert late.stale == 1
        assert fetch_log_counts(store)[fid] == 1

        # the dead worker's job does not stay 'doing': the live worker retries it (its leases
        # are no longer current, so it fetches nothing) and it is gone like any finished job
        end = time.monotonic() + DEADLINE
        while jobs_doing(store):
            assert time.monotonic() < end, f"{jobs_doing(store)}\n{pool.output()}"
            time.sleep(0.2)
        assert sorted(hung.values()) == [2, 2]
        assert set(fetch_log_counts(store).values()) == {1}
    finally:
        store.close()
        farm.stop()
