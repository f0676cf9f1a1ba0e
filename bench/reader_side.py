"""reader (the Python peer), in a venv of its own under bench/.work/, driven like tidings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.common import WORK, Run, measure

VERSION = "3.26"  # pinned so that runs compare; `pip index versions reader` shows the newest
# reader 3.26 vendors a feedparser that imports ``sgmllib``, which it expects from sgmllib3k (an
# old dependency of feedparser); feedparser 6.0.14 depends on feedparser-sgmllib instead, so
# without this reader cannot parse at all
EXTRA = ("sgmllib3k",)
VENV = WORK / "reader-venv"
RUNNER = Path(__file__).resolve().parent / "reader_runner.py"


def python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv() -> None:
    """Create the venv and install reader once; later runs reuse it."""
    if python().exists() and installed_version("reader") == VERSION and installed_version(EXTRA[0]):
        return
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run(
        [str(python()), "-m", "pip", "install", "--quiet", f"reader=={VERSION}", *EXTRA],
        check=True,
    )


def installed_version(package: str) -> str:
    if not python().exists():
        return ""
    out = subprocess.run(
        [str(python()), "-c", f"import importlib.metadata as m; print(m.version({package!r}))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip()


class Reader:
    """One reader database, from empty."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def _run(self, *args: str, timeout: float) -> Run:
        return measure([str(python()), str(RUNNER), *args], env=self.env, timeout=timeout)

    def subscribe(self, url_list: Path) -> Run:
        return self._run("add", str(self.db), str(url_list), timeout=300).check()

    def update_all(self, timeout: float, workers: int = 8) -> Run:
        return self._run("update", str(self.db), str(workers), timeout=timeout)

    def count_entries(self) -> int:
        run = self._run("count", str(self.db), timeout=120).check()
        return int(result(run)["entries"])


def result(run: Run) -> dict[str, Any]:
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"no result from the reader runner:\n{run.stderr[-2000:]}")
    data: dict[str, Any] = json.loads(lines[-1])
    return data
