"""tidings notify: where notifications go (Apprise URLs), the site's or a person's (--user):
add, list, remove, enable, disable and test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tidings.cli.common import Sections, app, err, escape, fail, opened, out, run
from tidings.cli.tables import Col, show

if TYPE_CHECKING:
    from tidings.arrival import NotifyTarget
    from tidings.core import Aggregator

notify_app = typer.Typer(
    no_args_is_help=True,
    help="Where notifications go: Apprise URLs (ntfy, Gotify, Matrix, e-mail, webhooks ...), "
    "the site's (feed health, the site's rules) or, with --user, a person's.",
    cls=Sections,
    rich_markup_mode=None,
)
app.add_typer(notify_app, name="notify")

User = Annotated[
    str | None,
    typer.Option("--user", metavar="NAME", help="A person's targets (else the site's)."),
]


def owner(agg: Aggregator, name: str | None) -> int | None:
    """The person's id, or None for the site."""
    if name is None:
        return None
    from tidings.cli.admin import user_id_of

    return user_id_of(agg, name)


def whose(name: str | None) -> str:
    return "the site" if name is None else escape(name)


@notify_app.command("add")
def notify_add(
    url: Annotated[str, typer.Argument(help="An Apprise URL, e.g. ntfy://ntfy.sh/my-topic.")],
    name: Annotated[
        str | None, typer.Option("--name", help="What to call it (else the service's name).")
    ] = None,
    digest: Annotated[
        bool, typer.Option("--digest", help="Also send it a digest of the day's new items.")
    ] = False,
    user: User = None,
) -> None:
    """Add a target: its URL is checked by Apprise, and its host must be a public address
    (TIDINGS_ALLOWED_NETWORKS allows more)."""
    with opened() as agg:
        target = agg.add_notify_target(owner(agg, user), url, name=name, digest=digest)
    out.print(
        f"added notification target {target.id} of {whose(user)}: {escape(target.name)} "
        f"({escape(target.url)})",
        highlight=False,
    )


@notify_app.command("list")
def notify_list(user: User = None) -> None:
    """The targets (their secrets masked): whether they are on, what waits, the last delivery
    and the last error."""
    with opened() as agg:
        targets = agg.notify_targets(owner(agg, user))
    if not targets:
        err.print(
            f"{whose(user)} has no notification targets; add one with 'tidings notify add URL'",
            highlight=False,
        )
        return
    show(
        [
            Col("id", right=True),
            Col("name"),
            Col("url", url=True),
            Col("state"),
            Col("waiting", right=True),
            Col("delivered", empty="never"),
            Col("last error"),
        ],
        [[t.id, t.name, t.url, state(t), t.pending, t.delivered_at, t.last_error] for t in targets],
        now=agg.clock(),
    )


def state(target: NotifyTarget) -> str:
    words = ["on" if target.enabled else "off"]
    if target.digest:
        words.append("digest")
    if target.failures:
        words.append(f"failing ({target.failures})")
    if target.given_up:
        words.append(f"{target.given_up} given up")
    return ", ".join(words)


@notify_app.command("remove")
def notify_remove(target_id: int, user: User = None) -> None:
    """Remove a target and what waits for it."""
    with opened() as agg:
        gone = agg.remove_notify_target(owner(agg, user), target_id)
    out.print(f"removed notification target {gone.id}: {escape(gone.name)}", highlight=False)


@notify_app.command("enable")
def notify_enable(target_id: int, user: User = None) -> None:
    """Resume a target that was disabled."""
    with opened() as agg:
        target = agg.enable_notify_target(owner(agg, user), target_id, True)
    out.print(f"notification target {target.id} is on", highlight=False)


@notify_app.command("disable")
def notify_disable(target_id: int, user: User = None) -> None:
    """Pause a target: nothing is sent to it (what waits is given up after a day)."""
    with opened() as agg:
        target = agg.enable_notify_target(owner(agg, user), target_id, False)
    out.print(f"notification target {target.id} is off", highlight=False)


@notify_app.command("test")
def notify_test(target_id: int, user: User = None) -> None:
    """Send a test message now (with anything else waiting for the target) and say whether it
    got through; exit 1 if it did not."""
    with opened() as agg:
        uid = owner(agg, user)
        agg.test_notify_target(uid, target_id)

        async def send() -> int:
            return (await agg.send_notifications(only=[target_id])).sent

        sent = run(agg, send)
        target = next(t for t in agg.notify_targets(uid) if t.id == target_id)
    if sent:
        out.print(f"delivered to {escape(target.name)}", highlight=False)
        return
    if target.last_error:
        raise fail(f"not delivered to {target.name}: {target.last_error} (tried again later)")
    out.print(
        f"queued for {escape(target.name)}: it had a message within the last minute, the "
        "sender's next turn delivers it",
        highlight=False,
    )
