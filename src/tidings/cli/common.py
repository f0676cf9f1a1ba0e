"""What every command shares: the Typer apps, the consoles, the facade of one command and
the one-line errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from typing import IO, TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from tidings import i18n
from tidings.errors import TidingsError
from tidings.i18n import gettext as _

# A command imports what it works with when it runs (the facade, SQLAlchemy, rich's consoles,
# tables and progress bars): ``tidings --help`` and a mistyped option load none of it.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from tidings.core import Aggregator


class Sections(TyperGroup):
    """Plain help, without rich (loading it costs more than the rest of ``--help``), and yet in
    sections as rich draws them: the commands, then the groups (db, user), then the commands of
    each ``rich_help_panel`` under its title."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        panels: dict[str, list[tuple[str, str]]] = {"Commands": []}
        groups: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            line = (name, command.short_help or first_paragraph(command.help or ""))
            if isinstance(command, TyperGroup):
                groups.append(line)
            else:
                panel = getattr(command, "rich_help_panel", None) or "Commands"
                panels.setdefault(panel, []).append(line)
        panels["Commands"] += groups
        for title, rows in panels.items():
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def first_paragraph(text: str) -> str:
    """A command's help up to its first blank line, on one line (click's short help ends at
    the first period, which cuts "e.g." short)."""
    return " ".join(text.strip().split("\n\n")[0].split())


class LazyConsole:
    """A rich Console made on its first line of output."""

    def __init__(self, *, stderr: bool) -> None:
        self.stderr = stderr

    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        # soft_wrap: a line longer than the terminal is the terminal's to fold, so that a URL or
        # a message is never broken by inserted newlines (tables set their own widths)
        return Console(stderr=self.stderr, soft_wrap=True)

    def print(self, *objects: Any, **options: Any) -> None:
        self.console.print(*objects, **options)

    @property
    def file(self) -> IO[str]:
        """Where the console writes, without making it (as a Console does: the stream of now)."""
        if "console" in self.__dict__:
            return self.console.file
        return sys.stderr if self.stderr else sys.stdout


app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="tidings: a web-feed aggregator.",
    cls=Sections,
    rich_markup_mode=None,
)
db_app = typer.Typer(
    no_args_is_help=True, help="Database maintenance.", cls=Sections, rich_markup_mode=None
)
app.add_typer(db_app, name="db")
user_app = typer.Typer(
    no_args_is_help=True,
    help="People who may sign in: admins and readers.",
    cls=Sections,
    rich_markup_mode=None,
)
app.add_typer(user_app, name="user")

out = LazyConsole(stderr=False)
err = LazyConsole(stderr=True)
T = TypeVar("T")


def print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version

        print(f"tidings {version('tidings')}")
        raise typer.Exit()


# the commands of one person's reading (cli/reading.py, cli/unread.py): the ones --user goes with
PERSONAL = (
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "unread",
    "mark-read",
    "star",
    "unstar",
    "folder",
)


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
    i18n.use(language_of(os.environ))
    if user is not None and ctx.invoked_subcommand not in PERSONAL:
        raise fail(
            _("--user goes with a person's commands (%(commands)s); %(command)s is the site's")
            % {"commands": ", ".join(PERSONAL), "command": ctx.invoked_subcommand}
        )


# where the command line's language is named, the first that names one of ours wins
LANGUAGE_VARIABLES = ("TIDINGS_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def language_of(environ: Mapping[str, str]) -> str:
    """The language a command speaks: the one its environment names ("de_DE.UTF-8" is "de";
    "C" and "POSIX" name none), else English."""
    for variable in LANGUAGE_VARIABLES:
        language = i18n.normalize(environ.get(variable, "").split(".")[0].split("@")[0])
        if language is not None:
            return language
    return i18n.DEFAULT


def escape(text: str) -> str:
    """Text that rich prints as it is, never read as markup."""
    from rich.markup import escape as escaped

    return escaped(text)


def fail(message: str, code: int = 1) -> typer.Exit:
    label = _("error:")
    err.print(f"[red]{escape(label)}[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def opened() -> Iterator[Aggregator]:
    """The aggregator for one command; any TidingsError becomes a one-line error and exit 1."""
    from tidings.config import Settings
    from tidings.core import make_aggregator

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
    import asyncio

    async def main() -> T:
        async with agg:
            return await work()

    return asyncio.run(main())


def iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def progress_bar() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err.console,
        transient=True,
    )
