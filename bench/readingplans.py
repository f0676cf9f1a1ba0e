"""The SQL behind a facade call, its plans and its cost; the sizes of the state tables.

``Recorder`` listens to SQLAlchemy's ``before_cursor_execute`` on the store's engine. While it is
on, each statement the store issues is first run on the same connection inside a savepoint that
is then rolled back: ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL, ``EXPLAIN QUERY PLAN`` and a
timed run on SQLite. The plans therefore describe the database exactly as the statement found it
(earlier statements of the same call included); the store's own statement runs after, unchanged.
Only one call per operation is recorded, for a person outside the timed samples.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, event

SAVEPOINT = "bench_explain"
WORDS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    ms: float  # PostgreSQL: EXPLAIN ANALYZE's execution time; SQLite: a timed run
    plan: str
    rows: int = 1  # parameter sets of an executemany (its plan is the first one's)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _pg(cur: Any, sql: str, params: Any, many: bool) -> Statement:
    if many:
        start = time.perf_counter()
        cur.executemany(sql, params)
        ms = (time.perf_counter() - start) * 1000
        cur.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
        first = params[0] if params else None
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, first)
        plan = "\n".join(r[0] for r in cur.fetchall())
        return Statement(sql, ms, plan, len(params))
    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params or None)
    plan = "\n".join(r[0] for r in cur.fetchall())
    found = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return Statement(sql, float(found.group(1)) if found else 0.0, plan)


def _tree(rows: list[tuple[Any, ...]]) -> str:
    """EXPLAIN QUERY PLAN's rows (id, parent, _, detail) as the sqlite3 shell draws them."""
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return "\n".join(lines)


def _sqlite(cur: Any, sql: str, params: Any, many: bool) -> Statement:
    first = (params[0] if params else ()) if many else (params or ())
    plan = _tree(cur.execute("EXPLAIN QUERY PLAN " + sql, first).fetchall())
    start = time.perf_counter()
    if many:
        cur.executemany(sql, params)
    else:
        cur.execute(sql, params or ()).fetchall()
    ms = (time.perf_counter() - start) * 1000
    return Statement(sql, ms, plan, len(params) if many else 1)


class Recorder:
    """Explains every statement the store issues while ``on``."""

    def __init__(self, engine: Engine) -> None:
        self.postgres = engine.dialect.name == "postgresql"
        self.on = False
        self.statements: list[Statement] = []
        event.listen(engine, "before_cursor_execute", self._before)

    def take(self) -> list[Statement]:
        out, self.statements = self.statements, []
        return out

    def _before(
        self,
        _conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        executemany: bool,
    ) -> None:
        if not self.on or not statement.lstrip().upper().startswith(WORDS):
            return
        cur = cursor.connection.cursor()
        cur.execute(f"SAVEPOINT {SAVEPOINT}")
        try:
            run = _pg if self.postgres else _sqlite
            self.statements.append(run(cur, statement, parameters, executemany))
        except Exception as exc:  # a plan we cannot have is reported, never fatal
            self.statements.append(Statement(statement, 0.0, f"(no plan: {exc})"))
        finally:
            cur.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
            cur.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
            cur.close()


@dataclass(frozen=True, slots=True)
class Size:
    table: str
    rows: int
    total_bytes: int  # the table with its indexes (and TOAST on PostgreSQL)
    heap_bytes: int
    indexes: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def sizes(engine: Engine, tables: tuple[str, ...]) -> list[Size]:
    out = []
    with engine.connect() as conn:
        for table in tables:
            rows = int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
            if engine.dialect.name == "postgresql":
                heap, total = conn.exec_driver_sql(
                    "SELECT pg_relation_size(%(t)s::regclass), "
                    "pg_total_relation_size(%(t)s::regclass)",
                    {"t": table},
                ).one()
                found = [
                    (str(r[0]), int(r[1]))
                    for r in conn.exec_driver_sql(
                        "SELECT c.relname, pg_relation_size(c.oid) FROM pg_index i "
                        "JOIN pg_class c ON c.oid = i.indexrelid "
                        "WHERE i.indrelid = %(t)s::regclass ORDER BY c.relname",
                        {"t": table},
                    ).all()
                ]
            else:
                pages: dict[str, int] = dict(
                    conn.exec_driver_sql("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").all()
                )
                names = conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                    "ORDER BY name",
                    (table,),
                ).all()
                found = [(str(r[0]), pages.get(str(r[0]), 0)) for r in names]
                heap = pages.get(table, 0)
                total = heap + sum(b for _n, b in found)
            indexes = {str(name): int(b) for name, b in found}
            out.append(Size(table, rows, int(total), int(heap), indexes))
    return out
