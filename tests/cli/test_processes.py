"""tidings serve in a real process: a port in use is one line of error before anything starts;
make run takes the port and address from PORT= and HOST=."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from tests.cli.helpers import run_tidings

REPO = Path(__file__).resolve().parents[2]


def test_a_port_in_use_is_one_line_and_nothing_starts(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_tidings(tmp_path / "data", "serve", "--port", str(port))
    assert result.returncode == 1
    assert result.stderr == (
        f"error: port {port} on 127.0.0.1 is in use "
        "(choose another with --port, or make run PORT=...)\n"
    )
    assert result.stdout == ""
    assert not (tmp_path / "data").exists()  # no database opened, no scheduler started


def test_tidings_port_says_where_serve_listens(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_tidings(tmp_path / "data", "serve", TIDINGS_PORT=str(port))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: port {port} on 127.0.0.1 is in use")
    bad = run_tidings(tmp_path / "data", "serve", TIDINGS_PORT="http")
    assert bad.returncode == 1 and bad.stderr.startswith("error: TIDINGS_PORT: ")


def test_an_address_that_cannot_be_used_is_one_line(tmp_path: Path) -> None:
    result = run_tidings(tmp_path / "data", "serve", "--host", "192.0.2.1", "--port", "8000")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot listen on 192.0.2.1 port 8000: ")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_make_run_takes_port_and_host() -> None:
    def dry_run(*args: str) -> str:
        done = subprocess.run(
            ["make", "-n", "-s", "run", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.splitlines()[-1]

    assert dry_run().endswith("tidings serve --host 127.0.0.1 --port 8000")
    assert dry_run("PORT=8080", "HOST=0.0.0.0").endswith("serve --host 0.0.0.0 --port 8080")
