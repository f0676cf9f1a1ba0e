"""The update benchmark (bench/update.py) end to end on a farm of 20 feeds: tidings, reader and
the floor on nginx, the server's steady state, the profiled steps, and the section; and the
targets judged from made-up steps."""

from __future__ import annotations

import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.common import free_port

from bench import cpuprofile, nginx, reader_side, report, steady, update
from tests.bench.test_reading_smoke import CTX

FEEDS = 20


def _tools_missing() -> str:
    try:
        nginx.find()
    except SystemExit:
        return "nginx is not installed"
    if reader_side.installed_version("reader") != reader_side.VERSION:
        if os.environ.get("CI") != "true":
            return "reader's venv is not made (python -m bench --only update makes it)"
        reader_side.ensure_venv()  # under CI the benchmark's peer is installed, not skipped
    return ""


@pytest.fixture(scope="module")
def ran() -> Iterator[update.UpdateResults]:
    missing = _tools_missing()
    if missing:
        pytest.skip(missing)
    # not under pytest's own temporary folder, which is private: nginx's worker may run as
    # nobody, and must reach the farm
    with tempfile.TemporaryDirectory(prefix="tidings-bench-") as folder:
        work = Path(folder)
        work.chmod(0o755)
        yield update.run(work, FEEDS, free_port("127.0.1.1"), timeout=120, quiet_s=0)


@pytest.mark.slow
def test_every_side_updates_every_feed(ran: update.UpdateResults) -> None:
    sides = [(s.side, s.phase) for s in ran.steps]
    assert sides == [
        ("tidings", "cold"), ("reader", "cold"), ("floor", "cold"),
        ("tidings", "warm"), ("reader", "warm"),
        ("tidings", "changed"), ("reader", "changed"),
    ]  # fmt: skip
    for s in ran.steps:
        assert s.ok, (s.side, s.phase, s.note)
        assert s.requests == FEEDS
    items = ran.farm["items"]
    for side in ("tidings", "reader"):
        cold = ran.step(side, "cold")
        assert cold is not None and cold.new_items == cold.stored_items == items


@pytest.mark.slow
def test_the_floor_fetches_and_parses_every_feed(ran: update.UpdateResults) -> None:
    floor = ran.step("floor", "cold")
    assert floor is not None
    assert floor.statuses == {200: FEEDS}
    assert floor.body_bytes == ran.farm["bytes"]
    shares = floor.shares
    assert 0 < shares["parse_s"] < shares["loop_s"] < floor.wall_s
    assert shares["fetch_s"] == pytest.approx(shares["loop_s"] - shares["parse_s"])


@pytest.mark.slow
def test_the_server_checks_every_feed_once(ran: update.UpdateResults) -> None:
    s = ran.steady
    assert s is not None
    assert s.ok, s.note
    assert s.checked == FEEDS and s.statuses == {304: FEEDS}
    assert s.idle_requests == 0
    assert s.window_cpu_ms > 0
    assert s.idle_s == pytest.approx(s.window_s, rel=0.2)


@pytest.mark.slow
def test_the_profiles_see_parsing_in_threads(ran: update.UpdateResults, tmp_path: Path) -> None:
    assert [p.phase for p in ran.profiles] == ["cold", "warm"]
    for p in ran.profiles:
        assert p.ok, p.note
        assert len(p.by_own) == cpuprofile.TOP
        assert all(r.function.startswith("tidings/") for r in p.by_cumulative)
        owns = [r.own_s for r in p.by_own]
        assert owns == sorted(owns, reverse=True)
    cold = ran.profiles[0]
    assert any("parse_document" in r.function for r in cold.by_cumulative)


@pytest.mark.slow
def test_the_section_reports_every_target(ran: update.UpdateResults) -> None:
    text = report.update_section(ran, CTX)
    assert text.startswith("## Update\n")
    assert "| cold | floor |" in text
    for row in (
        "cold: feeds/s vs reader",
        "warm (all 304): feeds/s vs reader",
        "10% changed: feeds/s vs reader",
        "cold: wall time vs the floor",
        "cold: items identical in count",
        "peak RSS, cold update of 20 feeds",
        "steady state in `serve`",
    ):
        assert f"| {row}" in text, row
    assert "Cold, tidings' own functions by cumulative time" in text
    assert "Warm: " in text


def _step(side: str, phase: str, wall: float, rss: float = 100.0) -> update.Step:
    return update.Step(
        side, phase, 1000, wall, wall, rss, 0, 0, 0, 0, 1000, {200: 1000}, 0, 0, True
    )


def _results(floor_wall: float, rss: float) -> update.UpdateResults:
    res = update.UpdateResults(farm={"feeds": 1000}, changed_feeds=100, changed_bytes=0)
    res.steps = [
        _step("tidings", "cold", 8.0, rss), _step("reader", "cold", 100.0),
        _step("floor", "cold", floor_wall),
        _step("tidings", "warm", 1.0), _step("reader", "warm", 2.0),
        _step("tidings", "changed", 1.0), _step("reader", "changed", 6.0),
    ]  # fmt: skip
    return res


def test_the_targets_are_judged_as_ratios_within_the_run() -> None:
    rows = {r[0]: r[-1] for r in report._targets(_results(floor_wall=2.0, rss=120.0))}
    assert rows["cold: feeds/s vs reader"].startswith("**met** (12.50x")
    assert rows["warm (all 304): feeds/s vs reader"].startswith("**missed** (2.00x")
    assert rows["10% changed: feeds/s vs reader"].startswith("**met** (6.00x")
    assert rows["cold: wall time vs the floor (aiohttp + lxml)"].startswith("**met** (4.00x")
    assert rows["peak RSS, cold update of 1,000 feeds"].startswith("**met**")
    rows = {r[0]: r[-1] for r in report._targets(_results(floor_wall=1.9, rss=151.0))}
    assert rows["cold: wall time vs the floor (aiohttp + lxml)"].startswith("**missed** (4.21x")
    assert rows["peak RSS, cold update of 1,000 feeds"].startswith("**missed**")


def test_a_steady_check_costs_the_window_less_the_idle_time() -> None:
    s = steady.Steady(1000, 1000, {304: 1000}, 10.0, 450.0, 20.0, 100.0, 0, True)
    assert s.per_check_ms == pytest.approx((450.0 - 50.0) / 1000)
    assert "0.400" in steady.section(s)


def test_the_cpu_of_a_process_tree_counts_its_children() -> None:
    """A child that burns half a second of CPU, then waits, is in its parent's tree."""
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass\n"
    child = subprocess.Popen(
        [sys.executable, "-c", burn + "import sys; sys.stdin.read()"],
        stdin=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while steady.tree_cpu_ms(child.pid) < 450 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert steady.tree_cpu_ms(os.getpid()) >= steady.tree_cpu_ms(child.pid) >= 450
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(10)


def test_a_profile_is_tabled_by_own_and_by_cumulative_time(tmp_path: Path) -> None:
    import cProfile

    def leaf() -> int:
        return sum(range(20_000))

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(50):
        leaf()
    prof.disable()
    path = tmp_path / "out.prof"
    pstats.Stats(prof).dump_stats(str(path))
    total, by_own, by_cum = cpuprofile.tables(path, top=3)
    assert total > 0
    assert len(by_own) == 3
    assert by_own[0].own_s >= by_own[1].own_s >= by_own[2].own_s
    assert any("sum" in r.function for r in by_own)
    assert by_cum == []  # no function of tidings ran
