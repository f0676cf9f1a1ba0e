"""Scale: the per-feed cost of a cold tidings update at 1,000 and at 20,000 small feeds.

Small feeds are 5 to 8 KB (a few items each), over the same 50 loopback hosts, so at 20,000 each
host carries 400 feeds and per-host politeness is what bounds the run. The fixed cost of a
``tidings update`` process (interpreter, imports, opening the database) is measured on the same
installation with no feeds and taken off, so that it does not flatter the larger run.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import farm as farms
from bench import nginx
from bench.common import wait_quiet
from bench.tidings_side import Tidings, compile_sources, summary

OPML_MAX = 10_000  # feeds per OPML import (tidings refuses more at once)


def log(msg: str) -> None:
    print(f"[scale] {msg}", file=sys.stderr, flush=True)


@dataclass(slots=True)
class ScalePoint:
    feeds: int
    farm_mb: float
    items: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    new_items: int
    failed: int
    stored_items: int
    requests: int
    ok: bool
    note: str = ""
    idle_before: float = 1.0

    def per_feed_ms(self, fixed_s: float = 0.0) -> float:
        return (self.wall_s - fixed_s) * 1000 / self.feeds if self.feeds else 0.0


@dataclass(slots=True)
class ScaleResults:
    fixed_s: float  # an update process over an empty installation
    points: list[ScalePoint] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"fixed_s": self.fixed_s, "points": [asdict(p) for p in self.points]}


def run(work: Path, sizes: list[int], port: int, timeout: float) -> ScaleResults:
    compile_sources()
    empty = Tidings(work / "empty-data")
    empty.run("db", "upgrade", timeout=120).check()
    fixed = min(empty.update_all(120).check().wall_s for _ in range(3))
    log(f"an update process with no feeds takes {fixed:.2f} s")
    results = ScaleResults(fixed_s=fixed)
    for n in sizes:
        root = work / f"farm-{n}"
        log(f"building {n} small feeds")
        farm = farms.build(root, n, port=port, min_size=5_000, max_size=8_000, seed=n)
        # an OPML import takes at most 10,000 feeds: larger farms go in parts
        opmls = [
            farm.write_opml(work / f"farm-{n}-{at}.opml", slice(at, at + OPML_MAX))
            for at in range(0, n, OPML_MAX)
        ]
        with nginx.serving(farm.root, farm.hosts, port, work / f"nginx-{n}") as ng:
            t = Tidings(work / f"data-{n}")
            for opml in opmls:
                t.subscribe(opml)
            idle = wait_quiet()
            ng.mark()
            run = t.update_all(timeout)
            traffic = ng.traffic()
        note, new, failed = "", 0, 0
        if run.ok:
            s = summary(run)
            new, failed = s.new, s.failed
            note = "; ".join(s.failures[:3])
        else:
            note = f"killed at the {timeout:.0f} s limit" if run.timed_out else run.stderr[-300:]
        point = ScalePoint(
            n, farm.total_bytes / 1e6, farm.total_items, run.wall_s, run.cpu_s, run.peak_rss_mb,
            new, failed, t.count_items(), traffic.requests, run.ok, note, idle,
        )  # fmt: skip
        results.points.append(point)
        log(
            f"{n} feeds: {run.wall_s:.1f} s, {point.per_feed_ms(fixed):.2f} ms/feed past the "
            f"fixed cost, {new} new items of {farm.total_items}, {run.peak_rss_mb:.0f} MB RSS"
        )
        shutil.rmtree(root, ignore_errors=True)
    return results
