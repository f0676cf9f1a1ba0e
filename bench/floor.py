"""The floor side of the update part: aiohttp and lxml alone (bench/floor_runner.py), one process.

It fetches what tidings fetches with the same limits and builds each document's tree, and stores
nothing: what an update costs before anything of an aggregator is added. It never sends
validators, so each of its runs is a full fetch of the farm.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import PY, Run, measure

RUNNER = Path(__file__).resolve().parent / "floor_runner.py"


@dataclass(frozen=True, slots=True)
class FloorResult:
    """What the floor process says of itself (bench/floor_runner.py's JSON line)."""

    answers: int
    statuses: dict[int, int]
    body_bytes: int
    parsed: int
    errors: list[str]
    import_s: float
    loop_s: float
    parse_s: float
    fetch_s: float

    def shares(self) -> dict[str, float]:
        return {
            "import_s": self.import_s,
            "loop_s": self.loop_s,
            "fetch_s": self.fetch_s,
            "parse_s": self.parse_s,
        }


class Floor:
    def __init__(self, per_host: int = 2, in_all: int = 64) -> None:
        self.per_host = per_host
        self.in_all = in_all

    def update_all(self, url_list: Path, timeout: float) -> Run:
        argv = [str(PY), "-P", str(RUNNER), str(url_list), str(self.per_host), str(self.in_all)]
        return measure(argv, timeout=timeout)


def result(run: Run) -> FloorResult:
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"no result from the floor runner:\n{run.stderr[-2000:]}")
    data: dict[str, Any] = json.loads(lines[-1])
    return FloorResult(
        answers=int(data["answers"]),
        statuses={int(k): int(v) for k, v in data["statuses"].items()},
        body_bytes=int(data["body_bytes"]),
        parsed=int(data["parsed"]),
        errors=[str(e) for e in data["errors"]],
        import_s=float(data["import_s"]),
        loop_s=float(data["loop_s"]),
        parse_s=float(data["parse_s"]),
        fetch_s=float(data["fetch_s"]),
    )
