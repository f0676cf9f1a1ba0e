"""``/metrics`` in the Prometheus text format: counters from real updates, gauges from the store."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tests.update.test_pipeline import rss
from tests.web.test_samples import environment, get, serving
from tidings.core import Aggregator
from tidings.update.metrics import Gauge, Metrics

SAMPLE = re.compile(
    r'^([a-z_]+)(\{[a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*\})? (\S+)$'
)


def parse(text: str) -> dict[str, float]:
    """Every sample line, keyed by name and labels; every line checked against the format."""
    samples: dict[str, float] = {}
    declared: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            assert kind in ("counter", "gauge", "histogram")
            declared.add(name)
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        base = re.sub(r"_(bucket|sum|count)$", "", match.group(1))
        assert match.group(1) in declared or base in declared, line
        samples[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return samples


def test_metrics_count_updates_and_read_the_schedule(
    site: tuple[Aggregator, TestClient], server: FeedServer, clock: Clock
) -> None:
    agg, client = site
    server.routes["/ok.xml"] = Route(rss("One", "Two"))
    server.routes["/bad.xml"] = Route(b"no", status=500, content_type="text/plain")
    server.routes["/gone.xml"] = Route(b"", status=410)
    report = agg.import_opml(
        (
            '<opml version="2.0"><body>'
            + "".join(
                f'<outline xmlUrl="{server.url(p)}"/>' for p in ("/ok.xml", "/bad.xml", "/gone.xml")
            )
            + "</body></opml>"
        ).encode()
    )
    assert len(report.added) == 3
    empty = parse(client.get("/metrics").text)
    assert empty["tidings_feeds_due"] == 3
    assert empty["tidings_oldest_overdue_seconds"] == 0
    clock.now += timedelta(minutes=10)
    lagging = parse(client.get("/metrics").text)
    assert lagging["tidings_oldest_overdue_seconds"] == 600

    client.portal.call(agg.update)  # type: ignore[union-attr]
    client.portal.call(agg.update, [1])  # type: ignore[union-attr]  # a second one: a 304
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    got = parse(response.text)
    assert got['tidings_fetches_total{outcome="ok"}'] == 1
    assert got['tidings_fetches_total{outcome="not_modified"}'] == 1
    assert got['tidings_fetches_total{outcome="http"}'] == 2
    assert got["tidings_new_items_total"] == 2
    assert got["tidings_fetch_bytes_total"] == len(rss("One", "Two"))
    assert got["tidings_fetch_duration_seconds_count"] == 4
    assert got['tidings_fetch_duration_seconds_bucket{le="+Inf"}'] == 4
    assert got["tidings_fetch_duration_seconds_sum"] > 0
    assert got["tidings_feeds_due"] == 0
    assert got['tidings_feeds{state="ok"}'] == 1
    assert got['tidings_feeds{state="failing"}'] == 1
    assert got['tidings_feeds{state="disabled"}'] == 1


def test_histogram_buckets_are_cumulative_and_labels_escaped() -> None:
    metrics = Metrics(buckets=(0.1, 1.0))
    for seconds in (0.05, 0.5, 0.5, 3.0):
        metrics.observe(outcome="ok", seconds=seconds, size=10, new=1)
    metrics.observe(outcome='we"ird\nkind\\', seconds=0.01)
    text = metrics.render([Gauge("tidings_x", "A gauge.", [({"host": 'a"b'}, 1.5)])])
    got = parse(text)
    assert got['tidings_fetch_duration_seconds_bucket{le="0.1"}'] == 2
    assert got['tidings_fetch_duration_seconds_bucket{le="1"}'] == 4
    assert got['tidings_fetch_duration_seconds_bucket{le="+Inf"}'] == 5
    assert got["tidings_fetch_duration_seconds_count"] == 5
    assert got["tidings_fetch_bytes_total"] == 40
    assert 'tidings_fetches_total{outcome="we\\"ird\\nkind\\\\"} 1' in text
    assert got['tidings_x{host="a\\"b"}'] == 1.5
    assert text.endswith("\n")


@pytest.mark.slow
def test_fetches_of_another_process_are_counted(tmp_path: Path) -> None:
    """``tidings update`` is another process: its fetches show in the server's /metrics."""
    data = tmp_path / "data"
    with serving(data) as base:
        deadline = time.monotonic() + 10
        ok = 'tidings_fetches_total{outcome="ok"}'
        while (before := parse(get(base + "/metrics"))).get(ok, 0) < 3:  # the samples are in
            assert time.monotonic() < deadline
            time.sleep(0.2)
        done = subprocess.run(
            [sys.executable, "-m", "tidings.cli", "update", "--all"],
            env=environment(data),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        after = parse(get(base + "/metrics"))
    key = 'tidings_fetches_total{outcome="not_modified"}'
    assert after.get(key, 0) - before.get(key, 0) == 3, (before, after)
