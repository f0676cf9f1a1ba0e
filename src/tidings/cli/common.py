"""What every command shares: the Typer apps, the consoles, the facade of one command and
the one-line errors."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib.metadata import version
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.errors import TidingsError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="tidings: a web-feed aggregator."
)
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
app.add_typer(db_app, name="db")
user_app = typer.Typer(no_args_is_help=True, help="People who may sign in: admins and readers.")
app.add_typer(user_app, name="user")

# soft_wrap: a line longer than the terminal is the terminal's to fold, so that a URL or a
# message is never broken by inserted newlines (tables set their own widths: cli/tables.py)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")


def print_version(wanted: bool) -> None:
    if wanted:
        print(f"tidings {version('tidings')}")
        raise typer.Exit()


# the commands of one person's reading (cli/reading.py, cli/unread.py): the ones --user goes with
PERSONAL = ("subscribe", "unsubscribe", "subscriptions", "unread", "mark-read", "star", "unstar")


@app.callback()
def options(
    ctx: typer.Context,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            metavar="NAME",
            help="The person whose reading a command is (subscribe, unread, mark-read ...).",
        ),
    ] = None,
) -> None:
    """tidings: a web-feed aggregator."""
    if user is not None and ctx.invoked_subcommand not in PERSONAL:
        raise fail(
            f"--user goes with a person's commands ({', '.join(PERSONAL)}); "
            f"{ctx.invoked_subcommand} is the site's"
        )


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def opened() -> Iterator[Aggregator]:
    """The aggregator for one command; any TidingsError becomes a one-line error and exit 1."""
    try:
        agg = make_aggregator(Settings.load())
    except TidingsError as exc:
        raise fail(str(exc)) from None
    try:
        yield agg
    except TidingsError as exc:
        raise fail(str(exc)) from None
    finally:
        agg.close()


def run(agg: Aggregator, work: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        async with agg:
            return await work()

    return asyncio.run(main())


def iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
