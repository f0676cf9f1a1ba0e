"""Reading at scale: a person's unread counts, first page and "mark as read" over a database
of many people, through the facade's own methods.

For each database (PostgreSQL, SQLite) the schema comes from tidings' migrations on an empty
database and the rows from ``bench/readingdb.py`` (bulk loads). Then, for a random sample of
people, each operation is timed around the facade call (``Aggregator.unread_counts``,
``entries``, ``mark_read``, ``set_read`` ...), one operation over all the sample before the
next: p50 and p95 of wall time in this process. Every loop is bounded by its sample and a
deadline. The SQL of one call per operation (a person outside the sample) is recorded with its
plans (``bench/readingplans.py``), and the state tables are measured.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import wait_quiet
from bench.readingdb import Made, PgSink, Shape, SqliteSink, generate
from bench.readingplans import Recorder, Size, Statement, sizes

if TYPE_CHECKING:
    from tidings.core import Aggregator
    from tidings.types import Entry

TABLES = ("items", "subscriptions", "entry_states", "users")
MARK = 10_000  # items marked read by one call
TARGET_MS = 50.0  # p50 the reading page can live with
QUIET_WAIT_S = 15.0  # the longest wait for an idle CPU before each operation


def log(msg: str) -> None:
    print(f"[reading] {msg}", file=sys.stderr, flush=True)


@dataclass(slots=True)
class Person:
    """One sampled person and what their calls need (found before any timing)."""

    user_id: int
    unread_ids: list[int] = field(default_factory=list)  # the oldest MARK unread item ids
    folder: str | None = None  # their folder with the most unread items
    after: tuple[datetime | int, int] | None = None  # the end of their first page


@dataclass(slots=True)
class OpResult:
    key: str
    label: str
    ms: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # entries returned, items marked ...
    statements: list[Statement] = field(default_factory=list)
    note: str = ""
    idle_before: float = 1.0  # the CPU's idle fraction over the second before the loop

    @property
    def p50(self) -> float:
        return statistics.median(self.ms) if self.ms else 0.0

    @property
    def p95(self) -> float:
        if len(self.ms) < 2:
            return self.p50
        return statistics.quantiles(self.ms, n=20, method="inclusive")[18]

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["statements"] = [s.to_json() for s in self.statements]
        return out


@dataclass(slots=True)
class BackendResult:
    backend: str  # "PostgreSQL 15.20", "SQLite 3.40.1"
    shape: Shape
    load: dict[str, Any]
    load_s: float
    ops: list[OpResult] = field(default_factory=list)
    sizes: list[Size] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "shape": asdict(self.shape),
            "load": self.load,
            "load_s": self.load_s,
            "ops": [o.to_json() for o in self.ops],
            "sizes": [s.to_json() for s in self.sizes],
            "checks": self.checks,
        }


@dataclass(slots=True)
class ReadingResults:
    samples: int
    backends: list[BackendResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"samples": self.samples, "backends": [b.to_json() for b in self.backends]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReadingResults:
        """The results again from ``to_json``'s output (bench/.work/results-*.json), to write
        the section anew without running the part: ``python -m bench.readingreport FILE``."""
        out = cls(int(data["samples"]))
        for b in data["backends"]:
            ops = [
                OpResult(
                    **{k: v for k, v in o.items() if k != "statements"},
                    statements=[Statement(**st) for st in o["statements"]],
                )
                for o in b["ops"]
            ]
            found = [Size(**sz) for sz in b["sizes"]]
            shape = Shape(**b["shape"])
            out.backends.append(
                BackendResult(b["backend"], shape, b["load"], b["load_s"], ops, found, b["checks"])
            )
        return out


# -- the operations ------------------------------------------------------------------------------

Call = Callable[["Aggregator", Person], int]


def _entries(agg: Aggregator, p: Person, **query: Any) -> list[Entry]:
    from tidings.types import EntryQuery

    return agg.entries(p.user_id, EntryQuery(limit=50, **query))


def _first_page(agg: Aggregator, p: Person) -> int:
    page = _entries(agg, p, status="unread")
    if page:
        last = page[-1].item
        p.after = (last.sort_date, last.id)
    return len(page)


@dataclass(frozen=True, slots=True)
class Op:
    key: str
    label: str
    call: Call
    writers: bool = False  # on the second sample of people (the first stays as loaded)


OPS: tuple[Op, ...] = (
    Op("counts", "sidebar: `unread_counts`", lambda a, p: a.unread_counts(p.user_id).total),
    Op(
        "subs", "`subscriptions` (with unread counts)", lambda a, p: len(a.subscriptions(p.user_id))
    ),
    Op("page", "first page of unread (50, newest first)", _first_page),
    Op(
        "next",
        "next page of unread (keyset `after`)",
        lambda a, p: len(_entries(a, p, status="unread", after=p.after)),
    ),
    Op(
        "folder",
        "first page of unread in their biggest folder",
        lambda a, p: len(_entries(a, p, status="unread", folder=p.folder)),
    ),
    Op("starred", "first page of starred", lambda a, p: len(_entries(a, p, status="starred"))),
    Op(
        "mark",
        f"`mark_read` everything `up_to_id` (~{MARK:,} unread under it)",
        lambda a, p: a.mark_read(p.user_id, up_to_id=p.unread_ids[-1]).marked,
    ),
    Op(
        "ids",
        f"`set_read` of {MARK:,} explicit ids",
        lambda a, p: a.set_read(p.user_id, p.unread_ids).marked,
        writers=True,
    ),
    Op(
        "all",
        "`mark_read` everything (the rest of their unread)",
        lambda a, p: a.mark_read(p.user_id).marked,
        writers=True,
    ),
    Op(
        "empty",
        "first page of unread when all is read (an empty page)",
        lambda a, p: len(_entries(a, p, status="unread")),
        writers=True,
    ),
)

UNREAD_IDS = """
SELECT i.id FROM subscriptions s
JOIN items i ON i.feed_id = s.feed_id
LEFT JOIN entry_states e ON e.user_id = s.user_id AND e.item_id = i.id
WHERE s.user_id = {u} AND COALESCE(NOT e.read, i.id > s.read_until)
ORDER BY i.id LIMIT {n}
"""


def prepare(agg: Aggregator, p: Person) -> None:
    """What a person's calls need, read straight from the tables (untimed)."""
    with agg.store.engine.connect() as conn:
        rows = conn.exec_driver_sql(UNREAD_IDS.format(u=int(p.user_id), n=MARK)).all()
    p.unread_ids = [int(r[0]) for r in rows]
    folders = agg.unread_counts(p.user_id).by_folder
    p.folder = max(folders, key=lambda f: folders[f]) if folders else None


