"""Cold update of the benchmark farm: embedded on SQLite beside 1, 2 and 4 workers on PostgreSQL.

    python -m bench.workers [--feeds 1000] [--hosts 50] [--workers 1,2,4] [--pg URL]

The farm of ``bench/farm.py`` (RSS, Atom, RDF and JSON Feed, 5 to 200 KB, HTML in every summary)
is served by nginx on 127.0.1.1 ... 127.0.1.N. Each run starts from an empty database and
subscribes every feed by OPML import. Embedded: one ``tidings update --all`` on SQLite, timed
as a whole process. Workers: ``TIDINGS_MODE=workers`` on a fresh PostgreSQL database, timed from
the start of N ``tidings worker`` processes (which dispatch by themselves: no other scheduler) until
every feed has been checked once. Every run is bounded by ``--timeout``. Loopback only.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import farm as farms
from bench import nginx
from bench.common import WORK
from bench.tidings_side import SUMMARY, Tidings

DEFAULT_PG = os.environ.get("TIDINGS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
DATABASE = "tidings_bench_workers"
UNCHECKED = "SELECT count(*) FROM feeds WHERE last_checked IS NULL"


def fresh_database(url: str) -> str:
    """An empty database of its own beside ``url``'s (dropped first if a run left one)."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{url.rsplit('/', 1)[0]}/{DATABASE}"


def embedded(tidings: Tidings, opml: Path, timeout: float) -> str:
    tidings.run("import", str(opml), timeout=timeout).check()
    run = tidings.update_all(timeout)
    found = SUMMARY.search(run.stdout)
    feeds = int(found.group(1)) if found else 0
    items = tidings.count_items() if tidings.db.exists() else 0
    return _row("embedded, SQLite", run.wall_s, feeds, items, run.returncode == 0)


def workers(tidings: Tidings, opml: Path, count: int, timeout: float, logs: Path) -> str:
    """From the workers' start until every feed has been checked once (they dispatch alone)."""
    import psycopg

    tidings.run("db", "upgrade", timeout=timeout).check()
    tidings.run("import", str(opml), timeout=timeout).check()
    url = tidings.env["TIDINGS_DATABASE_URL"]
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [*tidings.exe, "worker", "--concurrency", "4"],
            env=tidings.env,
            stdout=subprocess.DEVNULL,
            stderr=(logs / f"worker-{count}-{n}.log").open("wb"),
        )
        for n in range(count)
    ]
    done = False
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            while time.perf_counter() - started < timeout:
                row = conn.execute(
                    "SELECT count(*) FROM feeds WHERE last_checked IS NULL"
                ).fetchone()
                if row is not None and row[0] == 0:
                    done = True
                    break
                time.sleep(0.1)
            wall = time.perf_counter() - started
            feeds = conn.execute("SELECT count(*) FROM feeds").fetchone()
            items = conn.execute("SELECT count(*) FROM items").fetchone()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    label = f"{count} worker{'s' if count > 1 else ''}, PostgreSQL"
    return _row(label, wall, feeds[0] if feeds else 0, items[0] if items else 0, done)


def _row(label: str, wall: float, feeds: int, items: int, ok: bool) -> str:
    rate = feeds / wall if wall else 0.0
    outcome = "ok" if ok else "did not finish"
    return f"| {label} | {wall:.1f} | {rate:.1f} | {items:,} | {outcome} |"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    ap.add_argument("--pg", default=DEFAULT_PG, help="a PostgreSQL database on the server to use")
    ap.add_argument("--port", type=int, default=18181)
    ap.add_argument("--timeout", type=float, default=900.0)
    args = ap.parse_args(argv)
    counts = [int(n) for n in re.split(r"[, ]+", args.workers.strip()) if n]

    work = WORK / "workers"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    farm = farms.build(work / "farm", args.feeds, port=args.port, host_count=args.hosts)
    opml = farm.write_opml(work / "farm.opml")
    print(
        f"farm: {args.feeds} feeds on {args.hosts} loopback hosts, "
        f"{farm.total_bytes / 1e6:.1f} MB, {farm.total_items} items",
        file=sys.stderr,
        flush=True,
    )
    rows = [
        "| setup | wall s | feeds/s | items stored | outcome |",
        "|---|---:|---:|---:|---|",
    ]
    with nginx.serving(farm.root, farm.hosts, args.port, work / "nginx"):
        rows.append(embedded(Tidings(work / "embedded"), opml, args.timeout))
        print(rows[-1], file=sys.stderr, flush=True)
        for n in counts:
            side = Tidings(work / f"workers-{n}", extra_env={"TIDINGS_MODE": "workers"})
            side.env["TIDINGS_DATABASE_URL"] = fresh_database(args.pg)
            rows.append(workers(side, opml, n, args.timeout, work))
            print(rows[-1], file=sys.stderr, flush=True)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
