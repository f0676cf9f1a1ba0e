"""tidings notify: where notifications go (Apprise URLs), the site's or a person's (--user):
add, list, remove, enable, disable and test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tidings.cli.common import Sections, app, err, escape, fail, opened, out, run
from tidings.cli.tables import Col, show
from tidings.i18n import N_
from tidings.i18n import gettext as _

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
    return _("the site") if name is None else escape(name)


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
        _("added notification target %(id)s of %(whose)s: %(name)s (%(url)s)")
        % {
            "id": target.id,
            "whose": whose(user),
            "name": escape(target.name),
            "url": escape(target.url),
        },
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
            _("%(whose)s has no notification targets; add one with 'tidings notify add URL'")
            % {"whose": whose(user)},
            highlight=False,
        )
        return
    show(
        [
            Col(N_("id"), right=True),
            Col(N_("name")),
            Col(N_("url"), url=True),
            Col(N_("state")),
            Col(N_("waiting"), right=True),
            Col(N_("delivered"), empty=N_("never")),
            Col(N_("last error")),
        ],
        [[t.id, t.name, t.url, state(t), t.pending, t.delivered_at, t.last_error] for t in targets],
        now=agg.clock(),
    )


def state(target: NotifyTarget) -> str:
    words = [_("on") if target.enabled else _("off")]
    if target.digest:
        words.append(_("digest"))
    if target.failures:
        words.append(_("failing (%(n)d)") % {"n": target.failures})
    if target.given_up:
        words.append(_("%(n)d given up") % {"n": target.given_up})
    return ", ".join(words)


@notify_app.command("remove")
def notify_remove(target_id: int, user: User = None) -> None:
    """Remove a target and what waits for it."""
    with opened() as agg:
        gone = agg.remove_notify_target(owner(agg, user), target_id)
    out.print(
        _("removed notification target %(id)s: %(name)s")
        % {"id": gone.id, "name": escape(gone.name)},
        highlight=False,
    )


@notify_app.command("enable")
def notify_enable(target_id: int, user: User = None) -> None:
    """Resume a target that was disabled."""
    with opened() as agg:
        target = agg.enable_notify_target(owner(agg, user), target_id, True)
    out.print(_("notification target %(id)s is on") % {"id": target.id}, highlight=False)


@notify_app.command("disable")
def notify_disable(target_id: int, user: User = None) -> None:
    """Pause a target: nothing is sent to it (what waits is given up after a day)."""
    with opened() as agg:
        target = agg.enable_notify_target(owner(agg, user), target_id, False)
    out.print(_("notification target %(id)s is off") % {"id": target.id}, highlight=False)


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
        out.print(_("delivered to %(name)s") % {"name": escape(target.name)}, highlight=False)
        return
    if target.last_error:
        raise fail(
            _("not delivered to %(name)s: %(error)s (tried again later)")
            % {"name": target.name, "error": target.last_error}
        )
    out.print(
        _(
            "queued for %(name)s: it had a message within the last minute, the "
            "sender's next turn delivers it"
        )
        % {"name": escape(target.name)},
        highlight=False,
    )
