"""A person's reading on the command line: whose it is (``--user NAME``), their
subscriptions (subscribe, unsubscribe and subscriptions) and their folders (folder fold).

The site's commands (add, list, items ...) keep the site's collection; these keep one person's
own, which nobody else sees. Their items are in ``cli/unread.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tidings.cli.common import Sections, app, err, escape, fail, iso, opened, print_json, run
from tidings.cli.tables import Cell, Col, show
from tidings.errors import NotFoundError
from tidings.i18n import N_
from tidings.i18n import gettext as _

if TYPE_CHECKING:
    from tidings.core import Aggregator
    from tidings.types import Subscription, User

PANEL = "A person's reading (tidings --user NAME COMMAND)"


def person(agg: Aggregator, ctx: typer.Context, name: str | None = None) -> User:
    """The person named by ``name``, else by the global ``--user NAME`` (an error when it is
    missing or unknown)."""
    name = name or ctx.find_root().params.get("user")
    if name is None or not str(name).strip():
        raise fail(_("name the person with --user NAME"))
    wanted = str(name).strip()
    for account in agg.users():
        if account.user.name == wanted:
            return account.user
    raise fail(_('no user named "%(name)s"') % {"name": wanted})


def followed(agg: Aggregator, user: User, ref: str) -> Subscription:
    """The person's subscription to a feed named by its id or its URL (in any spelling)."""
    wanted = ref.strip()
    subscriptions = agg.subscriptions(user.id)
    for sub in subscriptions:
        if wanted in (str(sub.feed.id), sub.feed.url):
            return sub
    if not wanted.isdigit():
        try:
            feed_id = agg.feed(wanted).id  # another spelling of a URL the store knows
        except NotFoundError:
            feed_id = None
        for sub in subscriptions:
            if sub.feed.id == feed_id:
                return sub
    raise fail(_("%(name)s does not follow %(feed)s") % {"name": user.name, "feed": wanted})


def subscription_json(sub: Subscription) -> dict[str, Any]:
    return {
        "id": sub.feed.id,
        "subscription_id": sub.id,
        "title": sub.title,
        "folder": sub.folder,
        "url": sub.feed.url,
        "site_url": sub.feed.site_url,
        "unread": sub.unread,
        "hide_from_all": sub.hide_from_all,
        "reader_view": sub.reader_view,
        "created_at": iso(sub.created_at),
        "last_success": iso(sub.feed.last_success),
        "last_error": sub.feed.last_error,
    }


SUBSCRIPTION_COLUMNS = (
    Col(N_("id"), right=True),
    Col(N_("title")),
    Col(N_("folder")),
    Col(N_("unread"), right=True),
    Col(N_("url"), url=True),
)


def subscription_row(sub: Subscription) -> list[Cell]:
    return [sub.feed.id, sub.title, sub.folder, sub.unread, sub.feed.url]


@app.command(rich_help_panel=PANEL)
def subscribe(
    ctx: typer.Context,
    url: str,
    title: Annotated[str | None, typer.Option(help="A title of your own for the feed.")] = None,
    folder: Annotated[
        str | None, typer.Option(metavar="NAME", help="The folder to put it in.")
    ] = None,
) -> None:
    """Follow a feed (or the feed a page links to) as the person named by --user."""
    with opened() as agg:
        user = person(agg, ctx)
        sub = run(agg, lambda: agg.subscribe(user.id, url, title=title, folder=folder))
    show(SUBSCRIPTION_COLUMNS, [subscription_row(sub)])


@app.command(rich_help_panel=PANEL)
def unsubscribe(
    ctx: typer.Context,
    feed: Annotated[str, typer.Argument(metavar="ID|URL", help="The feed's id or URL.")],
) -> None:
    """Stop following a feed (its starred items stay starred)."""
    with opened() as agg:
        user = person(agg, ctx)
        sub = agg.unsubscribe(user.id, followed(agg, user, feed).feed.id)
    print(_("unsubscribed %(id)s\t%(title)s") % {"id": sub.feed.id, "title": sub.title})


@app.command(rich_help_panel=PANEL)
def subscriptions(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The person's subscriptions, by folder then title, with their unread counts."""
    with opened() as agg:
        user = person(agg, ctx)
        subs = agg.subscriptions(user.id)
    if as_json:
        print_json([subscription_json(s) for s in subs])
        return
    if not subs:
        err.print(
            _("%(name)s follows no feed yet; add one with 'tidings --user %(name)s subscribe URL'")
            % {"name": escape(user.name)},
            highlight=False,
        )
        return
    show(SUBSCRIPTION_COLUMNS, [subscription_row(s) for s in subs])


folder_app = typer.Typer(
    no_args_is_help=True,
    help="A person's folders: whether each shows a story their feeds share once.",
    cls=Sections,
    rich_markup_mode=None,
)
app.add_typer(folder_app, name="folder", rich_help_panel=PANEL)


@folder_app.command("fold")
def fold(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The folder's name.")],
    user: Annotated[
        str | None, typer.Option("--user", metavar="NAME", help="The person (or tidings --user).")
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="Show every copy again.")] = False,
) -> None:
    """Show each story the folder's feeds share (the same link) once, its copies read with it;
    --off shows every copy again."""
    with opened() as agg:
        account = person(agg, ctx, user)
        agg.fold_duplicates(account.id, name, not off)
    print(f"{name}\t{_('shows every copy') if off else _('shows each story once')}")