@dataclass(frozen=True, slots=True)
class Limits:
    samples: int = 50  # people timed per operation
    deadline_s: float = 120.0  # the longest an operation's loop runs
    quiet_s: float = QUIET_WAIT_S  # 0: no wait for an idle CPU (and no idle figure)


def time_op(agg: Aggregator, op: Op, people: list[Person], limits: Limits) -> OpResult:
    res = OpResult(op.key, op.label)
    res.idle_before = wait_quiet(limits.quiet_s) if limits.quiet_s > 0 else -1.0
    stop = time.monotonic() + limits.deadline_s
    for p in people:
        if time.monotonic() > stop:
            res.note = f"deadline: {len(res.ms)} of {len(people)} people in {limits.deadline_s:g} s"
            break
        start = time.perf_counter()
        rows = op.call(agg, p)
        res.ms.append((time.perf_counter() - start) * 1000)
        res.rows.append(rows)
    return res


def measure(
    agg: Aggregator, people_ids: list[int], samples: int, limits: Limits, made: Made
) -> tuple[list[OpResult], list[str]]:
    """Time every operation over the sample; record one call of each for a spare person."""
    readers = [Person(u) for u in people_ids[:samples]]
    writers = [Person(u) for u in people_ids[samples : 2 * samples]]
    spare_r, spare_w = Person(people_ids[-2]), Person(people_ids[-1])
    for p in [*readers, *writers, spare_r, spare_w]:
        prepare(agg, p)
    checks = _check(agg, readers, made)
    recorder = Recorder(agg.store.engine)
    results = []
    for op in OPS:
        group, spare = (writers, spare_w) if op.writers else (readers, spare_r)
        res = time_op(agg, op, group, limits)
        recorder.on = True
        try:
            op.call(agg, spare)
        finally:
            recorder.on = False
        res.statements = recorder.take()
        log(f"{op.label}: p50 {res.p50:.1f} ms, p95 {res.p95:.1f} ms ({len(res.ms)} people)")
        results.append(res)
    return results, checks


