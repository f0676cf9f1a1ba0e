"""The report: tables in docs/performance.md, one section per part ("Update", "Pages", "Scale",
"Reading at scale" from bench/readingreport.py, "Sync" from bench/sync.py).

Only those five sections are written; any other section (such as "Parsing", written by the
parser's own benchmark) and the text before the first section are kept as they are. A part that
was not run this time keeps its previous section.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import cpuprofile, steady
from bench.pages import NO_CACHE, PagesResults, RouteResult
from bench.scale import ScaleResults
from bench.update import Step, UpdateResults

TITLE = "# Performance\n"
INTRO = """\
What tidings costs, measured on one machine. Each section is written by the benchmark it
names and rewritten only by it.

"Update", "Pages", "Scale", "Reading at scale" and "Sync" come from `make bench` (code in `bench/`);
parts can be run alone, e.g. `make bench BENCH_ARGS="--only update --feeds 1000"` (see
`.venv/bin/python -m bench --help`). Each of these sections comes from one run; a ratio compares
the two sides within that run (same machine, same farm, steps alternating).
"""
OURS = ("Update", "Pages", "Scale", "Reading at scale", "Sync")
UPDATE_HEAD = (
    "step", "side", "wall s", "CPU s", "feeds/s", "items/s", "MB/s", "peak RSS MB", "answers",
    "new items", "items stored", "CPU idle before", "outcome",
)  # fmt: skip
PAGES_HEAD = (
    "route", "status", "body KB", "one at a time: p50 / p99 ms (requests)", "req/s under load",
    "p50 ms under load", "p99 ms under load", "of hello's req/s", "CPU idle before", "notes",
)  # fmt: skip
SCALE_HEAD = (
    "feeds", "farm MB", "items", "wall s", "CPU s", "feeds/s", "ms per feed",
    "ms per feed past the fixed cost", "peak RSS MB", "new / stored items", "CPU idle before",
    "outcome",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Context:
    date: str
    machine: dict[str, str]
    tidings: str  # version and commit
    versions: dict[str, str]  # reader, nginx, wrk ...
    command: str

    def header(self, *extra: str) -> str:
        m = self.machine
        parts = [
            f"Run {self.date} on {m['nproc']} cores (nproc), {m['memory']} of memory "
            f"({m['cpu']}, Linux {m['kernel']}), Python {m['python']}",
            f"tidings {self.tidings}",
            *(v for k, v in self.versions.items() if k in extra),
            f"command: `{self.command}`",
        ]
        note = (
            "Other processes may share this machine: before each timed step the benchmark "
            "waits (up to 45 s) for the CPU to be at least 90% idle, and the tables show how "
            "idle it was; CPU s (user + system time of the measured process) is less "
            "sensitive to such company than wall time."
        )
        return " · ".join(parts) + ".\n\n" + note + "\n"


def n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def verdict(ok: bool, detail: str) -> str:
    return f"**met** ({detail})" if ok else f"**missed** ({detail})"


def table(head: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    align = align or "l" + "r" * (len(head) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


# -- Update ------------------------------------------------------------------------------------

PHASE_NAMES = {"cold": "cold", "warm": "warm (all 304)", "changed": "10% changed"}
TARGETS = {"cold": 10.0, "warm": 2.5, "changed": 5.0}  # tidings' feeds/s over reader's, at least
FLOOR_TARGET = 4.0  # tidings' cold wall time over the floor's, at most
RSS_TARGET_MB = 150.0  # peak RSS of the cold update, at most
SCALE_TARGET = 1.0  # per-feed cost at the largest size over that at the smallest, at most


def update_section(res: UpdateResults, ctx: Context) -> str:
    f = res.farm
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(f["kinds"].items()))
    out = ["## Update\n\n", ctx.header("reader", "nginx"), "\n"]
    out.append(
        f"Farm: {n(f['feeds'])} feeds on {f['hosts']} loopback addresses (127.0.1.1 to "
        f"127.0.1.{f['hosts']}, one nginx with ETag and Last-Modified), {kinds} "
        f"(rdf is RSS 1.0); {n(f['size_min'] / 1000, 1)} to {n(f['size_max'] / 1000, 1)} KB each "
        f"(median {n(f['size_median'] / 1000, 1)} KB), {n(f['bytes'] / 1e6, 1)} MB and "
        f"{n(f['items'])} items in all, HTML in every summary. Each step of each side is one "
        "whole process (interpreter start included) timed from start to exit, over a database "
        "that started empty; the sides alternate. tidings: `tidings update --all` "
        "(defaults: 2 requests at once per host, 64 in all). reader: "
        "`update_feeds_iter(workers=8, scheduled=False)` (what `update_feeds` runs; "
        "`scheduled=False` because reader 3.21+ otherwise skips feeds updated within the "
        "hour). floor (cold only: it sends no validators): `bench/floor_runner.py`, aiohttp "
        "fetching every feed with the same limits as tidings and lxml's `etree.fromstring` "
        "(`json.loads` for JSON Feed) building each body's tree on the event loop, nothing "
        "stored: the least an update can cost in Python. "
        f"10% changed: {res.changed_feeds} feeds gained one item "
        f"({n(res.changed_bytes / 1e6, 1)} MB to fetch again). MB/s counts the body bytes "
        "nginx sent (its access log); answers are the statuses it logged.\n\n"
    )
    out.append(table(UPDATE_HEAD, [_step_row(s) for s in res.steps], "llrrrrrrlrrrl"))
    floor = res.step("floor", "cold")
    if floor is not None and floor.shares:
        sh = floor.shares
        loop = sh.get("loop_s", 0.0) or 1.0
        out.append(
            f"\nInside the floor's process: imports {n(sh.get('import_s', 0.0), 2)} s, then "
            f"{n(sh.get('loop_s', 0.0), 2)} s in its event loop, of which "
            f"{n(sh.get('parse_s', 0.0), 2)} s ({n(sh.get('parse_s', 0.0) / loop * 100)}%) "
            f"building trees and {n(sh.get('fetch_s', 0.0), 2)} s "
            f"({n(sh.get('fetch_s', 0.0) / loop * 100)}%) fetching (the rest of the loop's "
            "time); the remainder of its wall time is the interpreter's start and exit.\n"
        )
    out.append("\nAgainst the targets:\n\n")
    out.append(
        table(["target", "tidings", "reader or floor", "target", "result"], _targets(res), "lrrll")
    )
    cpu = []
    for phase in TARGETS:
        t, r = res.step("tidings", phase), res.step("reader", phase)
        if t is not None and r is not None and t.cpu_s:
            cpu.append(f"{PHASE_NAMES[phase]} {n(r.cpu_s / t.cpu_s, 2)}x")
    if cpu:
        out.append(
            "\nThe same comparison in CPU time (reader's CPU s over tidings'): "
            + ", ".join(cpu)
            + ".\n"
        )
    out.append(steady.section(res.steady))
    out.append(cpuprofile.section(res.profiles))
    if res.errors:
        out.append("\nErrors: " + "; ".join(res.errors) + "\n")
    return "".join(out)


def _step_row(s: Step) -> list[str]:
    answers = ", ".join(f"{c}×{st}" for st, c in sorted(s.statuses.items())) or "none"
    stores = s.side != "floor"
    return [
        PHASE_NAMES[s.phase],
        s.side,
        n(s.wall_s, 2),
        n(s.cpu_s, 1),
        n(s.feeds_per_s, 1),
        n(s.items_per_s) if stores else "",
        n(s.mb_per_s, 2),
        n(s.peak_rss_mb),
        answers,
        n(s.new_items) if stores else "",
        n(s.stored_items) if stores else "",
        f"{n(s.idle_before * 100)}%",
        ("ok" if s.ok else "FAILED") + (f": {s.note}" if s.note else ""),
    ]


def _against(ratio: float, goal: float, ok: bool, *, at_most: bool = False) -> str:
    """The verdict of a ratio against its goal, with how far from the goal it is."""
    if at_most:
        how = f"{n(ratio / goal * 100)}% of the limit"
    elif ok:
        how = f"{n((ratio / goal - 1) * 100)}% above"
    else:
        how = f"{n(ratio / goal * 100)}% of the target"
    return verdict(ok, f"{n(ratio, 2)}x; {how}")


def _targets(res: UpdateResults) -> list[list[str]]:
    rows = []
    for phase, goal in TARGETS.items():
        t, r = res.step("tidings", phase), res.step("reader", phase)
        if t is None or r is None:
            continue
        ratio = t.feeds_per_s / r.feeds_per_s if r.feeds_per_s else 0.0
        ok = t.ok and r.ok and ratio >= goal
        rows.append(
            [
                f"{PHASE_NAMES[phase]}: feeds/s vs reader",
                n(t.feeds_per_s, 1),
                n(r.feeds_per_s, 1),
                f"≥ {goal:g}x",
                _against(ratio, goal, ok),
            ]
        )
    cold, floor = res.step("tidings", "cold"), res.step("floor", "cold")
    if cold is not None and floor is not None:
        ratio = cold.wall_s / floor.wall_s if floor.wall_s else 0.0
        ok = cold.ok and floor.ok and ratio <= FLOOR_TARGET
        rows.append(
            [
                "cold: wall time vs the floor (aiohttp + lxml)",
                f"{n(cold.wall_s, 2)} s",
                f"{n(floor.wall_s, 2)} s",
                f"≤ {FLOOR_TARGET:g}x",
                _against(ratio, FLOOR_TARGET, ok, at_most=True),
            ]
        )
    for phase in TARGETS:
        t, r = res.step("tidings", phase), res.step("reader", phase)
        if t is None or r is None:
            continue
        same = t.stored_items == r.stored_items and t.new_items == r.new_items
        rows.append(
            [
                f"{PHASE_NAMES[phase]}: items identical in count",
                f"{n(t.new_items)} new, {n(t.stored_items)} stored",
                f"{n(r.new_items)} new, {n(r.stored_items)} stored",
                "equal",
                verdict(same, "equal" if same else f"off by {t.stored_items - r.stored_items}"),
            ]
        )
    if cold is not None:
        rss = cold.peak_rss_mb
        rows.append(
            [
                f"peak RSS, cold update of {n(res.farm['feeds'])} feeds",
                f"{n(rss)} MB",
                "",
                f"≤ {RSS_TARGET_MB:g} MB",
                verdict(cold.ok and rss <= RSS_TARGET_MB, f"{n(rss / RSS_TARGET_MB * 100)}% of it"),
            ]
        )
    if res.steady is not None:
        s = res.steady
        ms = s.per_check_ms
        rows.append(
            [
                "steady state in `serve`: CPU per unchanged (304) feed check",
                f"{n(ms, 3)} ms",
                "",
                f"≤ {steady.TARGET_MS:g} ms",
                verdict(
                    s.ok and ms <= steady.TARGET_MS, f"{n(ms / steady.TARGET_MS * 100)}% of it"
                ),
            ]
        )
    return rows


# -- Pages -------------------------------------------------------------------------------------


def _route_label(r: RouteResult) -> str:
    if r.server == "hello":
        return "hello (floor: constant Starlette route)"
    label = f"`{r.name}` ({len(r.paths)} in turn)" if len(r.paths) > 1 else f"`{r.name}`"
    return label + (", no cache" if r.server == NO_CACHE else "")


def pages_section(res: PagesResults, ctx: Context) -> str:
    db = res.db
    out = ["## Pages\n\n", ctx.header("wrk"), "\n"]
    out.append(
        f"Database: {n(db['items'])} items in {n(db['feeds'])} feeds (from "
        f"{n(db['smallest_feed'])} to {n(db['biggest_feed'])} items per feed), SQLite, "
        f"{n(db['db_mb'])} MB, generated in "
        f"{db['seconds']} s (`tidings db upgrade`, then bulk inserts into tidings' tables and "
        "one FTS5 rebuild). Server: `tidings serve --no-scheduler` (uvicorn, one process), "
        "started afresh for each route, once as installed (visitors' pages and feeds served from "
        "its 5 s cache) and once with `TIDINGS_PAGE_CACHE_SECONDS=0` (every request rendered "
        "from the database); floor: `bench/hello_app.py`, the same Starlette and "
        "uvicorn run the same way. Per route: a warm-up (each path once, then up to 2 s), one "
        "request at a time; then one client on one keep-alive "
        "connection, one request at a time (up to 300 requests or "
        f"{max(5.0, res.duration_s):g} s: latency without queueing), then {res.wrk} with 1 "
        f"thread and {res.connections} connections for {res.duration_s:g} s (throughput, and "
        "latency under that load).\n\n"
    )
    hello = res.hello_rps
    rows = []
    for r in res.routes:
        if r.status == 404:
            rows.append([_route_label(r), "404", "", "", "", "", "", "", "", r.note])
            continue
        share = f"{n(r.rps / hello * 100, 1)}%" if hello else ""
        note = r.note
        if r.non_2xx:
            note = (note + "; " if note else "") + f"{n(r.non_2xx)} non-2xx under load"
        if r.errors:
            note = (note + "; " if note else "") + f"socket errors: {r.errors}"
        rows.append(
            [
                _route_label(r),
                str(r.status),
                n(r.bytes / 1000, 1),
                f"{n(r.seq_p50_ms, 1)} / {n(r.seq_p99_ms, 1)} ({r.seq_requests})",
                n(r.rps, 1),
                n(r.load_p50_ms, 1),
                n(r.load_p99_ms, 1),
                share,
                f"{n(r.idle_before * 100)}%",
                note,
            ]
        )
    out.append(table(PAGES_HEAD, rows, "lrrrrrrrrl"))
    # search is judged without the cache: the same few queries in turn would be served
    # from memory, which says nothing about the search itself
    search = res.route("/search?q=", NO_CACHE) or res.route("/search?q=")
    if search is not None and search.seq_by_path_p50_ms:
        out.append("\nSearch without the cache, one query at a time, p50 per query:\n\n")
        out.append(
            table(
                ["query", "p50 ms"],
                [[f"`{p}`", n(ms, 1)] for p, ms in search.seq_by_path_p50_ms.items()],
            )
        )
    out.append("\nAgainst the targets:\n\n")
    trows = []
    for name in ("/", "/sources/{id}"):
        route = res.route(name)
        if route is None:
            continue
        if route.status != 200:
            trows.append(
                [f"`{name}` req/s ≥ 50% of hello's", "", "", verdict(False, f"{route.status}")]
            )
            continue
        pct = route.rps / hello * 100 if hello else 0.0
        bare = res.route(name, NO_CACHE)
        trows.append(
            [
                f"`{name}` req/s ≥ 50% of hello's",
                f"{n(route.rps, 1)} of {n(hello, 1)}",
                f"{n(pct, 1)}%"
                + (
                    f" ({n(bare.rps / hello * 100, 1)}% without the cache)"
                    if bare and hello
                    else ""
                ),
                verdict(pct >= 50, f"{n(pct / 50 * 100)}% of the target"),
            ]
        )
    if search is not None:
        if search.status == 404:
            trows.append(["search p50 < 100 ms", "", "", "not measured: the route 404s"])
        else:
            ok = search.status == 200 and search.seq_p50_ms < 100
            trows.append(
                [
                    "search p50 < 100 ms",
                    f"{n(search.seq_p50_ms, 1)} ms one at a time",
                    f"{n(search.load_p50_ms, 1)} ms under load",
                    verdict(ok, f"{n(search.seq_p50_ms / 100 * 100)}% of the limit"),
                ]
            )
    out.append(table(["target", "measured", "", "result"], trows, "lrrl"))
    return "".join(out)


# -- Scale -------------------------------------------------------------------------------------


def scale_section(res: ScaleResults, ctx: Context) -> str:
    out = ["## Scale\n\n", ctx.header("nginx"), "\n"]
    out.append(
        "Cold `tidings update --all` over small feeds (5 to 8 KB, the four formats in turn) on "
        "the same 50 loopback addresses, each size from an empty database. The fixed cost of an "
        f"update process (start, imports, opening the database) was {n(res.fixed_s, 2)} s, the "
        "best of three runs over an installation with no feeds; the per-feed cost is given "
        "with it and without it, and the target is judged without it.\n\n"
    )
    rows = []
    for p in res.points:
        rows.append(
            [
                n(p.feeds),
                n(p.farm_mb, 1),
                n(p.items),
                n(p.wall_s, 1),
                n(p.cpu_s, 1),
                n(p.feeds / p.wall_s if p.wall_s else 0, 1),
                n(p.per_feed_ms(), 2),
                n(p.per_feed_ms(res.fixed_s), 2),
                n(p.peak_rss_mb),
                f"{n(p.new_items)} / {n(p.stored_items)}",
                f"{n(p.idle_before * 100)}%",
                ("ok" if p.ok else "FAILED") + (f": {p.note}" if p.note else ""),
            ]
        )
    out.append(table(SCALE_HEAD, rows, "rrrrrrrrrrrl"))
    if len(res.points) >= 2:
        small, big = res.points[0], res.points[-1]
        a, b = small.per_feed_ms(res.fixed_s), big.per_feed_ms(res.fixed_s)
        ratio = b / a if a else 0.0
        ok = small.ok and big.ok and ratio <= SCALE_TARGET
        out.append("\nAgainst the target:\n\n")
        out.append(
            table(
                ["target", "measured", "result"],
                [
                    [
                        f"per-feed cost at {n(big.feeds)} over that at {n(small.feeds)}: "
                        f"≤ {SCALE_TARGET:.1f}x",
                        f"{n(b, 2)} / {n(a, 2)} ms = {n(ratio, 2)}x "
                        f"(with the fixed cost: {n(big.per_feed_ms() / small.per_feed_ms(), 2)}x)",
                        verdict(ok, f"{n(ratio, 2)}x"),
                    ]
                ],
                "lll",
            )
        )
    return "".join(out)


# -- the file ----------------------------------------------------------------------------------


def merge(path: Path, sections: dict[str, str]) -> str:
    """The file with ``sections`` (title -> text from its ``## `` line) replaced or added."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text.strip():
        text = TITLE + "\n" + INTRO
    parts = re.split(r"(?m)^(?=## )", text)
    head, rest = parts[0], parts[1:]
    existing: list[tuple[str, str]] = []
    for part in rest:
        title = part.splitlines()[0][3:].strip()
        existing.append((title, part))
    done: set[str] = set()
    out = [head if head.endswith("\n\n") else head.rstrip("\n") + "\n\n"]
    for title, part in existing:
        if title in sections:
            out.append(sections[title].rstrip("\n") + "\n\n")
            done.add(title)
        else:
            out.append(part if part.endswith("\n\n") else part.rstrip("\n") + "\n\n")
    for title in OURS:
        if title in sections and title not in done:
            out.append(sections[title].rstrip("\n") + "\n\n")
    return "".join(out).rstrip("\n") + "\n"
