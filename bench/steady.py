"""The server's steady state: the CPU time ``tidings serve`` spends on a feed check answered 304.

Over an installation whose every feed has been fetched (so each has its validators), every
feed's ``next_check`` is set (in SQLite directly) to one moment ``LEAD_S`` seconds ahead, and the
server is started: it starts and settles with nothing due, its scheduler sleeps until that
moment, then checks every feed; nginx answers 304 to each. The window opens just before the
moment and ends when no feed is left with that ``next_check``, or at a deadline. The CPU time of
the server's processes (its own and any children's, from /proc) over the window, less the CPU
time it spends idle over as long a window just after, divided by the 304s nginx logged, is the
cost of one check.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sqlite3
import subprocess
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import nginx
from bench.common import free_port, wait_quiet
from bench.tidings_side import Tidings

LEAD_S = 20.0  # every feed comes due this long after the server is started
START_DEADLINE_S = 15.0
TARGET_MS = 0.5


@dataclass(slots=True)
class Steady:
    feeds: int
    checked: int  # feeds whose next_check moved on from the past one within the window
    statuses: dict[int, int]  # nginx's answers within the window
    window_s: float
    window_cpu_ms: float
    idle_s: float
    idle_cpu_ms: float  # the server's CPU time over a window of the same length, nothing due
    idle_requests: int  # requests nginx saw meanwhile (0 expected)
    ok: bool
    note: str = ""
    idle_before: float = 1.0

    @property
    def not_modified(self) -> int:
        return self.statuses.get(304, 0)

    @property
    def per_check_ms(self) -> float:
        """Server CPU ms per 304 check, the idle cost taken off."""
        scale = self.window_s / self.idle_s if self.idle_s else 1.0
        busy = self.window_cpu_ms - self.idle_cpu_ms * scale
        return busy / self.not_modified if self.not_modified else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "per_check_ms": self.per_check_ms}


def tree_cpu_ms(root: int) -> float:
    """CPU time (user + system) of ``root``, its live descendants and the children they reaped."""
    procs: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        procs[int(entry.name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    ticks, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in procs:
            continue
        seen.add(pid)
        ticks += procs[pid][1]
        todo.extend(child for child, (ppid, _) in procs.items() if ppid == pid)
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def _sql(db: Path, statement: str, *args: str) -> int:
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn, conn:
        cur = conn.execute(statement, args)
        row = cur.fetchone() if statement.lstrip().upper().startswith("SELECT") else None
        return int(row[0]) if row else cur.rowcount


def _waiting(db: Path, bound: str) -> int:
    return _sql(db, "SELECT count(*) FROM feeds WHERE next_check < ?", bound)


class Server:
    """``tidings serve`` of installation ``t``, its scheduler on, on a free loopback port."""

    def __init__(self, t: Tidings, logs: Path) -> None:
        self.port = free_port()
        self.log = logs.open("wb")
        self.proc = subprocess.Popen(
            [*t.exe, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=t.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_DEADLINE_S
        url = f"http://127.0.0.1:{self.port}/healthz"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("tidings serve did not start") from None
                time.sleep(0.2)

    def cpu_ms(self) -> float:
        return tree_cpu_ms(self.proc.pid)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(15)
        self.log.close()


def _stamp(epoch: float) -> str:
    """The stored form of a time in SQLite (naive UTC, microseconds)."""
    return time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(epoch))


def run(
    t: Tidings, ng: nginx.Nginx, feeds: int, *, deadline_s: float = 120.0, quiet_s: float = 45.0
) -> Steady:
    """Every feed of ``t`` checked once by its server (all 304); bounded by ``deadline_s``."""
    db = t.db
    idle_before = wait_quiet(quiet_s)
    due_at = float(math.ceil(time.time() + LEAD_S))  # a whole second: stored exactly
    _sql(db, "UPDATE feeds SET next_check = ?", _stamp(due_at))
    bound = _stamp(due_at + 60)  # a check moves next_check an hour or more past due_at
    server = Server(t, t.data_dir / "serve.log")
    try:
        lead = due_at - time.time()
        if lead < 1.0:
            raise RuntimeError(f"tidings serve took {LEAD_S - lead:.0f} s to start")
        time.sleep(lead - 0.5)  # started and settled; nothing is due yet
        ng.mark()
        t0, cpu0 = time.perf_counter(), server.cpu_ms()
        left = feeds
        while left and time.perf_counter() - t0 < deadline_s and server.proc.poll() is None:
            time.sleep(0.25)
            left = _waiting(db, bound)
        t1, cpu1 = time.perf_counter(), server.cpu_ms()
        traffic = ng.traffic()
        window = t1 - t0
        ng.mark()
        time.sleep(window)  # the idle baseline: as long, nothing due
        t2, cpu2 = time.perf_counter(), server.cpu_ms()
        idle = ng.traffic()
    finally:
        server.stop()
    ok = left == 0 and traffic.statuses == {304: feeds}
    note = "" if ok else f"{left} feeds not checked within {window:.0f} s; {traffic.statuses}"
    return Steady(
        feeds, feeds - left, traffic.statuses, window, cpu1 - cpu0, t2 - t1, cpu2 - cpu1,
        idle.requests, ok, note, idle_before,
    )  # fmt: skip


def section(s: Steady | None) -> str:
    """The paragraph and table of the "Update" section on the server's steady state."""
    if s is None:
        return ""
    ok = s.ok and s.per_check_ms <= TARGET_MS
    verdict = f"**{'met' if ok else 'missed'}** ({s.per_check_ms / TARGET_MS * 100:.0f}% of it)"
    answers = ", ".join(f"{c}×{st}" for st, c in sorted(s.statuses.items())) or "none"
    return (
        "\nSteady state in `tidings serve`: over the installation the steps above left (every "
        "feed fetched, its validators stored), every feed's `next_check` was set (in SQLite) "
        f"to one moment {LEAD_S:g} s ahead and the server (`tidings serve`, its scheduler on) "
        "was started; once it had started and settled, with nothing due, the window opened "
        "just before that moment and closed when its scheduler had checked every feed. The "
        "server's CPU time (its process and any children, from /proc, in 10 ms ticks) over "
        "the window, less its CPU time over an idle window of the same length just after, is "
        "divided by the 304s nginx logged.\n\n"
        "| feeds checked | answers | window s | server CPU ms in it | idle CPU ms | "
        "CPU ms per 304 check | CPU idle before | target | result |\n"
        "|---:|---|---:|---:|---:|---:|---:|---|---|\n"
        f"| {s.checked:,} of {s.feeds:,} | {answers} | {s.window_s:,.1f} | "
        f"{s.window_cpu_ms:,.0f} | {s.idle_cpu_ms:,.0f} | {s.per_check_ms:.3f} | "
        f"{s.idle_before * 100:.0f}% | ≤ {TARGET_MS:g} ms | {verdict}"
        + (f"; {s.note}" if s.note else "")
        + " |\n"
    )
