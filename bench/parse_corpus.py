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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import feedparser  # noqa: E402
from lxml import etree  # type: ignore[import-untyped]  # noqa: E402
from tests.parse.conftest import corpus_dir  # noqa: E402

import tidings.parse.lxmlfeed as lxmlfeed  # noqa: E402
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


def measure(bodies: list[bytes], runs: int) -> dict[str, tuple[float, float]]:
    """Each parser's best round over all bodies, as (wall seconds, CPU seconds).

    The parsers take turns round by round, so that a busy moment on a shared machine does not
    fall on one parser's rounds only; CPU time (this process's) is kept beside wall time
    because it is less disturbed by other processes.
    """
    best = {name: (float("inf"), float("inf")) for name, _ in PARSERS}
    for _ in range(runs):
        for name, parse in PARSERS:
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            for body in bodies:
                parse(body)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


class _TimedCleaner:
    """Stands in for the sanitizer's nh3 Cleaner and adds up the CPU time spent inside it."""

    def __init__(self, cleaner: Any) -> None:
        self.cleaner, self.seconds = cleaner, 0.0

    def clean(self, html: str) -> str:
        start = time.process_time()
        try:
            return str(self.cleaner.clean(html))
        finally:
            self.seconds += time.process_time() - start


class _TimedCheck:
    """Stands in for the sanitizer's attribute pass over nh3's output and adds up its time."""

    def __init__(self, check: Callable[[str, str | None], str]) -> None:
        self.check, self.seconds = check, 0.0

    def __call__(self, cleaned: str, base_url: str | None) -> str:
        start = time.process_time()
        try:
            return self.check(cleaned, base_url)
        finally:
            self.seconds += time.process_time() - start


def stages(bodies: list[bytes], runs: int) -> dict[str, float]:
    """CPU seconds per stage of the fast path, over the files it reads (best of ``runs``)."""
    from tidings.parse import sanitize
    from tidings.parse.lxmlnodes import name_of
    from tidings.parse.lxmlread import Reader
    from tidings.parse.mapping import map_feed
    from tidings.parse.prepare import prepare_xml

    best: dict[str, float] = {}
    for _ in range(runs):
        spent = dict.fromkeys(("prepare", "lxml", "read", "map"), 0.0)
        check = sanitize._check
        timed, checks = _TimedCleaner(sanitize._CLEANER), _TimedCheck(check)
        sanitize._CLEANER = timed  # type: ignore[assignment]
        sanitize._check = checks
        try:
            for body in bodies:
                marks = [time.process_time()]
                prepared = prepare_xml(body, {})
                marks.append(time.process_time())
                root = lxmlfeed.build_tree(prepared.text)
                marks.append(time.process_time())
                name = name_of(root)
                version = prepared.version(lxmlfeed.document_version(root, name))
                reader = Reader(version, None, bases=lxmlfeed.has_bases(prepared.text))
                reader.read_root(root, name, URL)
                marks.append(time.process_time())
                map_feed(lxmlfeed.records_of(reader), url=URL, max_items=5000, notes=[])
                marks.append(time.process_time())
                for key, start, end in zip(spent, marks, marks[1:], strict=False):
                    spent[key] += end - start
        finally:
            sanitize._CLEANER, sanitize._check = timed.cleaner, check
        spent["map"] -= timed.seconds + checks.seconds
        spent["nh3 (inside map)"] = timed.seconds
        spent["attribute checks (inside map)"] = checks.seconds
        best = {k: min(v, best.get(k, v)) for k, v in spent.items()}
    return best


def fast_path_outcomes(paths: list[Path]) -> tuple[list[str], list[bytes], list[str]]:
    """The files the fast path hands to feedparser, the XML documents it reads itself, and
    those of them where its ParsedFeed differs from the feedparser path's."""
    declined, read, differ = [], [], []
    for path in paths:
        body = path.read_bytes()
        try:
            parsed = _parse(body, url=URL, headers={}, max_items=5000, path="fast")
        except lxmlfeed.Decline:
            declined.append(path.name)
            continue
        except ParseError:
            continue
        if parsed.version.startswith("json"):
            continue
        read.append(body)
        if parsed != _parse(body, url=URL, headers={}, max_items=5000, path="feedparser"):
            differ.append(path.name)
    return declined, read, differ


