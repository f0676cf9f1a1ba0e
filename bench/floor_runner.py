"""The floor of an update: fetch every URL with aiohttp and build each body's tree, nothing else.

    python -P bench/floor_runner.py URLS_FILE [PER_HOST [IN_ALL]]

At most PER_HOST requests at once per host (2) and IN_ALL in all (64), as tidings' defaults; no
validators, so every answer is a full one. Each 200 body is parsed where it arrives, on the event
loop: ``lxml.etree.fromstring`` with the parser of bench/parse_corpus.py, or ``json.loads`` for a
JSON feed. Nothing is stored. One JSON line on stdout: the statuses, the bytes, and where the time
went (imports, the loop, and the part of the loop spent parsing, timed around each parse).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402  (after the clock: imports are part of what is timed)
import json  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import aiohttp  # noqa: E402
from lxml import etree  # type: ignore[import-untyped]  # noqa: E402

IMPORTED = time.perf_counter()
PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


@dataclass(slots=True)
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    body_bytes: int = 0
    parsed: int = 0
    parse_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    def fail(self, url: str, why: str) -> None:
        self.errors.append(f"{url}: {why}")


def parse(url: str, content_type: str, body: bytes, tally: Tally) -> None:
    start = time.perf_counter()
    try:
        if "json" in content_type or url.endswith(".json"):
            json.loads(body)
        else:
            etree.fromstring(body, PARSER)
        tally.parsed += 1
    except (ValueError, etree.XMLSyntaxError) as exc:
        tally.fail(url, f"parse: {exc!r}"[:200])
    finally:
        tally.parse_s += time.perf_counter() - start


async def fetch(session: aiohttp.ClientSession, url: str, tally: Tally) -> None:
    try:
        async with session.get(url) as resp:
            body = await resp.read()
            status, content_type = resp.status, resp.headers.get("Content-Type", "")
    except (aiohttp.ClientError, TimeoutError) as exc:
        tally.fail(url, f"fetch: {exc!r}"[:200])
        return
    tally.statuses[status] += 1
    tally.body_bytes += len(body)
    if status == 200:
        parse(url, content_type, body, tally)  # the connection is back in the pool meanwhile


async def fetch_all(urls: list[str], per_host: int, in_all: int, tally: Tally) -> None:
    connector = aiohttp.TCPConnector(limit=in_all, limit_per_host=per_host)
    timeout = aiohttp.ClientTimeout(total=60, connect=10, sock_read=20)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(fetch(session, url, tally) for url in urls))


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as f:
        urls = [line.strip() for line in f if line.strip()]
    per_host = int(argv[1]) if len(argv) > 1 else 2
    in_all = int(argv[2]) if len(argv) > 2 else 64
    tally = Tally()
    loop_start = time.perf_counter()
    asyncio.run(fetch_all(urls, per_host, in_all, tally))
    loop_s = time.perf_counter() - loop_start
    out = {
        "urls": len(urls),
        "answers": sum(tally.statuses.values()),
        "statuses": dict(tally.statuses),
        "body_bytes": tally.body_bytes,
        "parsed": tally.parsed,
        "errors": tally.errors[:10],
        "error_count": len(tally.errors),
        "import_s": IMPORTED - STARTED,
        "loop_s": loop_s,
        "parse_s": tally.parse_s,
        "fetch_s": loop_s - tally.parse_s,  # the loop's time not spent parsing
        "cpu_s": time.process_time(),
    }
    print(json.dumps(out))
    return 0 if not tally.errors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
