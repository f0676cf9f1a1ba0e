"""The command line of the benchmark: ``python -m bench [--only update|pages|scale|reading|sync]``.

Everything runs on this machine, on loopback: nginx serves the feed farms on 127.0.1.x, the web
servers listen on 127.0.0.1, and every request loop ends by itself (counts and deadlines). Work
files go to bench/.work/run/ (deleted at the end unless --keep); the raw figures of each run are
kept as bench/.work/results-<time>.json; the tables go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from bench import nginx, report
from bench.common import ROOT, WORK, git_state, machine, now_utc
from bench.pages import wrk_version

PARTS = ("update", "pages", "scale", "reading", "sync")
FARM_PARTS = ("update", "pages", "scale")  # the parts that need nginx and wrk


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        help="run only this part (repeatable); default: all five",
    )
    ap.add_argument("--feeds", type=int, default=1000, help="feeds in the update farm")
    ap.add_argument("--hosts", type=int, default=50, help="loopback addresses of the farm")
    ap.add_argument("--items", type=int, default=1_000_000, help="items in the pages database")
    ap.add_argument("--page-feeds", type=int, default=2000, help="feeds in the pages database")
    ap.add_argument(
        "--scale", default="1000,20000", help="feed counts of the scale part, comma-separated"
    )
    ap.add_argument("--reading-items", type=int, default=1_000_000, help="items (reading)")
    ap.add_argument("--reading-feeds", type=int, default=2000, help="feeds (reading)")
    ap.add_argument("--reading-people", type=int, default=1000, help="people on PostgreSQL")
    ap.add_argument("--reading-sqlite-people", type=int, default=100, help="people on SQLite")
    ap.add_argument("--reading-follows", type=int, default=200, help="feeds each person follows")
    ap.add_argument("--reading-samples", type=int, default=50, help="people timed per operation")
    ap.add_argument(
        "--reading-db",
        default="postgresql,sqlite",
        help="databases of the reading part, comma-separated",
    )
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("TIDINGS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL database whose server the reading part makes its own database on",
    )
    ap.add_argument("--sync-items", type=int, default=10_000, help="items (sync)")
    ap.add_argument("--sync-rounds", type=int, default=5, help="syncs of each kind (sync)")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of wrk load per route")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections")
    ap.add_argument(
        "--timeout", type=float, default=900.0, help="seconds before an update process is killed"
    )
    ap.add_argument("--port", type=int, default=18080, help="nginx's port on every farm address")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    ap.add_argument("--no-report", action="store_true", help="do not touch docs/performance.md")
    ap.add_argument("--keep", action="store_true", help="keep bench/.work/run/ afterwards")
    return ap.parse_args(argv)


def command_line(argv: list[str]) -> str:
    if os.environ.get("MAKELEVEL") and os.environ.get("BENCH_FROM_MAKE"):
        extra = os.environ.get("BENCH_ARGS", "").strip()
        return "make bench" + (f' BENCH_ARGS="{extra}"' if extra else "")
    return shlex.join([".venv/bin/python", "-m", "bench", *argv])


def took(since: float) -> str:
    return f"\nThis part took {(time.monotonic() - since) / 60:.1f} min.\n"


def check_tools() -> None:
    nginx.find()
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is missing; apt-get update && apt-get install -y wrk nginx")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    parts = args.only or list(PARTS)
    farm = any(p in FARM_PARTS for p in parts)
    if farm:
        check_tools()
    started = time.monotonic()
    work = WORK / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    work.chmod(0o755)  # nginx's worker runs as nobody and must reach the farm
    from bench import reader_side

    ctx = report.Context(
        date=now_utc(),
        machine=machine(),
        tidings=f"0.1.0 at {git_state()}",
        versions={
            "reader": f"reader {reader_side.VERSION} (in its own venv, with sgmllib3k)",
            "nginx": nginx.version().replace("/", " ") if farm else "",
            "wrk": wrk_version(),
        },
        command=command_line(argv),
    )
    sections: dict[str, str] = {}
    raw: dict[str, Any] = {"context": ctx.__repr__(), "context_fields": asdict(ctx)}
    try:
        if "update" in parts:
            from bench import update

            sub = work / "update"
            sub.mkdir()
            sub.chmod(0o755)
            t0 = time.monotonic()
            u = update.run(sub, args.feeds, args.port, args.timeout)
            raw["update"] = u.to_json()
            sections["Update"] = report.update_section(u, ctx) + took(t0)
            shutil.rmtree(sub, ignore_errors=True)
        if "pages" in parts:
            from bench import pages

            sub = work / "pages"
            sub.mkdir()
            t0 = time.monotonic()
            p = pages.run(
                sub,
                feeds=args.page_feeds,
                items=args.items,
                seconds=args.duration,
                connections=args.connections,
            )
            raw["pages"] = p.to_json()
            sections["Pages"] = report.pages_section(p, ctx) + took(t0)
            if not args.keep:
                shutil.rmtree(sub, ignore_errors=True)
        if "scale" in parts:
            from bench import scale

            sub = work / "scale"
            sub.mkdir()
            sub.chmod(0o755)
            sizes = [int(s) for s in args.scale.split(",") if s.strip()]
            t0 = time.monotonic()
            s = scale.run(sub, sizes, args.port, args.timeout)
            raw["scale"] = s.to_json()
            sections["Scale"] = report.scale_section(s, ctx) + took(t0)
        if "reading" in parts:
            from bench import reading, readingreport
            from bench.readingdb import Shape

            shape = Shape(
                items=args.reading_items,
                feeds=args.reading_feeds,
                people=args.reading_people,
                follows=args.reading_follows,
            )
            t0 = time.monotonic()
            r = reading.run(
                work / "reading",
                backends=[b.strip() for b in args.reading_db.split(",") if b.strip()],
                pg_shape=shape,
                sqlite_shape=replace(shape, people=args.reading_sqlite_people),
                limits=reading.Limits(samples=args.reading_samples),
                pg_admin_url=args.pg_url,
                keep=args.keep,
            )
            raw["reading"] = r.to_json()
            sections["Reading at scale"] = readingreport.section(r, ctx) + took(t0)
        if "sync" in parts:
            from bench import sync

            t0 = time.monotonic()
            y = sync.run(work / "sync", items=args.sync_items, rounds=args.sync_rounds)
            raw["sync"] = y.to_json()
            sections["Sync"] = sync.section(y, ctx) + took(t0)
    finally:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (WORK / f"results-{stamp}.json").write_text(json.dumps(raw, indent=1, default=str))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    print(f"[bench] done in {elapsed / 60:.1f} min", file=sys.stderr)
    for text in sections.values():
        print(text)
    if sections and not args.no_report:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report.merge(args.out, sections), encoding="utf-8")
        print(f"[bench] wrote {args.out}", file=sys.stderr)