def declined_seconds(paths: list[Path], declined: list[str], runs: int) -> float:
    """CPU seconds ``parse_feed`` spends on the declined files (decline, then feedparser)."""
    bodies = [path.read_bytes() for path in paths if path.name in declined]
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        for body in bodies:
            _tidings_fast(body)
        best = min(best, time.process_time() - start)
    return best


def suite_table() -> str:
    """feedparser's test documents through the fast path's adapter and through feedparser,
    per folder, side by side."""
    from tests.parse.test_feedparser_suite import TESTS, fast_path_result, load_harness

    harness = load_harness()
    runs = [
        harness.summarise(harness.run_suite(str(TESTS), parse)["groups"], 2)
        for parse in (fast_path_result, lambda data: feedparser.parse(data))
    ]
    lines = [
        "| folder | fast path: pass / run | rate | of which declined | feedparser: pass / run "
        "| rate |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    totals = [[0, 0, 0], [0, 0, 0]]
    for folder in sorted(runs[1]):
        cells = []
        for index, groups in enumerate(runs):
            counts = groups.get(folder, {})
            failed = sum(counts.get(kind, 0) for kind in harness.FAIL_KINDS)
            passed = counts.get("pass", 0)
            totals[index][0] += passed
            totals[index][1] += passed + failed
            totals[index][2] += counts.get("parse_error", 0)
            cells.append((passed, passed + failed, counts.get("parse_error", 0)))
        if not cells[1][1]:
            continue  # only skipped cases (HTTP, SkipUnless)
        (p1, r1, d1), (p2, r2, _) = cells
        lines.append(
            f"| {folder} | {p1} / {r1} | {100 * p1 / r1:.1f}% | {d1} | {p2} / {r2} "
            f"| {100 * p2 / r2:.1f}% |"
        )
    (p1, r1, d1), (p2, r2, _) = totals
    lines.append(
        f"| **all** | {p1} / {r1} | {100 * p1 / r1:.1f}% | {d1} | {p2} / {r2} "
        f"| {100 * p2 / r2:.1f}% |"
    )
    return "\n".join(lines)


def idle_fraction(seconds: float = 1.0) -> float:
    """How idle the CPUs were over ``seconds`` (from /proc/stat; 1.0 where it is missing)."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)

    try:
        idle0, total0 = sample()
        time.sleep(seconds)
        idle1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return 1.0
    return (idle1 - idle0) / max(1, total1 - total0)


def wait_for_quiet(limit: float = 60.0, wanted: float = 0.9) -> float:
    """Wait (up to ``limit`` seconds) for the machine to be ``wanted`` idle; the idle seen."""
    deadline = time.monotonic() + limit
    idle = idle_fraction()
    while idle < wanted and time.monotonic() < deadline:
        idle = idle_fraction()
    return idle


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Python {platform.python_version()}, lxml {'.'.join(map(str, etree.LXML_VERSION[:3]))}"
        f" (libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}), feedparser "
        f"{feedparser.__version__}, {os.cpu_count()} CPUs, load average {load:.1f} at the start"
    )


def section(
    results: dict[str, tuple[float, float]],
    size: int,
    count: int,
    runs: int,
    extra: str,
    setting: str,
) -> str:
    bare, lxml = results["feedparser.parse"], results["lxml fromstring"]
    lines = [
        "## Parsing",
        "",
        f"`python bench/parse_corpus.py --runs {runs}`: all {count} files of the shared corpus "
        f"({size / 1e6:.2f} MB) parsed in one round, best of {runs} rounds (the parsers take "
        f"turns round by round). {setting}. MB/s and feeds/s are from wall time; the CPU "
        "columns use this process's CPU time, which other work on a shared machine disturbs "
        "less.",
        "",
        "| parser | MB/s | feeds/s | ms per round | CPU ms per round | speed vs feedparser.parse "
        "(wall / CPU) | time vs lxml (wall / CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, (wall, cpu) in results.items():
        lines.append(
            f"| {name} | {size / wall / 1e6:.1f} | {count / wall:.0f} | {wall * 1000:.0f} | "
            f"{cpu * 1000:.0f} | {bare[0] / wall:.1f}x / {bare[1] / cpu:.1f}x | "
            f"{wall / lxml[0]:.1f}x / {cpu / lxml[1]:.1f}x |"
        )
    lines += [
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
    idle = wait_for_quiet()
    setting = f"{machine()}, CPUs {idle:.0%} idle before the first round"
    print(f"{len(bodies)} files, {size / 1e6:.2f} MB; {setting}")
    results = measure(bodies, args.runs)
    for name, (wall, cpu) in results.items():
        print(
            f"{name:28s} {size / wall / 1e6:7.1f} MB/s {len(bodies) / wall:7.0f} feeds/s"
            f"  ({wall * 1000:.0f} ms per round, {cpu * 1000:.0f} ms CPU)"
        )
    bare, fast, lxml = (results[k] for k in ("feedparser.parse", "tidings (fast path)",
                                             "lxml fromstring"))  # fmt: skip
    print(
        f"fast path: {bare[0] / fast[0]:.1f}x feedparser.parse ({bare[1] / fast[1]:.1f}x CPU), "
        f"{fast[0] / lxml[0]:.1f}x lxml's time ({fast[1] / lxml[1]:.1f}x CPU)"
    )
    declined, read, differ = fast_path_outcomes(paths)
    extra: list[str] = [
        f"Results: of the {len(paths)} files, the fast path reads {len(read)} XML feeds itself "
        f"and its ParsedFeed equals the feedparser path's for {len(read) - len(differ)} of them"
        + (f" (differs: {', '.join(differ)})" if differ else "")
        + f"; it declines {len(declined)} (not well-formed, or not sure to read them as "
        "feedparser would), which `parse_feed` hands to the feedparser path, inside the fast "
        "path's figure above; the rest are JSON Feeds or refused as not feeds "
        "(tests/parse/test_differential.py checks the same, file by file)."
    ]
    print(extra[0])
    spent = stages(read, args.runs)
    spent["declined files (feedparser path)"] = declined_seconds(paths, declined, args.runs)
    floor = sum(v for k, v in spent.items() if k not in ("read", "map"))
    lines = [f"{key} {seconds * 1000:.0f} ms" for key, seconds in spent.items()]
    extra += [
        "",
        f"Where the fast path's CPU time goes (best of {args.runs}): " + ", ".join(lines) + ". "
        "Preparing is decoding, control characters and the DTD policy; reading walks the lxml "
        "tree into feedparser-shaped records; mapping turns them into the ParsedFeed (its "
        "figure is without the sanitizer's two parts: nh3, which cleans each distinct HTML "
        "field of a document once, while text fields are escaped without it, and the checks "
        "of URLs and other attribute values in nh3's output). Even if reading and "
        f"mapping cost nothing, the other parts take {floor * 1000:.0f} ms, "
        f"{bare[1] / floor:.1f}x faster than feedparser.parse and {floor / lxml[1]:.1f}x "
        "the lxml build alone.",
        "",
        "Against the targets:",
        "",
        "| target | measured | result |",
        "|---|---|---|",
        f"| parser ≥ 15x feedparser.parse | {bare[0] / fast[0]:.1f}x wall, "
        f"{bare[1] / fast[1]:.1f}x CPU | {'met' if bare[1] / fast[1] >= 15 else 'missed'} |",
        f"| within 4x of the bare lxml parse | {fast[0] / lxml[0]:.1f}x wall, "
        f"{fast[1] / lxml[1]:.1f}x CPU | {'met' if fast[1] / lxml[1] <= 4 else 'missed'} |",
        f"| results equal to the feedparser path | {len(read) - len(differ)} of {len(read)} "
        f"files read agree, {len(declined)} declined | {'met' if not differ else 'missed'} |",
    ]
    print("\n".join(extra[1:]))
    if args.suite:
        table = suite_table()
        extra += [
            "",
            "feedparser's own test documents (`shared/corpus/feedparser-tests`) through the "
            "fast path's records, with the adapter in tests/parse/test_feedparser_suite.py, "
            "beside feedparser itself. The records hold only what tidings maps, unsanitized; "
            "a document the fast path declines counts as a failure (most of entities/ uses "
            "HTML entities that XML does not define, and cdf/ has a CDF root). The test keeps "
            "each folder's pass count from falling below these figures.",
            "",
            table,
        ]
        print(table)
    if args.update_doc:
        text = section(results, size, len(paths), args.runs, "\n".join(extra), setting)
        update_doc(args.update_doc, text)
        print(f"wrote the Parsing section of {args.update_doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
