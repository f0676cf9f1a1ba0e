"""WebSub on the command line: ``tidings push list``, the feeds' subscriptions at their hubs
(the same as the admin's health page shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tidings.cli.common import Sections, app, iso, opened, out, print_json
from tidings.cli.tables import Cell, Col, show
from tidings.i18n import N_
from tidings.i18n import gettext as _

if TYPE_CHECKING:
    from tidings.arrival import PushSubscription

push_app = typer.Typer(
    no_args_is_help=True,
    help="WebSub: the feeds whose hubs push their new items.",
    cls=Sections,
    rich_markup_mode=None,
)
app.add_typer(push_app, name="push")

PUSH_COLUMNS = (
    Col(N_("feed"), right=True, empty=N_("removed")),
    Col(N_("title")),
    Col(N_("hub"), url=True),
    Col(N_("state")),
    Col(N_("active until"), empty="-"),
    Col(N_("last push"), empty=N_("never")),
    Col(N_("pushes"), right=True),
    Col(N_("error")),
)
STATE_STYLES = {"active": "green", "denied": "red", "expired": "yellow", "unsubscribing": "cyan"}


def push_json(p: PushSubscription) -> dict[str, Any]:
    return {
        "feed_id": p.feed_id,
        "title": p.feed_title,
        "hub": p.hub,
        "topic": p.topic,
        "state": p.state,
        "pending": p.pending_mode,
        "lease_seconds": p.lease_seconds,
        "expires_at": iso(p.expires_at),
        "next_action_at": iso(p.next_action_at),
        "last_push_at": iso(p.last_push_at),
        "pushes": p.pushes,
        "error_count": p.error_count,
        "last_error": p.last_error,
    }


def push_row(p: PushSubscription) -> list[Cell]:
    from rich.text import Text

    requested = _(" (%(mode)s requested)") % {"mode": p.pending_mode}
    state = p.state + (requested if p.pending_mode else "")
    error = f"{p.last_error} ({p.error_count})" if p.last_error and p.error_count else p.last_error
    return [
        p.feed_id,
        p.feed_title,
        p.hub,
        Text(state, STATE_STYLES.get(p.state, "")),
        p.expires_at,
        p.last_push_at,
        p.pushes,
        error,
    ]


@push_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Each subscription: its feed, hub and state, until when it is active, its last push, how
    many pushes came, and its last error."""
    with opened() as agg:
        rows, now = agg.push_subscriptions(), agg.clock()
    if as_json:
        print_json([push_json(p) for p in rows])
        return
    if not rows:
        out.print(_("no feed is pushed by a hub"), highlight=False)
        return
    show(PUSH_COLUMNS, [push_row(p) for p in rows], now=now)
