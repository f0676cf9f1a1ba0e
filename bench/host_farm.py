"""1,000 loopback feeds on 50 hosts: does the per-host cap hold, counted at the server?

    python -m bench.host_farm [--feeds 1000] [--hosts 50] [--delay 0.2] [--gap 0.5]

Builds the feed farm of ``bench/farm.py`` (RSS, Atom, RDF and JSON Feed, 5 KB to ``--max-size``
each, feed ``i`` on host ``i % hosts``) and serves it from one separate process (aiohttp) on 50
loopback addresses, 127.0.1.1 ... 127.0.1.50 (the same port on each), every answer held
``--delay`` seconds so that requests overlap. The server counts, per address, the requests being
answered at once and keeps the peak, and when each one started.

tidings subscribes every feed through OPML import, then, each as a whole ``tidings`` process:
a cold ``update --all`` (every item new), a warm one (every answer a 304), and one with
``TIDINGS_HOST_MIN_GAP`` to show the gap held. For each run it prints the time, the summary
line, the peak concurrency per host (the cap is 2) and overall, and the smallest gap between two
request starts on one host. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.farm import build

SERVER = r"""
import asyncio, json, sys, time
from aiohttp import web

root, port, hosts, delay = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
active, peak, count, starts = {}, {}, {}, {}
state = {"active": 0, "peak": 0}

@web.middleware
async def track(request, handler):
    if request.path.startswith("/__"):
        return await handler(request)
    host = request.transport.get_extra_info("sockname")[0]
    active[host] = active.get(host, 0) + 1
    peak[host] = max(peak.get(host, 0), active[host])
    state["active"] += 1
    state["peak"] = max(state["peak"], state["active"])
    count[host] = count.get(host, 0) + 1
    starts.setdefault(host, []).append(time.monotonic())
    try:
        await asyncio.sleep(delay)
        return await handler(request)
    finally:
        active[host] -= 1
        state["active"] -= 1

async def stats(request):
    gaps = [min(b - a for a, b in zip(s, s[1:])) for s in map(sorted, starts.values())
            if len(s) > 1]
    top = max(peak.values(), default=0)
    return web.json_response({
        "hosts": len(count), "requests": sum(count.values()), "peak_per_host": top,
        "hosts_at_peak": sum(1 for v in peak.values() if v == top),
        "peak_overall": state["peak"], "min_gap": min(gaps, default=None),
        "per_host_requests": sorted(set(count.values())),
    })

async def reset(request):
    active.clear(); peak.clear(); count.clear(); starts.clear(); state.update(active=0, peak=0)
    return web.json_response({"ok": True})

async def main():
    app = web.Application(middlewares=[track])
    app.router.add_get("/__stats", stats)
    app.router.add_get("/__reset", reset)
    app.router.add_static("/", root, append_version=False)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for n in range(1, hosts + 1):
        await web.TCPSite(runner, f"127.0.1.{n}", port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def control(port: int, what: str) -> dict[str, object]:
    with urllib.request.urlopen(f"http://127.0.1.1:{port}/__{what}", timeout=10) as resp:
        result: dict[str, object] = json.loads(resp.read())
        return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--port", type=int, default=18082)
    ap.add_argument("--delay", type=float, default=0.2, help="seconds each answer is held")
    ap.add_argument("--gap", type=float, default=0.5, help="TIDINGS_HOST_MIN_GAP of run 3")
    ap.add_argument("--max-size", type=int, default=50_000, help="largest feed, bytes")
    args = ap.parse_args()
    if not 1 <= args.hosts <= 250:
        raise SystemExit("--hosts must be from 1 to 250 (127.0.1.1 ... 127.0.1.250)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "farm"
        farm = build(
            root, args.feeds, port=args.port, host_count=args.hosts, max_size=args.max_size
        )
        opml = farm.write_opml(Path(tmp) / "farm.opml")
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SERVER,
                str(root),
                str(args.port),
                str(args.hosts),
                str(args.delay),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        env = {
            **os.environ,
            "TIDINGS_DATA_DIR": str(Path(tmp) / "data"),
            "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        }
        tidings = [sys.executable, "-m", "tidings.cli"]
        try:
            assert server.stdout is not None
            if server.stdout.readline().strip() != "ready":
                raise SystemExit("the farm server did not start")
            subprocess.run(
                [*tidings, "import", str(opml)], env=env, check=True, capture_output=True
            )
            print(
                f"{args.feeds} feeds ({farm.total_bytes / 1e6:.1f} MB, {farm.total_items} items) "
                f"on {args.hosts} hosts (127.0.1.1 ... 127.0.1.{args.hosts}), answers held "
                f"{args.delay * 1000:g} ms; per-host cap 2, global cap 64"
            )
            runs = [
                ("cold", {}),
                ("warm", {}),
                (f"gap {args.gap:g} s", {"TIDINGS_HOST_MIN_GAP": str(args.gap)}),
            ]
            for label, extra in runs:
                control(args.port, "reset")
                start = time.perf_counter()
                out = subprocess.run(
                    [*tidings, "update", "--all"],
                    env={**env, **extra},
                    check=True,
                    capture_output=True,
                    text=True,
                )
                took = time.perf_counter() - start
                stats = control(args.port, "stats")
                summary = out.stdout.strip().splitlines()[0]
                gap = stats["min_gap"]
                print(
                    f"{label}: {took:.1f} s = {args.feeds / took:.0f} feeds/s [{summary}]; "
                    f"{stats['requests']} requests to {stats['hosts']} hosts "
                    f"({stats['per_host_requests']} each); peak at once per host "
                    f"{stats['peak_per_host']} (reached by {stats['hosts_at_peak']} hosts), "
                    f"overall {stats['peak_overall']}; smallest gap between starts on one host "
                    f"{float(gap) * 1000 if isinstance(gap, (int, float)) else 0:.1f} ms"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
