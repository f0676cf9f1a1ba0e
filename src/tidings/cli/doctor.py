"""tidings doctor: is this installation sound? One line per check, ok, warn or fail."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tidings.cli.common import app, out
from tidings.errors import TidingsError
from tidings.i18n import gettext as _

if TYPE_CHECKING:
    from tidings.config import Settings


@dataclass(frozen=True, slots=True)
class Check:
    status: str  # "ok", "warn" or "fail": the same words in every language, for scripts
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
        return [Check("fail", _("database"), str(exc))]
    none_applied = _("none applied yet: run 'tidings db upgrade'")
    if not state.exists:
        return [
            Check(
                "warn",
                _("database"),
                _("none yet at %(where)s; made on first use") % {"where": state.where},
            ),
            Check("warn", _("migrations"), none_applied),
        ]
    answers = Check("ok", _("database"), _("%(where)s answers") % {"where": state.where})
    if state.current == state.head:
        at_head = _("at head (%(head)s)") % {"head": state.head}
        return [answers, Check("ok", _("migrations"), at_head)]
    if state.current is None:
        return [answers, Check("warn", _("migrations"), none_applied)]
    behind = _("at %(current)s, this tidings needs %(head)s: run 'tidings db upgrade'") % {
        "current": state.current,
        "head": state.head,
    }
    return [answers, Check("fail", _("migrations"), behind)]


def expat_check() -> Check:
    import pyexpat

    from tidings.core import xml_parser_problem

    problem = xml_parser_problem()
    if problem is None:
        return Check("ok", _("XML parser"), pyexpat.EXPAT_VERSION)
    detail = _(
        "%(problem)s; tidings strips every DTD before parsing, but a newer expat is safer"
    ) % {"problem": problem}
    return Check("warn", _("XML parser"), detail)


def data_dir_check(folder: Path) -> Check:
    import tempfile

    name = _("data folder")
    if folder.is_dir():
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            detail = _("%(folder)s is not writable (%(error)s)")
            return Check("fail", name, detail % {"folder": folder, "error": exc.strerror})
        return Check("ok", name, _("%(folder)s is writable") % {"folder": folder})
    if folder.exists():
        return Check("fail", name, _("%(folder)s is not a folder") % {"folder": folder})
    parent = folder.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if os.access(parent, os.W_OK | os.X_OK):
        detail = _("%(folder)s does not exist yet; made on first use")
        return Check("ok", name, detail % {"folder": folder})
    detail = _("%(folder)s cannot be made: %(parent)s is not writable")
    return Check("fail", name, detail % {"folder": folder, "parent": parent})


def secret_check(settings: Settings) -> Check:
    name = _("secret key")
    if settings.secret_key:
        return Check("ok", name, _("set by TIDINGS_SECRET_KEY"))
    path = settings.data_dir / "secret_key"
    if not path.exists():
        detail = _("none yet; 'tidings serve' makes one in %(path)s")
        return Check("warn", name, detail % {"path": path})
    try:
        key = path.read_text().strip()
    except OSError as exc:
        detail = _("%(path)s cannot be read (%(error)s)")
        return Check("fail", name, detail % {"path": path, "error": exc.strerror})
    if not key:
        detail = _("%(path)s is empty; delete it and a new one is made")
        return Check("fail", name, detail % {"path": path})
    return Check("ok", name, _("kept in %(path)s") % {"path": path})


def samples_check(settings: Settings) -> Check:
    if settings.samples:
        detail = _("on (TIDINGS_SAMPLES): an empty database gets the bundled sample feeds")
        return Check("ok", _("sample feeds"), detail)
    return Check("ok", _("sample feeds"), _("off (TIDINGS_SAMPLES=false)"))


@app.command()
def doctor() -> None:
    """Check the installation: database, migrations, XML parser, data folder, secret key and
    sample feeds; exits 1 when a check fails."""
    from tidings.config import Settings

    try:
        settings = Settings.load()
    except TidingsError as exc:
        out.print(Check("fail", _("settings"), str(exc)).line(), markup=False, highlight=False)
        raise typer.Exit(1) from None
    checks = [
        Check("ok", _("settings"), _("read")),
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
