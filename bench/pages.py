"""Pages: latency and throughput of tidings' pages over a large database, beside the floor of
the same web stack (a constant Starlette route under uvicorn, run the same way).

Each route gets, in this order: one request to see what it answers (a route that 404s is
reported as such and not loaded), a short wrk warm-up, a sequential run on one keep-alive
connection (latency without queueing: p50, p99), then wrk for a bounded duration (throughput
and latency under load). Loopback only; every loop is bounded by a count and a deadline.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import pagedb
from bench.common import PY, free_port, wait_quiet
from bench.farm import VOCAB
from bench.tidings_side import Tidings

HERE = Path(__file__).resolve().parent


def log(msg: str) -> None:
    print(f"[pages] {msg}", file=sys.stderr, flush=True)


TIDINGS = "tidings"
NO_CACHE = "tidings, no cache"


@dataclass(slots=True)
class RouteResult:
    name: str  # as reported, e.g. "/sources/{id}"
    server: str  # "tidings" or "hello"
    paths: list[str]
    status: int  # of the first request
    bytes: int  # body size of the first request
    seq_requests: int = 0
    seq_p50_ms: float = 0.0
    seq_p99_ms: float = 0.0
    seq_by_path_p50_ms: dict[str, float] = field(default_factory=dict)
    rps: float = 0.0
    load_p50_ms: float = 0.0
    load_p99_ms: float = 0.0
    load_requests: int = 0
    non_2xx: int = 0
    errors: str = ""
    note: str = ""
    idle_before: float = 1.0


@dataclass(slots=True)
class PagesResults:
    db: dict[str, Any]
    wrk: str
    duration_s: float
    connections: int
    routes: list[RouteResult] = field(default_factory=list)
    hello_rps: float = 0.0

    def route(self, name: str, server: str = "tidings") -> RouteResult | None:
        return next((r for r in self.routes if r.name == name and r.server == server), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "db": self.db,
            "wrk": self.wrk,
            "duration_s": self.duration_s,
            "connections": self.connections,
            "routes": [asdict(r) for r in self.routes],
        }


class Server:
    """A child web server on 127.0.0.1, stopped (by its own pid) when the block ends."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int, log_path: Path) -> None:
        self.port = port
        self.log = log_path.open("wb")
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the server on port {self.port} exited ({self.proc.returncode})"
                )
            try:
                status, _ = get(self.port, path, timeout=5)
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server on port {self.port} did not answer {path} in time")

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.log.close()


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def sequential(
    port: int, paths: list[str], *, count: int, seconds: float
) -> tuple[list[float], dict[str, list[float]]]:
    """Up to ``count`` requests, one at a time on one keep-alive connection, for at most
    ``seconds``; the latency of each in ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times: list[float] = []
    by_path: dict[str, list[float]] = {p: [] for p in paths}
    deadline = time.monotonic() + seconds
    try:
        for i in range(count):
            if time.monotonic() > deadline and i >= len(paths):
                break
            path = paths[i % len(paths)]
            start = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            took = (time.perf_counter() - start) * 1000
            times.append(took)
            by_path[path].append(took)
            if resp.getheader("connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    finally:
        conn.close()
    return times, by_path


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


LUA = """\
local paths = {{{paths}}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        return 0.0
    return float(m.group(1)) * _UNITS[m.group(2)]


def wrk(
    port: int, paths: list[str], *, seconds: float, connections: int, script_dir: Path
) -> dict[str, Any]:
    exe = shutil.which("wrk")
    if exe is None:
        raise SystemExit("bench: wrk is missing; apt-get update && apt-get install -y wrk nginx")
    script = script_dir / "paths.lua"
    script.write_text(LUA.format(paths=", ".join(f'"{p}"' for p in paths)))
    argv = [
        exe, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "--latency",
        "-s", str(script), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    out = subprocess.run(
        argv, capture_output=True, text=True, timeout=seconds + 60, check=False
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": _ms(p50.group(1)) if p50 else 0.0,
        "p99": _ms(p99.group(1)) if p99 else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": errors.group(1).strip() if errors else "",
        "raw": out,
    }


def wrk_version() -> str:
    exe = shutil.which("wrk")
    if exe is None:
        return "missing"
    out = subprocess.run([exe, "-v"], capture_output=True, text=True, check=False)
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].split(" [")[0].replace("debian/", "") if first else "?"


SEARCHES = (
    "river",  # in most items
    "zeppelin lighthouse",  # two words, both fairly common
    '"harbour council"',  # a phrase
    "telescope -comet",  # with an excluded word
    VOCAB[2000],  # a rare made-up word
    "glacier OR galaxy",
)


def measure_route(
    name: str,
    server: str,
    port: int,
    paths: list[str],
    *,
    seconds: float,
    connections: int,
    seq_count: int,
    work: Path,
) -> RouteResult:
    idle = wait_quiet()
    status, body = get(port, paths[0])
    res = RouteResult(name, server, paths, status, len(body), idle_before=idle)
    if status == 404:
        res.note = "404: the route does not exist yet"
        log(f"{server} {name}: 404, not loaded")
        return res
    # warm-up one request at a time (wrk here would leave a slow route's queue still running
    # behind the measurements): each path once, then more for at most 2 s
    sequential(port, paths, count=max(len(paths), 50), seconds=2.0)
    times, by_path = sequential(port, paths, count=seq_count, seconds=max(5.0, seconds))
    res.seq_requests = len(times)
    res.seq_p50_ms = percentile(times, 50)
    res.seq_p99_ms = percentile(times, 99)
    if len(paths) > 1:
        res.seq_by_path_p50_ms = {p: percentile(t, 50) for p, t in by_path.items()}
    w = wrk(port, paths, seconds=seconds, connections=connections, script_dir=work)
    res.rps, res.load_p50_ms, res.load_p99_ms = w["rps"], w["p50"], w["p99"]
    res.load_requests, res.non_2xx, res.errors = w["requests"], w["non_2xx"], w["errors"]
    if status >= 400:
        res.note = f"answers {status}"
    log(
        f"{server} {name}: {status}, seq p50 {res.seq_p50_ms:.1f} ms p99 {res.seq_p99_ms:.1f} ms; "
        f"{res.rps:.0f} req/s, load p50 {res.load_p50_ms:.1f} ms p99 {res.load_p99_ms:.1f} ms"
        + (f", {res.non_2xx} non-2xx" if res.non_2xx else "")
    )
    return res


def run(
    work: Path,
    *,
    feeds: int,
    items: int,
    seconds: float,
    connections: int,
    seq_count: int = 300,
) -> PagesResults:
    data_dir = work / "pages-data"
    log(f"generating a database of {items} items in {feeds} feeds")
    db = pagedb.generate(data_dir, feeds=feeds, items=items)
    log(f"database made in {db['seconds']} s ({db['db_mb']} MB)")
    results = PagesResults(db, wrk_version(), seconds, connections)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    measure = partial(
        measure_route, seconds=seconds, connections=connections, seq_count=seq_count, work=work
    )

    port = free_port()
    hello = [str(PY), str(HERE / "hello_app.py"), str(port)]
    with Server(hello, env, port, work / "hello.log") as srv:
        srv.wait_ready("/")
        r = measure("hello", "hello", port, ["/"])
        results.routes.append(r)
        results.hello_rps = r.rps

    tidings = Tidings(data_dir)
    step = max(1, feeds // 20)
    routes = {
        "/": ["/"],
        "/sources/{id}": [f"/sources/{i}" for i in range(1, feeds + 1, step)],
        "/search?q=": [f"/search?q={quote(q)}" for q in SEARCHES],
        "/rss.xml": ["/rss.xml"],
    }
    for server, cache in ((TIDINGS, None), (NO_CACHE, "0")):
        env = dict(tidings.env)
        if cache is not None:  # every request rendered from the database: the real work
            env["TIDINGS_PAGE_CACHE_SECONDS"] = cache
        for name, paths in routes.items():
            # a fresh server per route: requests a slow route leaves queued when wrk stops would
            # otherwise still be running while the next route is measured
            port = free_port()
            argv = [*tidings.exe, "serve", "--host", "127.0.0.1", "--port", str(port)]
            argv.append("--no-scheduler")
            slug = re.sub(r"[^a-z]+", "-", f"{name} {server}").strip("-") or "index"
            with Server(argv, env, port, work / f"serve-{slug}.log") as srv:
                srv.wait_ready("/healthz", timeout=120)
                results.routes.append(measure(name, server, port, paths))
    return results
