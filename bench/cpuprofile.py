"""Where an update's CPU time goes: tidings' cold and warm steps once more, under cProfile.

These runs come after the timed steps and are never timed themselves (the profiler costs a lot).
Each is one whole ``tidings update --all`` process started by bench/profile_runner.py, every
thread of it profiled by its own CPU clock; ``TIDINGS_PARSE_PROCESSES=0`` puts parsing in threads
of that process, so that it is in the profile (with worker processes it would not be). The tables
are the functions with the most CPU time of their own (all code), and the functions of tidings
with the most cumulative CPU time.
"""

from __future__ import annotations

import pstats
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.common import PY, Run, measure
from bench.tidings_side import Tidings

RUNNER = Path(__file__).resolve().parent / "profile_runner.py"
TOP = 15
OWN = "/src/tidings/"  # tidings' own files (an editable install)


@dataclass(frozen=True, slots=True)
class Row:
    function: str  # path:line(name), shortened
    calls: int
    own_s: float
    cumulative_s: float


@dataclass(slots=True)
class Profile:
    phase: str  # cold or warm
    wall_s: float  # under the profiler: not comparable with the timed steps
    total_s: float  # CPU seconds the profile accounts for (all threads)
    ok: bool
    note: str = ""
    by_own: list[Row] = field(default_factory=list)
    by_cumulative: list[Row] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def label(key: tuple[str, int, str]) -> str:
    """``path:line(name)`` with the path from ``tidings/`` or the installed package's folder."""
    path, line, name = key
    if path == "~":  # a built-in: its name says it all ("<method 'poll' of ...>")
        return name
    for marker in (OWN, "/site-packages/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            if marker == OWN:
                path = "tidings/" + path
            break
    return f"{path}:{line}({name})"


def tables(prof: Path, top: int = TOP) -> tuple[float, list[Row], list[Row]]:
    """The profile's total CPU seconds, its top functions by own time, and tidings' own top
    functions by cumulative time."""
    stats: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    ps = pstats.Stats(str(prof))
    stats = ps.stats  # type: ignore[attr-defined]
    rows = [
        (key, Row(label(key), int(nc), float(tt), float(ct)))
        for key, (_cc, nc, tt, ct, _callers) in stats.items()
    ]
    by_own = [r for _k, r in sorted(rows, key=lambda kr: kr[1].own_s, reverse=True)[:top]]
    ours = [(k, r) for k, r in rows if OWN in k[0]]
    by_cum = [r for _k, r in sorted(ours, key=lambda kr: kr[1].cumulative_s, reverse=True)[:top]]
    return float(ps.total_tt), by_own, by_cum  # type: ignore[attr-defined]


def profile_step(t: Tidings, phase: str, out: Path, timeout: float) -> Profile:
    """``tidings update --all`` of installation ``t`` under the profiler, parsing in threads."""
    env = {**t.env, "TIDINGS_PARSE_PROCESSES": "0"}
    argv = [str(PY), "-P", str(RUNNER), str(out), "update", "--all"]
    run: Run = measure(argv, env=env, timeout=timeout)
    if not run.ok or not out.exists():
        why = "timed out" if run.timed_out else f"exit {run.returncode}"
        tail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["?"]
        return Profile(phase, run.wall_s, 0.0, False, f"{why}: {tail[0][:200]}")
    total, by_own, by_cum = tables(out)
    return Profile(phase, run.wall_s, total, True, "", by_own, by_cum)


def profiles(work: Path, opml: Path, timeout: float) -> list[Profile]:
    """A fresh installation's cold update, then its warm one (the farm unchanged: all 304)."""
    t = Tidings(work / "profiled-data")
    t.subscribe(opml)
    return [profile_step(t, phase, work / f"{phase}.prof", timeout) for phase in ("cold", "warm")]


def section(found: list[Profile]) -> str:
    """The tables of the "Update" section: where the CPU time of the cold and warm steps went."""
    if not found:
        return ""
    out = [
        "\nWhere the CPU time goes: tidings' cold and warm steps once more after the timed ones, "
        "each one whole `tidings update --all` under cProfile (bench/profile_runner.py), every "
        "thread profiled by its own CPU clock and the threads added up. These runs parse in "
        "threads of the one process (`TIDINGS_PARSE_PROCESSES=0`; by default parsing runs in "
        "one worker process per core, which a profile of the main process "
        "would not see), and the profiler itself slows every call, so their times only compare "
        "with each other. Coroutines count each resumption as a call, and a function's "
        "cumulative time counts only its own thread: what it hands to the store's thread or to "
        "a parsing thread (`parse_document`, the store's batches) is counted there, not under "
        "the coroutine that waited for it.\n"
    ]
    for p in found:
        if not p.ok:
            out.append(f"\n{p.phase}: the profiled run failed ({p.note}).\n")
            continue
        out.append(
            f"\n{p.phase.capitalize()}: {p.total_s:,.1f} CPU s in the profile "
            f"({p.wall_s:,.1f} s wall under the profiler). Top {len(p.by_own)} by own time:\n\n"
        )
        out.append(_table(p.by_own, p.total_s))
        out.append(f"\n{p.phase.capitalize()}, tidings' own functions by cumulative time:\n\n")
        out.append(_table(p.by_cumulative, p.total_s))
    return "".join(out)


def _table(rows: list[Row], total: float) -> str:
    lines = [
        "| function | calls | own CPU s | own % | cumulative CPU s |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        share = r.own_s / total * 100 if total else 0.0
        name = r.function.replace("|", "\\|")
        lines.append(
            f"| `{name}` | {r.calls:,} | {r.own_s:,.2f} | {share:.1f}% | {r.cumulative_s:,.2f} |"
        )
    return "\n".join(lines) + "\n"
