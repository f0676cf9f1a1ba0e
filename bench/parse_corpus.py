"""Parser throughput on the shared corpus: tidings' fast path against feedparser and bare lxml.

    python bench/parse_corpus.py [--runs 5] [--suite] [--update-doc docs/performance.md]

Every corpus file is read into memory first; each parser then parses all of them in one round,
``--runs`` rounds, and the best round counts (the least disturbed by other work on the machine).
MB/s is corpus bytes over that time, feeds/s is files over it. The four rows:

- tidings (fast path): ``parse_feed``, lxml first and feedparser for what it declines, with
  decoding, the DTD policy, nh3 sanitizing and URL checks (the full ParsedFeed);
- tidings (feedparser path): the same ParsedFeed through feedparser only;
- feedparser.parse: bare feedparser with its defaults, for reference (its own sanitizer);
- lxml fromstring: the tree build alone, with the fast path's parser options.

``--suite`` also runs feedparser's test documents through the fast path's adapter (see
tests/parse/test_feedparser_suite.py) and through feedparser, and prints both tables.
``--update-doc`` rewrites the "Parsing" section of that file and keeps every other section.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import platform
import re
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import feedparser  # noqa: E402
from lxml import etree  # type: ignore[import-untyped]  # noqa: E402
from tests.parse.conftest import corpus_dir  # noqa: E402

import tidings.parse.fastxml as fastxml  # noqa: E402
from tidings.errors import ParseError  # noqa: E402
from tidings.parse import _parse, parse_feed  # noqa: E402

URL = "https://corpus.example.org/feeds/feed.xml"


def _tidings_fast(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_feed(body, url=URL, headers={})


def _tidings_feedparser(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        _parse(body, url=URL, headers={}, max_items=5000, path="feedparser")


def _feedparser(body: bytes) -> None:
    feedparser.parse(io.BytesIO(body))


_LXML = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


def _lxml(body: bytes) -> None:
    with contextlib.suppress(etree.XMLSyntaxError):
        etree.fromstring(body, _LXML)


PARSERS: list[tuple[str, Callable[[bytes], None]]] = [
    ("tidings (fast path)", _tidings_fast),
    ("tidings (feedparser path)", _tidings_feedparser),
    ("feedparser.parse", _feedparser),
    ("lxml fromstring", _lxml),
]


def best_round(parse: Callable[[bytes], None], bodies: list[bytes], runs: int) -> float:
    """The fastest of ``runs`` rounds over all bodies, in seconds."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        for body in bodies:
            parse(body)
        best = min(best, time.perf_counter() - start)
    return best


def fast_path_declines(paths: list[Path]) -> list[str]:
    """The files the fast path hands to feedparser."""
    declined = []
    for path in paths:
        try:
            _parse(path.read_bytes(), url=URL, headers={}, max_items=5000, path="fast")
        except fastxml.Decline:
            declined.append(path.name)
        except ParseError:
            pass
    return declined


def suite_tables() -> tuple[str, str]:
    from tests.parse.test_feedparser_suite import TESTS, fast_path_result, load_harness

    harness = load_harness()
    tables = []
    for parse in (fast_path_result, lambda data: feedparser.parse(data)):
        run = harness.run_suite(str(TESTS), parse)
        tables.append(harness.format_table(harness.summarise(run["groups"], 2)))
    return tables[0], tables[1]


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Python {platform.python_version()}, lxml {'.'.join(map(str, etree.LXML_VERSION[:3]))}"
        f" (libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}), feedparser "
        f"{feedparser.__version__}, {os.cpu_count()} CPUs, load average {load:.1f} at the start"
    )


