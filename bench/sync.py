"""Sync: a person's app syncing through each protocol, over HTTP, against ``tidings serve``.

One SQLite database holds one person following ``feeds`` feeds in ten folders, ``items`` items
in all (each with a few paragraphs of HTML, as real feeds have). ``tidings serve`` runs in its own
process on loopback, without its scheduler, and a client in this process speaks each protocol as
the apps do (bench/syncclients.py): a full first sync (every item's content, the unread and
starred sets), then an incremental sync after 100 changes (new items arriving, and items read and
starred on another device). Each sync is timed end to end, HTTP included; every loop is bounded.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from bench.common import ROOT

if TYPE_CHECKING:
    from bench.report import Context

NAME, PASSWORD = "reader", "bench api password"
NEW_ITEMS, NEW_MARKS = 60, 40  # the 100 changes of an incremental sync
FULL_TARGET_MS, INCREMENTAL_TARGET_MS = 1000.0, 50.0
START_DEADLINE_S = 60.0
TIDINGS = str(ROOT / ".venv" / "bin" / "tidings")
PARAGRAPH = (
    '<p>The harbour authority said on {day} that the <a href="https://example.org/{n}">new '
    "ferry timetable</a> would add {n} crossings a week, and that the older boats would be kept "
    "as reserves while the quay is rebuilt. Residents asked for <em>earlier</em> sailings.</p>"
)


def log(msg: str) -> None:
    print(f"[sync] {msg}", file=sys.stderr, flush=True)


@dataclass(slots=True)
class Timed:
    """One kind of sync of one protocol, repeated."""

    ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)  # CPU time of the server process
    requests: int = 0
    bytes: int = 0
    items: int = 0  # contents received
    unread: int = 0  # the client's unread set after the sync
    starred: int = 0

    @property
    def p50(self) -> float:
        return statistics.median(self.ms) if self.ms else 0.0

    @property
    def server_p50(self) -> float:
        return statistics.median(self.server_ms) if self.server_ms else 0.0


@dataclass(slots=True)
class SyncResult:
    protocol: str
    full: Timed
    incremental: Timed
    agrees: bool  # the client's unread and starred sets equal the server's after each sync


@dataclass(slots=True)
class SyncResults:
    items: int
    feeds: int
    rounds: int
    load_s: float
    results: list[SyncResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def load(data: Path, items: int, feeds: int, rng: random.Random) -> None:
    """The database: one person, ``feeds`` feeds in ten folders, ``items`` items over 30 days."""
    from tidings.config import Settings
    from tidings.core import make_aggregator
    from tidings.types import ItemWrite, ParsedItem, UpdatePlan
    from tidings.update.decide import content_hash_of, identity_of

    settings = Settings.load({"TIDINGS_DATA_DIR": str(data), "TIDINGS_SAMPLES": "0"})
    agg = make_aggregator(settings.with_secret())
    store = agg.store
    person = agg.add_user(NAME, "bench sign-in password")
    agg.set_api_password(person.id, PASSWORD)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    far = start + timedelta(days=3650)  # never due: the bench fetches nothing
    per_feed = items // feeds
    for f in range(feeds):
        feed_id = store.add_feed(f"http://feeds.bench.invalid/{f}.xml", now=start, on_site=False)
        store.add_subscription(person.id, feed_id, now=start, folder=f"Folder {f % 10}")
        writes = []
        for i in range(per_feed):
            seen = start + timedelta(minutes=rng.randrange(30 * 24 * 60))
            body = "".join(
                PARAGRAPH.format(day=seen.date(), n=f * per_feed + i + k) for k in range(3)
            )
            item = ParsedItem(
                guid=f"{f}-{i}",
                title=f"Ferry news {f}-{i} & more",
                link=f"https://example.org/{f}/{i}",
                author="Harbour desk",
                published=seen,
                content_html=body,
            )
            writes.append(ItemWrite(identity_of(item), content_hash_of(item), item, seen, seen))
        store.apply(UpdatePlan(feed_id, start, far, status=200, new=tuple(writes)))
    ids = agg.item_ids(person.id, _all_ids())
    agg.set_read(person.id, rng.sample(ids, len(ids) // 2))
    agg.set_starred(person.id, rng.sample(ids, len(ids) // 50))
    agg.close()


def _all_ids() -> Any:
    from tidings.synctypes import IdQuery

    return IdQuery(limit=1_000_000)


class Elsewhere:
    """The server's side seen from the bench process: the changes made on another device, and
    the truth the apps' sets are checked against (one aggregator over the same database)."""

    def __init__(self, data: Path) -> None:
        from tidings.config import Settings
        from tidings.core import make_aggregator

        self.agg = make_aggregator(Settings.load({"TIDINGS_DATA_DIR": str(data)}).with_secret())
        found = self.agg.store.api_user(name=NAME)
        assert found is not None
        self.user_id = found[0].id

    def close(self) -> None:
        self.agg.close()

    def changes(self, rng: random.Random, round_no: int) -> None:
        """100 changes: new items in a few feeds, and marks from another device."""
        from tidings.synctypes import IdQuery
        from tidings.types import ItemWrite, ParsedItem, UpdatePlan
        from tidings.update.decide import content_hash_of, identity_of

        agg, now = self.agg, datetime.now(UTC)
        subs = agg.subscriptions(self.user_id)
        for k in range(NEW_ITEMS):
            item = ParsedItem(
                guid=f"new-{round_no}-{k}",
                title=f"Arrived {round_no}-{k}",
                content_html=PARAGRAPH.format(day=now.date(), n=k),
                published=now,
            )
            write = ItemWrite(identity_of(item), content_hash_of(item), item, now, now)
            feed_id = subs[k % 5].feed.id
            agg.store.apply(
                UpdatePlan(feed_id, now, now + timedelta(days=3650), status=200, new=(write,))
            )
        unread = agg.item_ids(self.user_id, IdQuery(status="unread", limit=10_000))
        marked = rng.sample(unread, NEW_MARKS)
        agg.set_read(self.user_id, marked[: NEW_MARKS // 2])
        agg.set_starred(self.user_id, marked[NEW_MARKS // 2 :])

    def truth(self) -> tuple[set[int], set[int]]:
        """The server's unread and starred sets."""
        from tidings.synctypes import IdQuery

        unread = self.agg.item_ids(self.user_id, IdQuery(status="unread", limit=100_000))
        starred = self.agg.item_ids(self.user_id, IdQuery(status="starred", limit=100_000))
        return set(unread), set(starred)


class Server:
    """``tidings serve --no-scheduler`` over the bench's data directory."""

    def __init__(self, data: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "TIDINGS_DATA_DIR": str(data), "TIDINGS_SAMPLES": "0"}
        self.proc = subprocess.Popen(
            [TIDINGS, "serve", "--no-scheduler", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code < 500:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("tidings serve did not start within a minute")

    def cpu_ms(self) -> float:
        """The server process's CPU time so far (user + system), from /proc."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run(work: Path, items: int = 10_000, feeds: int = 100, rounds: int = 5) -> SyncResults:
    from bench import syncclients

    rng = random.Random(7)
    results = SyncResults(items, feeds, rounds, 0.0)
    for protocol, make in syncclients.CLIENTS.items():
        data = work / protocol
        t0 = time.monotonic()
        load(data, items, feeds, rng)
        results.load_s = max(results.load_s, time.monotonic() - t0)
        server, elsewhere = Server(data), Elsewhere(data)
        try:
            results.results.append(_measure(protocol, make, server, elsewhere, rng, rounds))
        finally:
            server.stop()
            elsewhere.close()
    return results


def _measure(
    protocol: str,
    make: Callable[[httpx.Client, str, str, str], Any],
    server: Server,
    elsewhere: Elsewhere,
    rng: random.Random,
    rounds: int,
) -> SyncResult:
    """``rounds`` new apps' full syncs, then ``rounds`` incremental syncs of the last one, each
    after 100 changes."""
    full, incremental, agrees = Timed(), Timed(), True
    with httpx.Client(timeout=60) as http:
        for _ in range(rounds):
            client = make(http, server.base, NAME, PASSWORD)
            client.sign_in()
            t0, cpu0 = time.perf_counter(), server.cpu_ms()
            client.full_sync()
            full.ms.append((time.perf_counter() - t0) * 1000)
            full.server_ms.append(server.cpu_ms() - cpu0)
            full.requests, full.bytes, full.items = client.requests, client.bytes, len(client.seen)
            agrees &= (client.unread, client.starred) == elsewhere.truth()
            full.unread, full.starred = len(client.unread), len(client.starred)
        for r in range(rounds):
            elsewhere.changes(rng, r)
            client.requests = client.bytes = 0
            before = len(client.seen)
            t0, cpu0 = time.perf_counter(), server.cpu_ms()
            client.incremental_sync()
            incremental.ms.append((time.perf_counter() - t0) * 1000)
            incremental.server_ms.append(server.cpu_ms() - cpu0)
            incremental.requests, incremental.bytes = client.requests, client.bytes
            incremental.items = len(client.seen) - before
            agrees &= (client.unread, client.starred) == elsewhere.truth()
            incremental.unread, incremental.starred = len(client.unread), len(client.starred)
    log(
        f"{protocol}: full p50 {full.p50:.0f} ms ({full.requests} requests, "
        f"{full.bytes / 1e6:.1f} MB), incremental p50 {incremental.p50:.1f} ms "
        f"({incremental.requests} requests); {'agrees' if agrees else 'DISAGREES'} with the server"
    )
    return SyncResult(protocol, full, incremental, agrees)


def section(r: SyncResults, ctx: Context) -> str:
    """The "Sync" section of docs/performance.md."""
    rows = []
    for s in r.results:
        for kind, t, target in (
            ("full first sync", s.full, FULL_TARGET_MS),
            ("incremental, 100 changes", s.incremental, INCREMENTAL_TARGET_MS),
        ):
            verdict = "meets" if t.p50 < target else "misses"
            rows.append(
                f"| {s.protocol} | {kind} | {t.p50:,.1f} | {min(t.ms):,.1f} | {max(t.ms):,.1f} "
                f"| {t.server_p50:,.0f} "
                f"| {t.requests:,} | {t.bytes / 1e6:,.2f} | {t.items:,} "
                f"| {verdict} {target:,.0f} ms | {'yes' if s.agrees else 'NO'} |"
            )
    run = ctx.header().split(".\n\n", 1)[0]
    return (
        f"## Sync\n\n{run}.\n\n"
        f"A person's app syncing over each protocol against `tidings serve` (SQLite, no "
        f"scheduler) on loopback: {r.items:,} items in {r.feeds} feeds and 10 folders, half of "
        f"them read and 2% starred. A full first sync is a new app fetching every item's content "
        f"and the unread and starred sets; an incremental sync follows {NEW_ITEMS} new items and "
        f"{NEW_MARKS} marks made on another device. {r.rounds} runs of each; times are wall "
        f"time in the client, HTTP and the client's own decoding included; server CPU ms is "
        f"the CPU time the server process spent meanwhile (p50; from /proc, in 10 ms ticks). "
        f"\"Agrees\": after every sync, the app's unread and starred sets equal the server's.\n\n"
        "| protocol | sync | p50 ms | min ms | max ms | server CPU ms | requests | MB "
        "| items fetched | target | agrees |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n" + "\n".join(rows) + "\n"
    )
