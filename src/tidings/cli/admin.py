"""The commands of people and the database: user and db."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.markup import escape

from tidings.cli.common import db_app, fail, opened, out, progress_bar, user_app
from tidings.config import Settings
from tidings.errors import TidingsError
from tidings.maintenance import copy_database, upgrade_database


@user_app.command("add")
def user_add(
    name: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user who can sign in to /admin (the password is asked for, twice)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with opened() as agg:
        user = agg.add_user(name, password)
    out.print(f"created user {escape(user.name)}; sign in at /signin", highlight=False)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (tidings also does this on first use)."""
    try:
        report = upgrade_database(Settings.load())
    except TidingsError as exc:
        raise fail(str(exc)) from None
    was = report.before or "empty"
    out.print(f"database at revision {report.after} (was {was})", highlight=False)
    if report.queue_installed:
        out.print("the workers' job queue (procrastinate) installed", highlight=False)


@db_app.command("copy")
def db_copy(
    source: Annotated[str, typer.Option("--from", help="The database URL to copy from.")],
    target: Annotated[str, typer.Option("--to", help="An empty database URL to copy into.")],
) -> None:
    """Copy a whole installation to another database (e.g. SQLite to PostgreSQL)."""
    with progress_bar() as bar:
        tasks: dict[str, Any] = {}

        def step(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total or 1)
            bar.update(tasks[table], completed=done if total else 1)

        try:
            report = copy_database(source, target, progress=step)
        except TidingsError as exc:
            raise fail(str(exc)) from None
        except Exception as exc:  # a URL that cannot be opened, a refused connection ...
            raise fail(f"cannot copy: {exc}".splitlines()[0]) from None
    rows = ", ".join(f"{n} {t}" for t, n in report.counts.items() if n)
    out.print(f"copied and verified: {rows or 'no rows'}", highlight=False)
