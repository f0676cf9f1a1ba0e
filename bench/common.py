"""What every part of the benchmark shares: paths, timed child processes, the machine's facts."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
WORK = ROOT / "bench" / ".work"  # gitignored: the reader venv, farms, databases, raw results
PY = ROOT / ".venv" / "bin" / "python"


@dataclass(frozen=True, slots=True)
class Run:
    """One child process, measured from fork to exit."""

    argv: list[str]
    wall_s: float
    peak_rss_mb: float  # ru_maxrss of the child (the largest of it and its waited-for children)
    cpu_s: float  # user + system CPU time of the child
    returncode: int
    timed_out: bool
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def check(self) -> Run:
        if not self.ok:
            why = f"timed out after {self.wall_s:.0f} s" if self.timed_out else "failed"
            tail = "\n".join((self.stderr or self.stdout).strip().splitlines()[-15:])
            raise RuntimeError(f"{' '.join(self.argv)} {why} ({self.returncode}):\n{tail}")
        return self


# A small launcher between the harness and each measured process. A child's ru_maxrss also
# counts the image it had before exec: a process forked straight from the harness (hundreds of
# MB after making the page database) would report the harness's size. Forked from this launcher
# (a few MB), it reports its own. The launcher also times the child itself, from fork to exit.
LAUNCHER = """
import json, os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_pid, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(out, "w") as f:
    json.dump({"wall": wall, "maxrss_kb": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime,
               "code": os.waitstatus_to_exitcode(status)}, f)
"""


def measure(
    argv: list[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 600.0,
    cwd: Path | None = None,
    logs: Path | None = None,
) -> Run:
    """Run ``argv`` to its end (killed at ``timeout``), with its wall time and peak RSS."""
    logs = logs or WORK / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stamp = f"{time.time_ns()}"
    out_path, err_path = logs / f"{stamp}.out", logs / f"{stamp}.err"
    usage_path = logs / f"{stamp}.json"
    launcher = [sys.executable, "-S", "-c", LAUNCHER, str(usage_path), *argv]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            launcher, env=env, cwd=cwd, stdout=out, stderr=err, start_new_session=True
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the launcher's own group: it and its child

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        outer = time.perf_counter() - start
    wall, rss_kb, cpu, code = outer, 0, 0.0, proc.returncode
    if usage_path.exists():
        usage = json.loads(usage_path.read_text())
        wall, rss_kb, cpu, code = usage["wall"], usage["maxrss_kb"], usage["cpu"], usage["code"]
    return Run(
        argv=argv,
        wall_s=wall,
        peak_rss_mb=rss_kb / 1024,
        cpu_s=cpu,
        returncode=code,
        timed_out=killed.is_set(),
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )


def cpu_idle(seconds: float = 1.0) -> float:
    """The fraction of the machine's CPU time that was idle over the next ``seconds``."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total

    idle0, total0 = sample()
    time.sleep(seconds)
    idle1, total1 = sample()
    return (idle1 - idle0) / max(1, total1 - total0)


def wait_quiet(max_wait: float = 45.0, idle: float = 0.9) -> float:
    """Wait (at most ``max_wait`` s) until the machine is at least ``idle`` idle over a second:
    other people's processes share this machine. Return the idle fraction last seen."""
    deadline = time.monotonic() + max_wait
    seen = cpu_idle()
    while seen < idle and time.monotonic() < deadline:
        seen = cpu_idle()
    return seen


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> dict[str, str]:
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "cpu": cpu or platform.processor(),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def git_state() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--", "src")
    return f"{head}" + (" + uncommitted changes under src/" if dirty else "")


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def free_port(host: str = "127.0.0.1") -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])
