"""tidings doctor: is this installation sound? One line per check, ok, warn or fail."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tidings.cli.common import app, out
from tidings.errors import TidingsError

if TYPE_CHECKING:
    from tidings.config import Settings


@dataclass(frozen=True, slots=True)
class Check:
    status: str  # "ok", "warn" or "fail"
    name: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.name}: {self.detail}"


def database_checks(settings: Settings) -> list[Check]:
    """Whether the database answers, and whether its migrations are at this tidings' head."""
    from tidings.maintenance import database_state

    try:
        state = database_state(settings)
    except TidingsError as exc:
        return [Check("fail", "database", str(exc))]
    if not state.exists:
        return [
            Check("warn", "database", f"none yet at {state.where}; made on first use"),
            Check("warn", "migrations", "none applied yet: run 'tidings db upgrade'"),
        ]
    answers = Check("ok", "database", f"{state.where} answers")
    if state.current == state.head:
        return [answers, Check("ok", "migrations", f"at head ({state.head})")]
    if state.current is None:
        return [answers, Check("warn", "migrations", "none applied yet: run 'tidings db upgrade'")]
    behind = f"at {state.current}, this tidings needs {state.head}: run 'tidings db upgrade'"
    return [answers, Check("fail", "migrations", behind)]


def expat_check() -> Check:
    import pyexpat

    from tidings.core import xml_parser_problem

    problem = xml_parser_problem()
    if problem is None:
        return Check("ok", "XML parser", pyexpat.EXPAT_VERSION)
    safer = "tidings strips every DTD before parsing, but a newer expat is safer"
    return Check("warn", "XML parser", f"{problem}; {safer}")


def data_dir_check(folder: Path) -> Check:
    import tempfile

    if folder.is_dir():
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            return Check("fail", "data folder", f"{folder} is not writable ({exc.strerror})")
        return Check("ok", "data folder", f"{folder} is writable")
    if folder.exists():
        return Check("fail", "data folder", f"{folder} is not a folder")
    parent = folder.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if os.access(parent, os.W_OK | os.X_OK):
        return Check("ok", "data folder", f"{folder} does not exist yet; made on first use")
    return Check("fail", "data folder", f"{folder} cannot be made: {parent} is not writable")


def secret_check(settings: Settings) -> Check:
    if settings.secret_key:
        return Check("ok", "secret key", "set by TIDINGS_SECRET_KEY")
    path = settings.data_dir / "secret_key"
    if not path.exists():
        return Check("warn", "secret key", f"none yet; 'tidings serve' makes one in {path}")
    try:
        key = path.read_text().strip()
    except OSError as exc:
        return Check("fail", "secret key", f"{path} cannot be read ({exc.strerror})")
    if not key:
        return Check("fail", "secret key", f"{path} is empty; delete it and a new one is made")
    return Check("ok", "secret key", f"kept in {path}")


def samples_check(settings: Settings) -> Check:
    if settings.samples:
        detail = "on (TIDINGS_SAMPLES): an empty database gets the bundled sample feeds"
        return Check("ok", "sample feeds", detail)
    return Check("ok", "sample feeds", "off (TIDINGS_SAMPLES=false)")


@app.command()
def doctor() -> None:
    """Check the installation: database, migrations, XML parser, data folder, secret key and
    sample feeds; exits 1 when a check fails."""
    from tidings.config import Settings

    try:
        settings = Settings.load()
    except TidingsError as exc:
        out.print(Check("fail", "settings", str(exc)).line(), markup=False, highlight=False)
        raise typer.Exit(1) from None
    checks = [
        Check("ok", "settings", "read"),
        *database_checks(settings),
        expat_check(),
        data_dir_check(settings.data_dir),
        secret_check(settings),
        samples_check(settings),
    ]
    for check in checks:
        out.print(check.line(), markup=False, highlight=False)
    if any(check.status == "fail" for check in checks):
        raise typer.Exit(1)
