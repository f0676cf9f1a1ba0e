"""tidings as the benchmark drives it: the ``tidings`` command, one whole process per step."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.common import PY, Run, measure

SUMMARY = re.compile(
    r"(\d+) feeds: (\d+) new items, (\d+) changed, (\d+) not modified, (\d+) failed"
)


@dataclass(frozen=True, slots=True)
class Summary:
    feeds: int
    new: int
    changed: int
    not_modified: int
    failed: int
    failures: list[str]


def compile_sources() -> None:
    """Byte-compile tidings' sources, as installing a package does: the checkout is installed in
    editable mode, and with PYTHONDONTWRITEBYTECODE set (as on some machines) every measured
    process would otherwise compile every module again, which no installed tidings does (reader,
    installed from its wheel, is compiled by pip)."""
    src = Path(__file__).resolve().parents[1] / "src" / "tidings"
    subprocess.run([str(PY), "-m", "compileall", "-q", str(src)], check=True)


class Tidings:
    """One installation in its own data directory, from an empty database."""

    def __init__(self, data_dir: Path, *, extra_env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "TIDINGS_DATA_DIR": str(data_dir),
            "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
            "TIDINGS_SAMPLES": "false",
            **(extra_env or {}),
        }
        self.env.pop("TIDINGS_DATABASE_URL", None)
        self.env.pop("TIDINGS_CONFIG", None)

    @property
    def exe(self) -> list[str]:
        script = PY.parent / "tidings"
        return [str(script)] if script.exists() else [str(PY), "-m", "tidings.cli"]

    def run(self, *args: str, timeout: float = 600.0) -> Run:
        return measure([*self.exe, *args], env=self.env, timeout=timeout)

    def subscribe(self, opml: Path) -> Run:
        return self.run("import", str(opml), timeout=300).check()

    def update_all(self, timeout: float) -> Run:
        return self.run("update", "--all", timeout=timeout)

    @property
    def db(self) -> Path:
        return self.data_dir / "tidings.db"

    def count_items(self) -> int:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])


def summary(run: Run) -> Summary:
    m = SUMMARY.search(run.stdout)
    if not m:
        raise RuntimeError(f"no summary in the output of tidings update:\n{run.stdout[-2000:]}")
    feeds, new, changed, same, failed = (int(g) for g in m.groups())
    failures = [ln.strip() for ln in run.stdout.splitlines() if ln.strip().startswith("failed ")]
    return Summary(feeds, new, changed, same, failed, failures)
