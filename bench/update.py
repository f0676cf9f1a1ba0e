"""Update: tidings against reader on the same nginx feed farm, cold, warm and 10% changed.

Each step of each side is one whole process from start to exit (interpreter start and imports
included), over a database that started empty. The two sides alternate at each step, so both see
the same farm, and both are asked to update every feed. nginx's access log gives what each step
really transferred (requests, statuses, body bytes). In the cold phase a third side, the floor
(bench/floor.py: aiohttp and lxml, nothing stored), fetches and parses the same farm.

After the timed steps: the server's steady state (bench/steady.py), then tidings' cold and warm
steps once more under the profiler (bench/cpuprofile.py).
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import cpuprofile, nginx, steady
from bench import farm as farms
from bench.common import Run, wait_quiet
from bench.cpuprofile import Profile
from bench.floor import Floor
from bench.floor import result as floor_result
from bench.reader_side import Reader, ensure_venv, result
from bench.steady import Steady
from bench.tidings_side import Tidings, compile_sources, summary

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
    shares: dict[str, float] = field(default_factory=dict)  # the floor's own timings

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
    steady: Steady | None = None
    profiles: list[Profile] = field(default_factory=list)

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
            "steady": self.steady.to_json() if self.steady else None,
            "profiles": [p.to_json() for p in self.profiles],
        }


def log(msg: str) -> None:
    print(f"[update] {msg}", file=sys.stderr, flush=True)


def _tidings_step(
    t: Tidings, phase: str, ng: nginx.Nginx, n: int, timeout: float, quiet_s: float
) -> Step:
    idle = wait_quiet(quiet_s)
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


def _reader_step(
    r: Reader, phase: str, ng: nginx.Nginx, n: int, timeout: float, quiet_s: float
) -> Step:
    idle = wait_quiet(quiet_s)
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


def _floor_step(urls: Path, ng: nginx.Nginx, n: int, timeout: float, quiet_s: float) -> Step:
    """The floor's full fetch of the farm; it must have had ``n`` answers, all 200."""
    idle = wait_quiet(quiet_s)
    ng.mark()
    run = Floor().update_all(urls, timeout)
    traffic = ng.traffic()
    shares: dict[str, float] = {}
    notes = [] if run.ok else [_why(run)]
    if run.stdout.strip():
        res = floor_result(run)
        shares = res.shares()
        notes += res.errors[:3]
        if res.answers != n or res.parsed != n:
            notes.append(f"{res.answers} answers, {res.parsed} parsed of {n}")
    if traffic.statuses != {200: n}:
        notes.append(f"nginx logged {traffic.statuses}, not {n}×200")
    return Step(
        "floor", "cold", n, run.wall_s, run.cpu_s, run.peak_rss_mb, 0, 0, 0, 0,
        traffic.requests, traffic.statuses, traffic.body_bytes, 0, not notes, "; ".join(notes),
        idle, shares,
    )  # fmt: skip


def _why(run: Run) -> str:
    if run.timed_out:
        return f"killed at the {run.wall_s:.0f} s limit"
    tail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["?"]
    return f"exit {run.returncode}: {tail[0][:200]}"


def run(
    work: Path, feeds: int, port: int, timeout: float, *, quiet_s: float = 45.0
) -> UpdateResults:
    """All the steps on a farm of ``feeds`` feeds; before each timed one, up to ``quiet_s``
    seconds of waiting for a quiet machine."""
    ensure_venv()
    compile_sources()
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
            for side in ("tidings", "reader", "floor"):
                if side == "floor" and phase != "cold":
                    continue  # it sends no validators: every run of it is a cold one
                log(f"{phase}: {side}")
                if side == "tidings":
                    step = _tidings_step(tidings, phase, ng, feeds, timeout, quiet_s)
                elif side == "reader":
                    step = _reader_step(reader, phase, ng, feeds, timeout, quiet_s)
                else:
                    step = _floor_step(urls, ng, feeds, timeout, quiet_s)
                results.steps.append(step)
                log(
                    f"{phase} {side}: {step.wall_s:.1f} s, {step.feeds_per_s:.1f} feeds/s, "
                    f"{step.new_items} new, stored {step.stored_items}, "
                    f"{step.peak_rss_mb:.0f} MB RSS, statuses {step.statuses} {step.note}"
                )
        _after(results, work, tidings, ng, opml, feeds, timeout, quiet_s)
    return results


def _after(
    results: UpdateResults,
    work: Path,
    tidings: Tidings,
    ng: nginx.Nginx,
    opml: Path,
    feeds: int,
    timeout: float,
    quiet_s: float,
) -> None:
    """What follows the timed steps: the server's steady state, then the profiled steps."""
    log("steady state: tidings serve checks every feed (all 304)")
    try:
        results.steady = steady.run(tidings, ng, feeds, quiet_s=quiet_s)
        s = results.steady
        log(
            f"steady: {s.checked} checked in {s.window_s:.1f} s, {s.window_cpu_ms:.0f} ms CPU "
            f"(idle {s.idle_cpu_ms:.0f} ms), {s.per_check_ms:.3f} ms per 304 {s.note}"
        )
    except RuntimeError as exc:
        results.errors.append(f"steady state: {exc}")
    log("profiles: cold and warm under cProfile, parsing in threads")
    results.profiles = cpuprofile.profiles(work, opml, timeout)
    for p in results.profiles:
        log(f"profile {p.phase}: {p.total_s:.1f} CPU s in {p.wall_s:.1f} s {p.note}")
