"""The bundled sample feeds, end to end: a first ``tidings serve`` on any port subscribes them,
its first page fills in as soon as they are stored, and any other process updates them."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

# slow: real server and command-line processes
pytestmark = pytest.mark.slow

SAMPLE_TITLES = ("tidings 0.1: subscribe, fetch, read", "Atom: ids that never change")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    return {**env, "TIDINGS_DATA_DIR": str(data), "TIDINGS_PARSE_PROCESSES": "0"}


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


@contextlib.contextmanager
def serving(data: Path) -> Iterator[str]:
    """``tidings serve`` on a random port (not 8000), with the default settings."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings.cli", "serve", "--port", str(port)],
        env=environment(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_samples_show_on_any_port_and_update_from_any_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data) as base:
        first = get(base + "/")  # the first visit, while the samples are being read
        assert "tidings add" not in first
        deadline = time.monotonic() + 4  # well under the page cache's 5 s
        page = first
        while not all(t in page for t in SAMPLE_TITLES) and time.monotonic() < deadline:
            time.sleep(0.2)
            page = get(base + "/")
        assert all(t in page for t in SAMPLE_TITLES), page
        source = get(base + "/sources")
        assert "samples.tidings.invalid" not in source
    done = subprocess.run(
        [sys.executable, "-m", "tidings.cli", "update", "--all"],
        env=environment(data),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "3 feeds" in done.stdout and "0 failed" in done.stdout, done.stdout
