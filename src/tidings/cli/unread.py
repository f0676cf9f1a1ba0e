"""A person's items on the command line: unread, mark-read, star and unstar (the person is the
global ``--user NAME``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tidings.cli.common import app, err, fail, iso, opened, out, print_json
from tidings.cli.feeds import ITEM_COLUMNS, item_json
from tidings.cli.reading import PANEL, followed, person
from tidings.cli.tables import show
from tidings.errors import NotFoundError
from tidings.i18n import N_, ngettext
from tidings.i18n import gettext as _

if TYPE_CHECKING:
    from tidings.core import Aggregator
    from tidings.types import Entry, User

WHEN_EXAMPLES = N_("an ISO 8601 time such as 2026-12-01T08:00, or how long ago: 30m, 2h, 3d")


def moment(text: str, now: datetime, zone: tzinfo) -> datetime:
    """A time given on the command line, in UTC: ISO 8601 (without an offset, in ``zone``),
    or how long ago ("2h", "3d", "1d 12h"); a bare number is neither."""
    from tidings.timefmt import parse_duration

    stripped = text.strip()
    try:
        when = datetime.fromisoformat(stripped)
    except ValueError:
        pass
    else:
        return (when if when.tzinfo else when.replace(tzinfo=zone)).astimezone(UTC)
    if stripped and not stripped.isdigit():
        try:
            return now - timedelta(seconds=parse_duration(stripped))
        except ValueError:
            pass
    raise ValueError(
        _("not a time: %(text)r (%(examples)s)") % {"text": text, "examples": _(WHEN_EXAMPLES)}
    )


def item_ids(refs: Sequence[str]) -> list[int]:
    """Item ids as typed: whole numbers, each an error otherwise."""
    ids = []
    for ref in refs:
        if not (ref.strip().isdigit() and ref.strip().isascii()):
            raise fail(_("not an item id: %(ref)r") % {"ref": ref})
        ids.append(int(ref))
    return ids


def entries_of(agg: Aggregator, user: User, refs: Sequence[str]) -> list[Entry]:
    """The person's entries for these item ids (an error for an item not in their feeds)."""
    found = []
    for item_id in item_ids(refs):
        try:
            found.append(agg.entry(user.id, item_id))
        except NotFoundError:
            message = _("no item %(id)s in the feeds of %(name)s")
            raise fail(message % {"id": item_id, "name": user.name}) from None
    return found


def folder_of(agg: Aggregator, user: User, folder: str | None) -> str | None:
    """A folder of the person's, as typed (an error for a folder they do not have)."""
    if folder is None:
        return None
    if folder.strip() not in agg.folders(user.id):
        raise fail(
            _('%(name)s has no folder named "%(folder)s"')
            % {"name": user.name, "folder": folder.strip()}
        )
    return folder.strip()


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        **item_json(entry.item),
        "source": entry.title,
        "folder": entry.folder,
        "read": entry.read,
        "starred": entry.starred,
        "read_at": iso(entry.read_at),
        "starred_at": iso(entry.starred_at),
    }


@app.command(rich_help_panel=PANEL)
def unread(
    ctx: typer.Context,
    feed: Annotated[
        str | None, typer.Option(metavar="ID|URL", help="Only this feed (id or URL).")
    ] = None,
    folder: Annotated[str | None, typer.Option(metavar="NAME", help="Only this folder.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The person's unread items, newest first."""
    from tidings.types import EntryQuery

    with opened() as agg:
        user = person(agg, ctx)
        feed_id = followed(agg, user, feed).feed.id if feed is not None else None
        query = EntryQuery(
            status="unread", feed_id=feed_id, folder=folder_of(agg, user, folder), limit=limit
        )
        found, now = agg.entries(user.id, query), agg.clock()
    if as_json:
        print_json([entry_json(e) for e in found])
        return
    if not found:
        err.print(_("nothing unread"), highlight=False)
        return
    untitled = _("(untitled)")
    show(
        ITEM_COLUMNS,
        [
            [e.item.id, e.item.sort_date, e.title, e.item.title or untitled, e.item.link]
            for e in found
        ],
        now=now,
    )


@app.command("mark-read", rich_help_panel=PANEL)
def mark_read(
    ctx: typer.Context,
    items: Annotated[
        list[str] | None, typer.Argument(metavar="ITEM", help="Item ids.", show_default=False)
    ] = None,
    feed: Annotated[
        str | None, typer.Option(metavar="ID|URL", help="Every item of this feed (id or URL).")
    ] = None,
    folder: Annotated[
        str | None, typer.Option(metavar="NAME", help="Every item of this folder.")
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every item.")] = False,
    before: Annotated[
        str | None,
        typer.Option(metavar="TIME", help="Only items received by then: 2h, 3d or ISO 8601."),
    ] = None,
) -> None:
    """Mark items read: the ones named, or a feed's, a folder's or all (--before: older ones)."""
    if sum([bool(items), feed is not None, folder is not None, everything]) != 1:
        raise fail(_("say which items: ITEM..., --feed ID, --folder NAME or --all (one of them)"))
    if items and before is not None:
        raise fail(_("--before goes with --feed, --folder or --all"))
    with opened() as agg:
        user = person(agg, ctx)
        if items:
            result = agg.set_read(user.id, [e.item.id for e in entries_of(agg, user, items)])
        else:
            cutoff = None
            if before is not None:
                try:
                    cutoff = moment(before, agg.clock(), agg.site().timezone)
                except ValueError as exc:
                    raise fail(_("--before: %(error)s") % {"error": exc}) from None
            feed_id = followed(agg, user, feed).feed.id if feed is not None else None
            result = agg.mark_read(
                user.id, feed_id=feed_id, folder=folder_of(agg, user, folder), before=cutoff
            )
    n = result.marked
    out.print(
        ngettext("marked %(n)d item read", "marked %(n)d items read", n) % {"n": n}, highlight=False
    )


def starring(ctx: typer.Context, refs: Sequence[str], starred: bool) -> None:
    with opened() as agg:
        user = person(agg, ctx)
        found = entries_of(agg, user, refs)
        agg.set_starred(user.id, [e.item.id for e in found], starred)
    done = _("starred %(id)s\t%(title)s") if starred else _("unstarred %(id)s\t%(title)s")
    untitled = _("(untitled)")
    for entry in found:
        print(done % {"id": entry.item.id, "title": entry.item.title or untitled})


@app.command(rich_help_panel=PANEL)
def star(
    ctx: typer.Context,
    items: Annotated[list[str], typer.Argument(metavar="ITEM", help="Item ids.")],
) -> None:
    """Star items: they stay listed under "starred", and retention keeps them."""
    starring(ctx, items, True)


@app.command(rich_help_panel=PANEL)
def unstar(
    ctx: typer.Context,
    items: Annotated[list[str], typer.Argument(metavar="ITEM", help="Item ids.")],
) -> None:
    """Take the star off items."""
    starring(ctx, items, False)
