"""The "Reading at scale" section of docs/performance.md, from ``bench.reading``'s results."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bench.reading import MARK, QUIET_WAIT_S, TARGET_MS, BackendResult, OpResult, ReadingResults
from bench.readingplans import Statement

if TYPE_CHECKING:
    from bench.report import Context

PLANNED = ("counts", "page", "mark", "ids")  # plans printed, and those of any op that misses
LONG_ARRAY = re.compile(r"'\{([^}]{0,60},)[^}]{200,}\}'")  # an array of ids in a plan
LONG_LIST = re.compile(r"(\?, ){8,}\?")  # SQLite's expanded IN (?, ?, ...)
SHOWN = 2  # statements printed in full per operation: the costliest


def short(text: str) -> str:
    """Long lists of ids in SQL and plans cut to their start."""
    text = LONG_ARRAY.sub(lambda m: "'{" + m.group(1) + "...}'", text)
    return LONG_LIST.sub(lambda m: f"?, ... ({m.group(0).count('?')} parameters)", text)


def _n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _mb(size: int) -> str:
    return _n(size / 1e6, 1)


def _table(head: list[str], rows: list[list[str]], align: str) -> str:
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _setup(b: BackendResult) -> str:
    s, load = b.shape, b.load
    rows = load["rows"]
    smallest, median, largest = load["feed_sizes"]
    low, mid, high = load["unread_per_person"] or [0, 0, 0]
    took = ", ".join(f"{k} {_n(v, 0)} s" for k, v in load["seconds"].items() if v >= 0.5)
    took = f" ({took})" if took else ""
    return (
        f"**{b.backend}**: {_n(rows['items'])} items over {s.days} days in "
        f"{_n(rows['feeds'])} feeds ({_n(smallest)} to {_n(largest)} items, median "
        f"{_n(median)}); {_n(s.people)} people following {s.follows} feeds each "
        f"({_n(rows['subscriptions'])} subscriptions, feeds drawn by popularity); "
        f"{_n(rows['entry_states'])} state rows. Unread per person: {_n(low)} / {_n(mid)} / "
        f"{_n(high)} (least / median / most), starred about {_n(load['starred_per_person'])} "
        f"each. Loaded in {_n(b.load_s)} s{took}.\n"
    )


def _rows_cell(op: OpResult) -> str:
    if not op.rows:
        return ""
    ordered = sorted(op.rows)
    return _n(ordered[len(ordered) // 2])


def _slowest(op: OpResult) -> str:
    if not op.statements:
        return "no SQL recorded"
    worst = max(op.statements, key=lambda s: s.ms)
    total = sum(s.ms for s in op.statements)
    return f"{len(op.statements)}: {_n(worst.ms, 1)} of {_n(total, 1)} ms in {_what(worst)}"


def _what(s: Statement) -> str:
    """A statement in a few words: its verb and its main table."""
    sql = " ".join(s.sql.split())
    verb = sql.split(" ", 1)[0].upper()
    found = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", sql, re.IGNORECASE)
    many = f" x {_n(s.rows)}" if s.rows > 1 else ""
    return f"{verb} {found.group(1) if found else ''}{many}".strip()


SCAN = re.compile(
    r"->\s+((?:Parallel )?(?:Index Only Scan|Index Scan|Seq Scan|Bitmap Heap Scan)"
    r"(?: Backward)?(?: using \w+)? on \w+).*actual time=[\d.]+\.\.[\d.]+ rows=(\d+) "
    r"loops=(\d+)"
)


TRIGGER = re.compile(r"Trigger for constraint (\w+): time=([\d.]+) calls=(\d+)")


def _busiest(plan: str) -> str:
    """The scan of a plan that produced the most rows in all: where the time goes, most often.
    PostgreSQL's plans count rows; SQLite's only name full scans and sorts."""
    best: tuple[int, str] | None = None
    for m in SCAN.finditer(plan):
        rows = int(m.group(2)) * int(m.group(3))
        if best is None or rows > best[0]:
            best = (rows, m.group(1))
    triggers = [
        f"{m.group(1)} {_n(float(m.group(2)))} ms for {_n(int(m.group(3)))} rows"
        for m in TRIGGER.finditer(plan)
    ]
    also = f"; foreign-key checks: {', '.join(triggers)}" if triggers else ""
    if best is not None:
        return f"{best[1]}: {_n(best[0])} rows{also}"
    heavy = [ln.strip() for ln in plan.splitlines() if ln.strip().startswith(("SCAN", "USE TEMP"))]
    return "; ".join(heavy) or "index searches only"


def _dominates(res: ReadingResults) -> str:
    lines = []
    for b in res.backends:
        for op in b.ops:
            if not op.statements or op.p50 < TARGET_MS:
                continue
            worst = max(op.statements, key=lambda s: s.ms)
            lines.append(
                f"- {b.backend.split()[0]}, {op.label}: p50 {_n(op.p50, 1)} ms; "
                f"{_what(worst)} takes {_n(worst.ms, 1)} ms of the recorded call "
                f"({_busiest(worst.plan)}).\n"
            )
    if not lines:
        return f"\nEvery operation is under {TARGET_MS:g} ms at the median.\n"
    return f"\nWhat dominates where the median is {TARGET_MS:g} ms or more:\n\n" + "".join(lines)


def _results(res: ReadingResults) -> str:
    head = [
        "operation", "database", "people", "p50 ms", "p95 ms", "max ms", "rows (median)",
        "statements: the costliest", "CPU idle before", f"p50 < {TARGET_MS:g} ms",
    ]  # fmt: skip
    rows = []
    for key in [op.key for op in res.backends[0].ops] if res.backends else []:
        for b in res.backends:
            op = next((o for o in b.ops if o.key == key), None)
            if op is None:
                continue
            ok = bool(op.ms) and op.p50 < TARGET_MS
            rows.append(
                [
                    op.label,
                    b.backend.split()[0],
                    str(len(op.ms)),
                    _n(op.p50, 1),
                    _n(op.p95, 1),
                    _n(max(op.ms), 1) if op.ms else "",
                    _rows_cell(op),
                    _slowest(op),
                    f"{_n(op.idle_before * 100)}%" if op.idle_before >= 0 else "",
                    ("**met**" if ok else "**missed**") + (f" ({op.note})" if op.note else ""),
                ]
            )
    return _table(head, rows, "llrrrrrlrl")


def _sizes(res: ReadingResults) -> str:
    head = ["database", "table", "rows", "total MB", "table MB", "bytes per row", "indexes (MB)"]
    rows = []
    for b in res.backends:
        for s in b.sizes:
            idx = ", ".join(f"{name} {_mb(size)}" for name, size in s.indexes.items())
            rows.append(
                [
                    b.backend.split()[0],
                    f"`{s.table}`",
                    _n(s.rows),
                    _mb(s.total_bytes),
                    _mb(s.heap_bytes),
                    _n(s.total_bytes / s.rows) if s.rows else "",
                    idx,
                ]
            )
    return _table(head, rows, "llrrrrl")


def _plans(res: ReadingResults) -> str:
    out = []
    for b in res.backends:
        kind = (
            "EXPLAIN (ANALYZE, BUFFERS)"
            if b.backend.startswith("Postgre")
            else ("EXPLAIN QUERY PLAN (times from a run of the statement)")
        )
        out.append(f"\n#### {b.backend}: {kind}\n")
        for op in b.ops:
            missed = op.p50 >= TARGET_MS
            if not op.statements or (op.key not in PLANNED and not missed):
                continue
            out.append(f"\n**{op.label}**, one call: ")
            listed = [f"{_what(s)} {_n(s.ms, 1)} ms" for s in op.statements]
            out.append("; ".join(listed) + ".\n")
            for s in sorted(op.statements, key=lambda s: -s.ms)[:SHOWN]:
                sql = short(s.sql.strip())
                note = (
                    f" (an executemany of {_n(s.rows)} rows; plan of the first)"
                    if s.rows > 1
                    else ""
                )
                out.append(f"\n{_what(s)}, {_n(s.ms, 1)} ms{note}:\n\n```sql\n{sql}\n```\n")
                out.append(f"\n```text\n{short(s.plan.strip())}\n```\n")
    return "".join(out)


def section(res: ReadingResults, ctx: Context) -> str:
    run = ctx.header().split(".\n\n", 1)[0]
    out = ["## Reading at scale\n\n", run, ".\n\n"]
    out.append(
        "Other processes may share this machine: before each operation the benchmark waits "
        f"(up to {QUIET_WAIT_S:g} s) for the CPU to be at least 90% idle; the table shows how "
        "idle it was.\n\n"
    )
    out.append(
        "Each database is made by tidings' migrations on an empty database, then filled by "
        "bulk loads (`bench/readingdb.py`: `COPY` on PostgreSQL, `executemany` on SQLite): "
        "item ids grow with the time tidings first saw the item, as updates write them; each "
        "subscription has a watermark (a tenth never read, the others with an unread tail of "
        "15 items on average); state rows only where they differ from it: a tenth of the "
        "unread items above the watermark read one by one, 10 items per person under it kept "
        "unread, and 1% of each person's items starred.\n\n"
    )
    out += [_setup(b) + "\n" for b in res.backends]
    out.append(
        f"Timed: the facade's own methods (`Aggregator.unread_counts`, `subscriptions`, "
        f"`entries(EntryQuery(...))`, `mark_read`, `set_read`), called in this process on an "
        f"open store, {res.samples} random people each, one operation over all of them before "
        f"the next (p95 is the 95th percentile of those calls). The two writes go to different "
        f"people: `mark_read` with `up_to_id` the {MARK:,}th oldest unread item of the person "
        f"(every feed, so it moves the watermark of each), `set_read` with the {MARK:,} oldest "
        "unread item ids of the others, who then mark everything read and ask for their first "
        "page of unread again: an empty page, what someone who keeps up sees most often. "
        "Rows: entries returned, the unread total, or items marked.\n\n"
    )
    out.append(_results(res))
    busy = [o for b in res.backends for o in b.ops if 0 <= o.idle_before < 0.5]
    if busy:
        total = sum(len(b.ops) for b in res.backends)
        out.append(
            f"\nThe CPU was less than half idle before {len(busy)} of these {total} loops "
            "(other work on this machine): their times include waiting for a CPU, and so do "
            "the statement times below, measured in the same conditions.\n"
        )
    out.append(_dominates(res))
    checks = [f"- {b.backend.split()[0]}: {c}\n" for b in res.backends for c in b.checks]
    if checks:
        out.append("\nChecks:\n\n" + "".join(checks))
    out.append("\nState tables (after the writes above):\n\n")
    out.append(_sizes(res))
    out.append(
        "\n### Plans\n\nThe SQL the store issued for one call of each operation (a person "
        "outside the timed sample), recorded from SQLAlchemy's `before_cursor_execute` and "
        "explained on the same connection inside a savepoint rolled back at once; the two "
        "costliest statements of each call in full.\n"
    )
    out.append(_plans(res))
    return "".join(out)


def main(argv: list[str] | None = None) -> None:
    """Write the section again from a results file of an earlier run."""
    import json
    import sys
    from pathlib import Path

    from bench.common import ROOT
    from bench.report import Context, merge

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m bench.readingreport bench/.work/results-TIME.json")
    raw = json.loads(Path(args[0]).read_text())
    ctx = Context(**raw["context_fields"])
    section_text = section(ReadingResults.from_json(raw["reading"]), ctx)
    out = ROOT / "docs" / "performance.md"
    out.write_text(merge(out, {"Reading at scale": section_text}), encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
