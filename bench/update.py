"""Update: tidings against reader on the same nginx feed farm, cold, warm and 10% changed.

Each step of each side is one whole process from start to exit (interpreter start and imports
included), over a database that started empty. The two sides alternate at each step, so both see
the same farm, and both are asked to update every feed. nginx's access log gives what each step
really transferred (requests, statuses, body bytes).
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import farm as farms
from bench import nginx
from bench.common import Run, wait_quiet
from bench.reader_side import Reader, ensure_venv, result
from bench.tidings_side import Tidings, summary

PHASES = ("cold", "warm", "changed")


@dataclass(slots=True)
class Step:
    side: str
    phase: str
    feeds: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    new_items: int
    changed_items: int
    not_modified: int
    failed: int
    requests: int
    statuses: dict[int, int]
    body_bytes: int
    stored_items: int
    ok: bool
    note: str = ""
    idle_before: float = 1.0  # the machine's idle CPU fraction just before the step

    @property
    def feeds_per_s(self) -> float:
        return self.feeds / self.wall_s if self.wall_s else 0.0

    @property
    def items_per_s(self) -> float:
        return self.new_items / self.wall_s if self.wall_s else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.body_bytes / 1e6 / self.wall_s if self.wall_s else 0.0


@dataclass(slots=True)
class UpdateResults:
    farm: dict[str, Any]
    changed_feeds: int
    changed_bytes: int
    steps: list[Step] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def step(self, side: str, phase: str) -> Step | None:
        for s in self.steps:
            if s.side == side and s.phase == phase:
                return s
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "farm": self.farm,
            "changed_feeds": self.changed_feeds,
            "changed_bytes": self.changed_bytes,
            "steps": [asdict(s) for s in self.steps],
            "errors": self.errors,
        }


def log(msg: str) -> None:
    print(f"[update] {msg}", file=sys.stderr, flush=True)


def _tidings_step(t: Tidings, phase: str, ng: nginx.Nginx, n: int, timeout: float) -> Step:
    idle = wait_quiet()
    ng.mark()
    run = t.update_all(timeout)
    traffic = ng.traffic()
    note = ""
    new = changed = same = failed = 0
    if run.ok:
        s = summary(run)
        new, changed, same, failed = s.new, s.changed, s.not_modified, s.failed
        if s.failures:
            note = "; ".join(s.failures[:3])
    else:
        note = _why(run)
    stored = t.count_items() if t.db.exists() else 0
    return Step(
        "tidings", phase, n, run.wall_s, run.cpu_s, run.peak_rss_mb, new, changed, same, failed,
        traffic.requests, traffic.statuses, traffic.body_bytes, stored, run.ok, note, idle,
    )  # fmt: skip


def _reader_step(r: Reader, phase: str, ng: nginx.Nginx, n: int, timeout: float) -> Step:
    idle = wait_quiet()
    ng.mark()
    run = r.update_all(timeout)
    traffic = ng.traffic()
    note = ""
    new = changed = same = failed = 0
    if run.ok:
        res = result(run)
        new, changed = int(res["new"]), int(res["modified"])
        same, failed = int(res.get("not_modified", 0)), int(res.get("failed", 0))
        if res["errors"]:
            note = "; ".join(res["errors"][:3])
    else:
        note = _why(run)
    stored = r.count_entries()
    return Step(
        "reader", phase, n, run.wall_s, run.cpu_s, run.peak_rss_mb, new, changed, same, failed,
        traffic.requests, traffic.statuses, traffic.body_bytes, stored, run.ok, note, idle,
    )  # fmt: skip


def _why(run: Run) -> str:
    if run.timed_out:
        return f"killed at the {run.wall_s:.0f} s limit"
    tail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["?"]
    return f"exit {run.returncode}: {tail[0][:200]}"


def run(work: Path, feeds: int, port: int, timeout: float) -> UpdateResults:
    ensure_venv()
    log(f"building a farm of {feeds} feeds")
    farm = farms.build(work / "farm", feeds, port=port)
    opml = farm.write_opml(work / "farm.opml")
    urls = farm.write_url_list(work / "farm.urls")
    results = UpdateResults(farm=farm.describe(), changed_feeds=0, changed_bytes=0)
    log(f"farm: {farm.total_bytes / 1e6:.1f} MB, {farm.total_items} items")
    with nginx.serving(farm.root, farm.hosts, port, work / "nginx") as ng:
        tidings = Tidings(work / "tidings-data")
        reader = Reader(work / "reader.sqlite")
        tidings.subscribe(opml)
        reader.subscribe(urls)
        for phase in PHASES:
            if phase == "changed":
                chosen = farm.gain_an_item(0.10)
                results.changed_feeds = len(chosen)
                results.changed_bytes = sum(f.size for f in chosen)
            for side in ("tidings", "reader"):
                log(f"{phase}: {side}")
                step = (
                    _tidings_step(tidings, phase, ng, feeds, timeout)
                    if side == "tidings"
                    else _reader_step(reader, phase, ng, feeds, timeout)
                )
                results.steps.append(step)
                log(
                    f"{phase} {side}: {step.wall_s:.1f} s, {step.feeds_per_s:.1f} feeds/s, "
                    f"{step.new_items} new, stored {step.stored_items}, "
                    f"{step.peak_rss_mb:.0f} MB RSS, statuses {step.statuses} {step.note}"
                )
    return results