def _check(agg: Aggregator, people: list[Person], made: Made) -> list[str]:
    """The facade's counts against what the loader wrote."""
    unread = starred = 0
    wrong: list[str] = []
    for p in people:
        counts = agg.unread_counts(p.user_id)
        unread += counts.total == made.unread[p.user_id]
        starred += counts.starred == made.starred[p.user_id]
        if counts.total != made.unread[p.user_id] and len(wrong) < 3:
            wrong.append(f"person {p.user_id}: {counts.total} for {made.unread[p.user_id]}")
    out = [
        f"`unread_counts` total equals the loaded unread items for {unread} of {len(people)} "
        f"people" + (f" ({'; '.join(wrong)})" if wrong else ""),
        f"`unread_counts` starred equals the loaded starred items for {starred} of "
        f"{len(people)} people",
    ]
    short = sum(1 for p in people if len(p.unread_ids) < MARK)
    if short:
        out.append(f"{short} of {len(people)} people had fewer than {MARK:,} unread items")
    return out


# -- one database --------------------------------------------------------------------------------


def run_backend(kind: str, url: str, shape: Shape, limits: Limits, data_dir: Path) -> BackendResult:
    from tidings.config import Settings
    from tidings.core import make_aggregator
    from tidings.store import migrate

    started = time.perf_counter()
    engine = migrate.create(url)
    migrate.upgrade(engine)  # the schema: tidings' migrations on an empty database
    version = engine.dialect.server_version_info or ()
    engine.dispose()
    name = "PostgreSQL" if kind == "postgresql" else "SQLite"
    backend = f"{name} {'.'.join(str(v) for v in version)}"
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    sink = PgSink(libpq) if kind == "postgresql" else SqliteSink(url.split("///", 1)[1])
    made = generate(sink, shape)
    t = time.perf_counter()
    sink.finish()
    made.seconds["vacuum, analyze" if kind == "postgresql" else "analyze"] = time.perf_counter() - t
    load_s = time.perf_counter() - started
    log(f"{backend}: loaded in {load_s:.0f} s")
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        samples=False,
        secret_key="bench-reading",  # noqa: S106 (a throwaway database)
    )
    agg = make_aggregator(settings)
    try:
        rng = random.Random(shape.seed + 1)
        want = 2 * limits.samples + 2
        chosen = rng.sample(range(1, shape.people + 1), min(shape.people, want))
        n = min(limits.samples, (len(chosen) - 2) // 2)
        ops, checks = measure(agg, chosen, n, limits, made)
        found = sizes(agg.store.engine, TABLES)
    finally:
        agg.close()
    res = BackendResult(backend, shape, made.to_json(), load_s, ops, found, checks)
    return res


def run(
    work: Path,
    *,
    backends: list[str],
    pg_shape: Shape,
    sqlite_shape: Shape,
    limits: Limits = Limits(),
    pg_admin_url: str = "postgresql://postgres@127.0.0.1:5432/test",
    keep: bool = False,
) -> ReadingResults:
    import psycopg

    results = ReadingResults(limits.samples)
    for kind in backends:
        if kind == "sqlite":
            data = work / "sqlite"
            data.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{data / 'tidings.db'}"
            results.backends.append(run_backend("sqlite", url, sqlite_shape, limits, data))
            continue
        name = f"tidings_bench_reading_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = pg_admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        try:
            results.backends.append(
                run_backend("postgresql", f"{url}/{name}", pg_shape, limits, work)
            )
        finally:
            if not keep:
                with psycopg.connect(pg_admin_url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            else:
                log(f"kept the database {name}")
    return results
