"""WebSub's figures: ``python -m bench.websub [--pushes 20] [--corpus DIR]``.

Latency: ``tidings serve`` runs as its own process on loopback (its chore subscribes to the
hub at start), and a hub of the tests' own (``tests/websubhub.py``) pushes a new entry; the time
is measured from the start of the hub's content-distribution POST to the first answer of ``/``
(over HTTP) that shows the new item's title. Pushes go one after another; the figure is the
median (and the spread) of ``--pushes`` of them.

Declared hubs: the share of the corpus's feeds (``MANIFEST.tsv``) whose document declares a
WebSub hub, as tidings' parser reads it (``ParsedFeed.hubs``).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
from tests.websubhub import Hub, entry, free_port

from bench.common import ROOT

CORPUS = Path(os.environ.get("TIDINGS_CORPUS", "/work/shared/corpus"))


def hub_share(corpus: Path) -> tuple[int, int, Counter[str]]:
    """(feeds declaring a hub, feeds parsed, hubs by host) over the corpus's manifest."""
    from urllib.parse import urlsplit

    from tidings.errors import TidingsError
    from tidings.parse import parse_feed

    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as manifest:
        names = [row["file"] for row in csv.DictReader(manifest, delimiter="\t")]
    declaring, parsed, hosts = 0, 0, Counter[str]()
    for name in names:
        try:
            feed = parse_feed((corpus / "feeds" / name).read_bytes(), url="https://corpus.invalid/")
        except TidingsError:
            continue
        parsed += 1
        if feed.hubs:
            declaring += 1
            hosts.update(urlsplit(hub).hostname or "" for hub in feed.hubs)
    return declaring, parsed, hosts


async def _until(check: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.01)
    raise RuntimeError(f"not within {seconds} s")


async def _run(argv: list[str], env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(*argv, env=env)
    if await proc.wait():
        raise RuntimeError(f"{argv} failed")


async def latencies(pushes: int) -> list[float]:
    """Seconds from each push's POST to the item on ``/``, one push after another."""
    hub = await Hub(lease_seconds=3600).start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = Path(tempfile.mkdtemp(prefix="websub-bench-"))
    env = {
        **os.environ,
        "TIDINGS_DATA_DIR": str(data),
        "TIDINGS_BASE_URL": base,
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_SAMPLES": "false",
    }
    tidings = [sys.executable, "-m", "tidings.cli"]
    await _run([*tidings, "add", hub.feed_url], env)
    server = await asyncio.create_subprocess_exec(
        *tidings, "serve", "--host", "127.0.0.1", "--port", str(port), env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=None if os.environ.get("BENCH_VERBOSE") else asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    found: list[float] = []
    try:
        await _until(lambda: any(s.topic == hub.feed_url for s in hub.subscribers.values()), 30)
        async with httpx.AsyncClient(timeout=5) as http:
            for n in range(pushes):
                title = f"Pushed story {n}"
                hub.entries.append(entry(1000 + n, title))
                body = hub.document()
                started = time.perf_counter()
                statuses = await hub.distribute(hub.feed_url, body)
                assert statuses == [202], statuses
                for _ in range(2000):  # bounded: about 10 s
                    if title in (await http.get(base + "/")).text:
                        break
                    await asyncio.sleep(0.002)
                else:
                    raise RuntimeError(f"{title!r} never appeared on /")
                found.append(time.perf_counter() - started)
                await asyncio.sleep(0.1)
    finally:
        server.terminate()
        await server.wait()
        await hub.stop()
    return found


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.websub", description=__doc__)
    ap.add_argument("--pushes", type=int, default=20, help="pushes timed (default 20)")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="the feed corpus")
    args = ap.parse_args(argv)
    if (args.corpus / "MANIFEST.tsv").is_file():
        declaring, parsed, hosts = hub_share(args.corpus)
        print(
            f"corpus: {declaring} of {parsed} feeds declare a WebSub hub "
            f"({100 * declaring / parsed:.1f} %); hubs: {dict(hosts.most_common())}"
        )
    seconds = asyncio.run(latencies(args.pushes))
    ms = sorted(s * 1000 for s in seconds)
    print(
        f"push to /: {len(ms)} pushes, median {statistics.median(ms):.1f} ms, "
        f"p90 {ms[int(0.9 * (len(ms) - 1))]:.1f} ms, min {ms[0]:.1f} ms, max {ms[-1]:.1f} ms "
        f"(from {ROOT.name} at loopback)"
    )


if __name__ == "__main__":
    main()
