"""A command loads what it works with when it runs: the help of every command loads none of the
libraries of the database, the network, the parsers or the web app (nor rich, which draws
tables), and a read of a database already migrated loads no migration tool and no parser.

Structural, not timed: the modules a real process imported, as ``python -X importtime`` names
them (docs/performance.md, "Start", has the timings).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli.helpers import environment

# what only a command's work needs; none of it for the help
HEAVY = (
    "sqlalchemy",
    "alembic",
    "aiohttp",
    "lxml",
    "nh3",
    "feedparser",
    "jinja2",
    "starlette",
    "uvicorn",
    "argon2",
    "rich",
    "tidings.config",
    "tidings.core",
    "tidings.store",
)
# what a read of the store has no use for: migrations, parsing, the web app
NOT_FOR_A_READ = (
    "alembic",
    "aiohttp",
    "lxml",
    "nh3",
    "feedparser",
    "jinja2",
    "starlette",
    "uvicorn",
)

# every command's help in one process: what all of them import together
EVERY_HELP = """
import sys
import typer.main
from tidings.cli import app

group = typer.main.get_command(app)
paths = [[name] for name in group.commands]
paths += [[name, sub] for name, c in group.commands.items() for sub in getattr(c, "commands", {})]
for path in paths:
    try:
        app([*path, "--help"], prog_name="tidings")
    except SystemExit as done:
        assert done.code == 0, (path, done.code)
print(MARK, json.dumps({"paths": paths, "modules": sorted(sys.modules)}))
"""
MARK = "-- modules --"


def run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env={**os.environ, **environment(data)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def imported(stderr: str) -> set[str]:
    """The modules that ``-X importtime`` says a process imported."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def loaded(modules: set[str], wanted: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == w or m.startswith(f"{w}.") for w in wanted))


def test_tidings_help_loads_nothing_heavy(tmp_path: Path) -> None:
    result = run(tmp_path / "data", "-X", "importtime", "-m", "tidings.cli", "--help")
    assert result.returncode == 0
    assert "[OPTIONS] COMMAND [ARGS]..." in result.stdout
    modules = imported(result.stderr)
    assert "typer" in modules  # what -X importtime reports is read
    assert loaded(modules, HEAVY) == []
    assert not (tmp_path / "data").exists()


def test_no_command_s_help_loads_anything_heavy(tmp_path: Path) -> None:
    script = f"import json\nMARK = {MARK!r}\n{EVERY_HELP}"
    result = run(tmp_path / "data", "-c", script)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.rsplit(MARK, 1)[1])
    assert ["list"] in found["paths"] and ["user", "add"] in found["paths"]
    assert len(found["paths"]) > 25  # every command, each group's too
    assert loaded(set(found["modules"]), HEAVY) == []


def test_a_read_of_a_migrated_database_loads_no_migrations_and_no_parser(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "-m", "tidings.cli", "db", "upgrade").returncode == 0
    result = run(data, "-X", "importtime", "-m", "tidings.cli", "list")
    assert (result.returncode, result.stdout) == (0, "")
    modules = imported(result.stderr)
    assert "sqlalchemy" in modules and "tidings.store.store" in modules
    assert loaded(modules, NOT_FOR_A_READ) == []


def test_an_update_with_no_one_watching_loads_no_parser_until_a_document_and_no_rich(
    tmp_path: Path,
) -> None:
    """Output to a file or a pipe: no progress bar, so no rich; no document, so no parser."""
    data = tmp_path / "data"
    assert run(data, "-m", "tidings.cli", "db", "upgrade").returncode == 0
    result = run(data, "-X", "importtime", "-m", "tidings.cli", "update", "--all")
    assert (result.returncode, result.stdout) == (
        0,
        "0 feeds: 0 new items, 0 changed, 0 not modified, 0 failed\n",
    )
    modules = imported(result.stderr)
    assert "aiohttp" in modules  # the fetch client is ready
    assert loaded(modules, ("rich", "lxml", "feedparser", "alembic", "jinja2", "starlette")) == []
