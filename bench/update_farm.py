"""Time `tidings update --all` on N generated feeds served on loopback.

    python bench/update_farm.py --feeds 1000

Builds a farm of RSS 2.0, Atom and JSON feeds (30 items each, HTML summaries) in a temporary
folder, serves it with an aiohttp static server in a separate process on 127.0.0.1, subscribes
every feed through OPML import, then times a cold update (every item new) and a warm update
(every answer a 304), each as a whole `tidings` process. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ITEMS = 30
PARA = (
    "<p>Lorem ipsum dolor sit amet, <a href='/rel/{n}'>consectetur</a> adipiscing elit, sed do "
    "<em>eiusmod</em> tempor incididunt ut labore et dolore magna aliqua.</p>"
)


def rss(i: int) -> str:
    items = "".join(
        f"<item><title>Story {i}-{n}</title><link>http://example.org/{i}/{n}</link>"
        f"<guid>urn:{i}:{n}</guid><pubDate>Fri, {1 + n % 27:02d} Nov 2026 10:00:00 +0000</pubDate>"
        f"<description><![CDATA[{PARA.format(n=n) * 3}]]></description></item>"
        for n in range(ITEMS)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {i}</title><link>http://example.org/{i}/</link>"
        f"<description>Feed number {i}</description>{items}</channel></rss>"
    )


def atom(i: int) -> str:
    entries = "".join(
        f"<entry><title>Entry {i}-{n}</title><id>urn:{i}:{n}</id>"
        f'<link href="http://example.org/{i}/{n}"/><updated>2026-11-{1 + n % 27:02d}T10:00:00Z'
        f'</updated><content type="html">{(PARA.format(n=n) * 3).replace("<", "&lt;")}'
        f"</content></entry>"
        for n in range(ITEMS)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Feed {i}</title><id>urn:feed:{i}</id>{entries}</feed>"
    )


def jsonfeed(i: int) -> str:
    import json

    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"Feed {i}",
            "items": [
                {
                    "id": f"urn:{i}:{n}",
                    "url": f"http://example.org/{i}/{n}",
                    "title": f"Item {i}-{n}",
                    "content_html": PARA.format(n=n) * 3,
                    "date_published": f"2026-11-{1 + n % 27:02d}T10:00:00Z",
                }
                for n in range(ITEMS)
            ],
        }
    )


def build(root: Path, count: int) -> list[str]:
    names = []
    for i in range(count):
        kind = i % 3
        name = f"f{i}." + ("xml" if kind == 0 else "atom" if kind == 1 else "json")
        body = rss(i) if kind == 0 else atom(i) if kind == 1 else jsonfeed(i)
        (root / name).write_text(body, encoding="utf-8")
        names.append(name)
    return names


SERVER = """
import sys
from aiohttp import web
app = web.Application()
app.router.add_static("/", sys.argv[1], append_version=False)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--port", type=int, default=18081)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "farm"
        root.mkdir()
        names = build(root, args.feeds)
        size = sum(p.stat().st_size for p in root.iterdir())
        outlines = "".join(
            f'<outline type="rss" text="{n}" xmlUrl="http://127.0.0.1:{args.port}/{n}"/>'
            for n in names
        )
        opml = Path(tmp) / "farm.opml"
        opml.write_text(
            f'<?xml version="1.0"?><opml version="2.0"><head><title>farm</title>'
            f"</head><body>{outlines}</body></opml>"
        )
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(root), str(args.port)])
        env = {
            **os.environ,
            "TIDINGS_DATA_DIR": str(Path(tmp) / "data"),
            "TIDINGS_ALLOWED_NETWORKS": "127.0.0.1",
        }
        tidings = [sys.executable, "-m", "tidings.cli"]
        try:
            time.sleep(1.5)
            subprocess.run(
                [*tidings, "import", str(opml)], env=env, check=True, capture_output=True
            )
            for label in ("cold", "warm"):
                start = time.perf_counter()
                out = subprocess.run(
                    [*tidings, "update", "--all"],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                took = time.perf_counter() - start
                summary = out.stdout.strip().splitlines()[0]
                print(
                    f"{label}: {args.feeds} feeds ({size / 1e6:.1f} MB) in {took:.1f} s = "
                    f"{args.feeds / took:.0f} feeds/s  [{summary}]"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