def section(results: dict[str, float], size: int, count: int, runs: int, extra: str) -> str:
    fast, lxml = results["tidings (fast path)"], results["lxml fromstring"]
    bare = results["feedparser.parse"]
    lines = [
        "## Parsing\n",
        "",
        f"`python bench/parse_corpus.py --runs {runs}`: all {count} files of the shared corpus "
        f"({size / 1e6:.2f} MB) parsed in one round, best of {runs} rounds. {machine()}.",
        "",
        "| parser | MB/s | feeds/s | time per round | vs feedparser.parse | vs lxml |",
        "|---|---|---|---|---|---|",
    ]
    for name, seconds in results.items():
        lines.append(
            f"| {name} | {size / seconds / 1e6:.1f} | {count / seconds:.0f} | "
            f"{seconds * 1000:.0f} ms | {bare / seconds:.1f}x | {lxml / seconds:.2f}x |"
        )
    lines += [
        "",
        f"The fast path is {bare / fast:.1f}x bare feedparser and takes {fast / lxml:.1f}x the "
        "time of the bare lxml tree build; the rest of its time is decoding, the DTD policy, "
        "reading the tree and above all sanitizing every HTML field with nh3.",
        "",
        extra.rstrip(),
        "",
    ]
    return "\n".join(lines)


def update_doc(path: Path, text: str) -> None:
    """Replace (or add) the "## Parsing" section; every other section stays as it is."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    parts = re.split(r"(?m)^(?=## )", old)
    kept = [part for part in parts if not part.startswith("## Parsing")]
    if len(kept) == len(parts):
        kept.append(text)
    else:
        index = next(i for i, part in enumerate(parts) if part.startswith("## Parsing"))
        kept.insert(index, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(p if p.endswith("\n\n") else p.rstrip("\n") + "\n\n" for p in kept)
                    .rstrip("\n") + "\n", encoding="utf-8")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="rounds per parser (best counts)")
    ap.add_argument("--suite", action="store_true", help="also run feedparser's test documents")
    ap.add_argument("--update-doc", type=Path, help="rewrite this file's Parsing section")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")  # feedparser's deprecation warnings, once per key

    folder = corpus_dir()
    paths = sorted(p for p in folder.iterdir() if p.is_file())
    if not paths:
        print(f"no corpus at {folder}", file=sys.stderr)
        return 1
    bodies = [p.read_bytes() for p in paths]
    size = sum(map(len, bodies))
    print(f"{len(bodies)} files, {size / 1e6:.2f} MB; {machine()}")
    results: dict[str, float] = {}
    for name, parse in PARSERS:
        parse(bodies[0])  # imports, caches
        results[name] = best_round(parse, bodies, args.runs)
        seconds = results[name]
        print(
            f"{name:28s} {size / seconds / 1e6:7.1f} MB/s {len(bodies) / seconds:7.0f} feeds/s"
            f"  ({seconds * 1000:.0f} ms per round)"
        )
    fast, bare, lxml = (results[k] for k in ("tidings (fast path)", "feedparser.parse",
                                             "lxml fromstring"))  # fmt: skip
    print(f"fast path: {bare / fast:.1f}x feedparser.parse, {fast / lxml:.1f}x lxml's time")
    declined = fast_path_declines(paths)
    extra: list[str] = [
        f"The fast path declines {len(declined)} of the {len(paths)} files (not well-formed, or "
        "not sure to read them as feedparser would); they are parsed by the feedparser path, "
        "inside the fast path's figure above."
    ]
    print(extra[0])
    if args.suite:
        fast_table, feedparser_table = suite_tables()
        extra += [
            "",
            "feedparser's own test documents through the fast path's records "
            "(tests/parse/test_feedparser_suite.py; a declined document counts as a failure, "
            "and the records hold only what tidings maps):",
            "",
            fast_table,
            "",
            "The same documents through feedparser itself:",
            "",
            feedparser_table,
        ]
        print(fast_table)
        print(feedparser_table)
    if args.update_doc:
        update_doc(args.update_doc, section(results, size, len(paths), args.runs, "\n".join(extra)))
        print(f"wrote the Parsing section of {args.update_doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
