"""The commands of people and the database: user (with the apps' API password and keys) and
db."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tidings.cli.common import db_app, err, escape, fail, opened, out, progress_bar, user_app
from tidings.cli.tables import Col, show
from tidings.errors import TidingsError
from tidings.i18n import N_
from tidings.i18n import gettext as _

if TYPE_CHECKING:
    from tidings.core import Aggregator

ROLES = ("admin", "reader")


def role_name(admin: bool) -> str:
    return _("an admin") if admin else _("a reader")


@user_app.command("add")
def user_add(
    name: str,
    admin: Annotated[
        bool, typer.Option("--admin", help="An admin of the site (else a reader).")
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a person who can sign in: a reader, or with --admin an admin of the site (the
    password is asked for, twice)."""
    password = read_password(password_stdin)
    with opened() as agg:
        user = agg.add_user(name, password, role="admin" if admin else "reader")
    out.print(
        _("created user %(name)s, %(role)s; sign in at /signin")
        % {"name": escape(user.name), "role": role_name(user.is_admin)},
        highlight=False,
    )


@user_app.command("role")
def user_role(
    name: str, role: Annotated[str, typer.Argument(metavar="admin|reader", help="The new role.")]
) -> None:
    """Make a person an admin of the site, or a reader."""
    if role not in ROLES:
        raise fail(_("a role is admin or reader, not %(role)r") % {"role": role})
    with opened() as agg:
        user = agg.set_role(name, role)
    out.print(
        _("%(name)s is now %(role)s")
        % {"name": escape(user.name), "role": role_name(user.is_admin)},
        highlight=False,
    )


def read_password(from_stdin: bool, label: str | None = None) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(
        typer.prompt(
            label or _("Password"),
            hide_input=True,
            confirmation_prompt=_("Repeat for confirmation"),
        )
    )


@user_app.command("list")
def user_list() -> None:
    """The users: name, role, when they were created, and their open sessions."""
    with opened() as agg:
        accounts = agg.users()
    if not accounts:
        err.print(_("no users yet; add one with 'tidings user add NAME --admin'"), highlight=False)
        return
    show(
        [Col(N_("name")), Col(N_("role")), Col(N_("created")), Col(N_("sessions"), right=True)],
        [[a.user.name, a.user.role, a.created_at, a.sessions] for a in accounts],
        now=agg.clock(),
    )


@user_app.command("passwd")
def user_passwd(
    name: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password (asked for twice); every session of theirs ends."""
    with opened() as agg:
        if not any(a.user.name == name for a in agg.users()):
            raise fail(_("no user named %(name)r") % {"name": name})
        agg.set_password(name, read_password(password_stdin))
    out.print(
        _("changed the password of %(name)s; their sessions ended") % {"name": escape(name)},
        highlight=False,
    )


def user_id_of(agg: Aggregator, name: str) -> int:
    found = next((a.user for a in agg.users() if a.user.name == name), None)
    if found is None:
        raise fail(_("no user named %(name)r") % {"name": name})
    return found.id


@user_app.command("api-password")
def user_api_password(
    name: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the API password from standard input.")
    ] = False,
    remove: Annotated[
        bool, typer.Option("--remove", help="Remove the API password: apps are refused.")
    ] = False,
) -> None:
    """Set the API password that a person's apps sign in with (asked for twice), apart from
    their sign-in password; or --remove it."""
    if remove and password_stdin:
        raise fail(_("--remove reads no password"))
    with opened() as agg:
        user_id = user_id_of(agg, name)
        if remove:
            agg.clear_api_password(user_id)
            message = _("removed the API password of %(name)s; apps can no longer sign in") % {
                "name": escape(name)
            }
        else:
            agg.set_api_password(user_id, read_password(password_stdin, _("API password")))
            message = _("set the API password of %(name)s; apps sign in with it as %(name)s") % {
                "name": escape(name)
            }
    out.print(message, highlight=False)


@user_app.command("api-key")
def user_api_key(
    name: str,
    description: Annotated[
        str, typer.Option("--description", help="What the key is for (shown in the settings).")
    ],
) -> None:
    """Create an API key for an app that takes a token; its secret is printed this once (on
    standard output, alone; the rest on standard error)."""
    with opened() as agg:
        key, secret = agg.create_api_key(user_id_of(agg, name), description)
    err.print(
        _("API key %(id)s of %(name)s (%(description)s); copy it now, it is not shown again:")
        % {"id": key.id, "name": escape(name), "description": escape(key.description)},
        highlight=False,
    )
    print(secret)


@user_app.command("remove")
def user_remove(name: str) -> None:
    """Delete a user; their sessions end."""
    with opened() as agg:
        user = agg.remove_user(name)
    out.print(
        _("removed user %(name)s; their sessions ended") % {"name": escape(user.name)},
        highlight=False,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (tidings also does this on first use)."""
    from tidings.config import Settings
    from tidings.maintenance import upgrade_database

    try:
        report = upgrade_database(Settings.load())
    except TidingsError as exc:
        raise fail(str(exc)) from None
    was = report.before or _("empty")
    out.print(
        _("database at revision %(after)s (was %(before)s)")
        % {"after": report.after, "before": was},
        highlight=False,
    )
    if report.queue_installed:
        out.print(_("the workers' job queue (procrastinate) installed"), highlight=False)


@db_app.command("copy")
def db_copy(
    source: Annotated[str, typer.Option("--from", help="The database URL to copy from.")],
    target: Annotated[str, typer.Option("--to", help="An empty database URL to copy into.")],
) -> None:
    """Copy a whole installation to another database (e.g. SQLite to PostgreSQL)."""
    from tidings.maintenance import copy_database

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
            message = _("cannot copy: %(error)s") % {"error": exc}
            raise fail(message.splitlines()[0]) from None
    rows = ", ".join(f"{n} {t}" for t, n in report.counts.items() if n)
    out.print(_("copied and verified: %(rows)s") % {"rows": rows or _("no rows")}, highlight=False)
