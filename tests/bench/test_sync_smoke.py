"""The sync benchmark (bench/sync.py) end to end at a tiny size: ``tidings serve`` over the
loaded database, each protocol's app syncing fully and incrementally, agreeing with the server
after every sync, and the section rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import sync, syncclients
from tests.bench.test_reading_smoke import CTX


@pytest.mark.slow
def test_the_sync_benchmark_runs_every_protocol(tmp_path: Path) -> None:
    result = sync.run(tmp_path, items=300, feeds=20, rounds=1)
    assert [r.protocol for r in result.results] == list(syncclients.CLIENTS)
    for r in result.results:
        assert r.agrees, r.protocol
        assert r.full.items == 300 and len(r.full.ms) == 1
        assert len(r.incremental.ms) == 1
        assert r.incremental.items == sync.NEW_ITEMS, r.protocol
    text = sync.section(result, CTX)
    assert text.startswith("## Sync\n\nRun today on 2 cores")
    assert text.count("| full first sync |") == 3
    assert "| NO |" not in text
