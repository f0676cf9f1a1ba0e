"""tidings doctor: one line per check; exit 1 when one fails."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.cli.helpers import environment, run_tidings
from tidings.store import migrate


def statuses(output: str) -> dict[str, str]:
    """check name -> its status, from lines like "ok    database: ..."."""
    found = {}
    for line in output.splitlines():
        status, rest = line.split(None, 1)
        found[rest.split(":", 1)[0]] = status
    return found


def test_a_new_installation_warns_of_what_first_use_makes(cli: Invoke) -> None:
    result = cli("doctor")
    assert result.exit_code == 0, result.stdout
    found = statuses(result.stdout)
    assert found.pop("XML parser") in ("ok", "warn")
    assert found == {
        "settings": "ok",
        "database": "warn",
        "migrations": "warn",
        "data folder": "ok",
        "secret key": "warn",
        "sample feeds": "ok",
    }
    assert "run 'tidings db upgrade'" in result.stdout


def test_an_installation_in_use_is_ok(cli: Invoke, tmp_path: Path) -> None:
    assert cli("db", "upgrade").exit_code == 0
    (tmp_path / "data" / "secret_key").write_text("a secret of some length")
    result = cli("doctor")
    assert result.exit_code == 0, result.stdout
    assert f"ok    migrations: at head ({migrate.head_revision()})" in result.stdout.splitlines()
    assert set(statuses(result.stdout).values()) <= {"ok", "warn"}
    assert "warn  secret key" not in result.stdout


def test_migrations_behind_fail(cli: Invoke, tmp_path: Path) -> None:
    engine = migrate.create(f"sqlite:///{tmp_path / 'data' / 'tidings.db'}")
    migrate.upgrade(engine, "0001")
    engine.dispose()
    result = cli("doctor")
    assert result.exit_code == 1
    assert (
        f"fail  migrations: at 0001, this tidings needs {migrate.head_revision()}: "
        "run 'tidings db upgrade'"
    ) in result.stdout.splitlines()


def test_a_database_that_does_not_answer_and_a_data_folder_that_is_a_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "file").write_text("")
    result = run_tidings(
        tmp_path / "file",
        "doctor",
        TIDINGS_DATABASE_URL="postgresql://nobody@127.0.0.1:9/nothing",
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("fail  database: the database does not answer: ") for line in lines)
    assert f"fail  data folder: {tmp_path / 'file'} is not a folder" in lines


def test_bad_settings_are_a_failed_check(tmp_path: Path) -> None:
    result = run_tidings(tmp_path, "doctor", TIDINGS_PER_HOST_CONCURRENCY="many")
    assert result.returncode == 1
    assert result.stdout.startswith("fail  settings: ") and "TIDINGS_PER_HOST_CONCURRENCY" in (
        result.stdout
    )


@pytest.mark.slow  # a server started and stopped
def test_serve_says_nothing_of_the_xml_parser(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    server = subprocess.Popen(
        [sys.executable, "-m", "tidings.cli", "serve", "--port", port, "--no-scheduler"],
        env={**environment(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stderr is not None
    lines = []
    for line in server.stderr:
        lines.append(line)
        if "Application startup complete" in line:
            break
    server.send_signal(signal.SIGINT)
    rest = server.communicate(timeout=30)[1]
    text = "".join(lines) + rest
    assert "tidings is serving on" in text
    assert "expat" not in text and "XML parser" not in text
