"""The reading benchmark (bench/reading.py) end to end at a tiny size: the loader fills a
database made by the migrations, the facade's counts agree with what was loaded, every
operation is timed and explained, and the section renders."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.readingdb import Shape
from bench.report import Context

from bench import reading, readingreport
from tests.pg import ADMIN_URL, unavailable

TINY = Shape(items=3000, feeds=30, people=10, follows=8, tail_mean=5.0)
CTX = Context(
    date="today",
    machine={"nproc": "2", "memory": "1 GiB", "cpu": "cpu", "kernel": "k", "python": "3.11"},
    tidings="0.1.0",
    versions={},
    command="make bench",
)


def _check(res: reading.ReadingResults, samples: int) -> None:
    (backend,) = res.backends
    assert backend.load["rows"]["items"] == TINY.items
    assert backend.checks[0].startswith("`unread_counts` total equals")
    assert f"for {samples} of {samples} people" in backend.checks[0]
    assert f"for {samples} of {samples} people" in backend.checks[1]
    assert [op.key for op in backend.ops] == [op.key for op in reading.OPS]
    for op in backend.ops:
        assert len(op.ms) == samples, op.key
        assert op.statements, op.key
    ops = {op.key: op for op in backend.ops}
    assert all(n > 0 for n in ops["mark"].rows)
    assert all(n > 0 for n in ops["ids"].rows)
    assert ops["empty"].rows == [0] * samples
    assert {s.table for s in backend.sizes} == set(reading.TABLES)
    text = readingreport.section(res, CTX)
    assert text.startswith("## Reading at scale\n")
    assert "```text" in text


def test_the_reading_benchmark_runs_on_sqlite(tmp_path: Path) -> None:
    res = reading.run(
        tmp_path,
        backends=["sqlite"],
        pg_shape=TINY,
        sqlite_shape=TINY,
        limits=reading.Limits(samples=3, quiet_s=0),
    )
    _check(res, 3)
    plans = readingreport.section(res, CTX)
    assert "EXPLAIN QUERY PLAN" in plans


@pytest.mark.postgres
def test_the_reading_benchmark_runs_on_postgresql(tmp_path: Path) -> None:
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    res = reading.run(
        tmp_path,
        backends=["postgresql"],
        pg_shape=TINY,
        sqlite_shape=TINY,
        limits=reading.Limits(samples=3, quiet_s=0),
        pg_admin_url=ADMIN_URL,
    )
    _check(res, 3)
    assert "Execution Time" in readingreport.section(res, CTX)
