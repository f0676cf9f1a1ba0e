"""The commands of subscriptions and their items: add, list, remove, enable, health, update,
import, export and items."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tidings.cli.common import (
    app,
    err,
    escape,
    fail,
    iso,
    opened,
    out,
    print_json,
    progress_bar,
    run,
)
from tidings.cli.tables import Cell, Col, show
from tidings.i18n import N_, ngettext
from tidings.i18n import gettext as _

if TYPE_CHECKING:
    from tidings.types import Feed, FeedHealth, Item, UpdateResult


def feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "title": feed.title,
        "url": feed.url,
        "site_url": feed.site_url,
        "item_count": feed.item_count,
        "last_checked": iso(feed.last_checked),
        "last_success": iso(feed.last_success),
        "next_check": iso(feed.next_check),
        "error_count": feed.error_count,
        "error_since": iso(feed.error_since),
        "last_error": feed.last_error,
        "disabled_reason": feed.disabled_reason,
        "categories": list(feed.categories),
        "refresh_seconds": feed.refresh_seconds,
        "full_articles": feed.full_articles,
    }


def item_json(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "feed_id": item.feed_id,
        "feed_title": item.feed_title,
        "title": item.title,
        "link": item.link,
        "guid": item.guid,
        "author": item.author,
        "published": iso(item.published),
        "updated": iso(item.updated),
        "first_seen": iso(item.first_seen),
        "summary_html": item.summary_html,
        "content_html": item.content_html,
        "enclosures": [{"url": e.url, "type": e.type, "length": e.length} for e in item.enclosures],
    }


# -- subscriptions ---------------------------------------------------------------------------------


@app.command()
def add(
    url: str,
    title: Annotated[str | None, typer.Option(help="A title of your own for the feed.")] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", "-c", help="A category (repeatable).")
    ] = None,
    refresh: Annotated[
        str | None, typer.Option(help="How often to check, e.g. 30m, 2h (floor 5m).")
    ] = None,
    user_agent: Annotated[
        str | None, typer.Option(help="A User-Agent of the feed's own, sent for its requests.")
    ] = None,
    anyway: Annotated[
        bool, typer.Option(help="Add it even if it fails now: it is retried on backoff.")
    ] = False,
) -> None:
    """Subscribe to a feed, or to the feed a web page links to, and fetch it once."""
    from tidings import i18n
    from tidings.agelocale import age
    from tidings.timefmt import parse_duration

    seconds = None
    if refresh is not None:
        try:
            seconds = parse_duration(refresh)
        except ValueError as exc:
            raise fail(_("--refresh: %(error)s") % {"error": exc}) from None
    with opened() as agg:
        agg.check_refresh(seconds, f"--refresh {refresh}")
        feed = run(
            agg,
            lambda: agg.add_feed(
                url,
                title=title,
                categories=category or (),
                refresh_seconds=seconds,
                user_agent=user_agent,
                anyway=anyway,
            ),
        )
        print(f"{feed.id}\t{feed.display_title}")  # plain: scripts read this line
        if feed.last_error:
            again = age(i18n.current(), feed.next_check or agg.clock(), agg.clock())
            err.print(
                _("added, but it fails for now: %(error)s; it is tried again %(when)s")
                % {"error": feed.last_error, "when": again},
                highlight=False,
                markup=False,
            )
            return
        err.print(
            ngettext("%(n)d item from %(url)s", "%(n)d items from %(url)s", feed.item_count)
            % {"n": feed.item_count, "url": feed.url},
            highlight=False,
            markup=False,
        )


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the subscribed feeds with their health."""
    with opened() as agg:
        feeds = agg.feeds()
        if as_json:
            print_json([feed_json(f) for f in feeds])
            return
        now = agg.clock()
    show(LIST_COLUMNS, [list_row(f) for f in feeds], now=now)


LIST_COLUMNS = (
    Col(N_("id"), right=True),
    Col(N_("title")),
    Col(N_("url"), url=True),
    Col(N_("items"), right=True),
    Col(N_("last check"), empty=N_("never")),
    Col(N_("next check"), empty=N_("now")),
    Col(N_("errors")),
    Col(N_("categories")),
)


def list_row(f: Feed) -> list[Cell]:
    """A feed's line: its errors are "0", "2: <the last error>" or "disabled: <reason>"."""
    from rich.text import Text

    errors = Text(str(f.error_count), style="green")
    if f.disabled_reason:
        errors = Text(_("disabled: %(reason)s") % {"reason": f.disabled_reason}, style="red")
    elif f.last_error:
        errors = Text(f"{f.error_count}: {f.last_error}", style="yellow")
    next_check = _("disabled") if f.disabled_reason else f.next_check
    return [
        f.id,
        f.display_title,
        f.url,
        f.item_count,
        f.last_checked,
        next_check,
        errors,
        ", ".join(f.categories),
    ]


@app.command()
def remove(ref: Annotated[str, typer.Argument(help="The feed's id or URL.")]) -> None:
    """Unsubscribe from a feed and delete its items."""
    with opened() as agg:
        feed = agg.remove_feed(ref)
        print(_("removed %(id)s\t%(title)s") % {"id": feed.id, "title": feed.display_title})


@app.command()
def enable(ref: Annotated[str, typer.Argument(help="The feed's id or URL.")]) -> None:
    """Enable a feed that was disabled (410 Gone); the next update fetches it."""
    with opened() as agg:
        feed = agg.enable_feed(ref)
    print(_("enabled %(id)s\t%(title)s") % {"id": feed.id, "title": feed.display_title})


def health_json(h: FeedHealth) -> dict[str, Any]:
    return {
        "id": h.feed_id,
        "title": h.title,
        "url": h.url,
        "state": h.state,
        "reason": h.reason,
        "error_kind": h.error_kind,
        "since": iso(h.since),
        "error_count": h.error_count,
        "next_check": iso(h.next_check),
        "last_checked": iso(h.last_checked),
        "last_success": iso(h.last_success),
    }


@app.command()
def health(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The failing and disabled feeds: why, since when, how many errors, and the next try."""
    with opened() as agg:
        rows, now = agg.health(), agg.clock()
    if as_json:
        print_json([health_json(h) for h in rows])
        return
    if not rows:
        out.print(_("every feed is healthy"), highlight=False)
        return
    show(HEALTH_COLUMNS, [health_row(h) for h in rows], now=now)


HEALTH_COLUMNS = (
    Col(N_("id"), right=True),
    Col(N_("title")),
    Col(N_("url"), url=True),
    Col(N_("state")),
    Col(N_("reason")),
    Col(N_("since")),
    Col(N_("errors"), right=True),
    Col(N_("next try"), empty=N_("when enabled")),
)


STATE_STYLES = {"disabled": "red", "failing": "yellow", "notice": "cyan"}


def health_row(h: FeedHealth) -> list[Cell]:
    from rich.text import Text

    state = Text(h.state, STATE_STYLES.get(h.state, ""))
    next_try = h.next_check or (_("when enabled") if h.state == "disabled" else None)
    return [h.feed_id, h.title, h.url, state, h.reason, h.since, h.error_count, next_try]


# -- updates ---------------------------------------------------------------------------------------


@app.command("update")
def update_(
    refs: Annotated[list[str] | None, typer.Argument(help="Feed ids or URLs.")] = None,
    all_feeds: Annotated[bool, typer.Option("--all", help="Every feed, due or not.")] = False,
) -> None:
    """Fetch the feeds that are due (or the ones named, or --all) and store new items."""
    if not sys.stderr.isatty():  # no one to watch a bar: rich need not even be loaded
        with opened() as agg:
            results = run(agg, lambda: agg.update(refs or (), all_feeds=all_feeds))
        print_summary(results)
        return
    with opened() as agg, progress_bar() as bar:
        task = bar.add_task(_("updating"), total=None)

        def on_start(n: int) -> None:
            bar.update(task, total=n)

        def on_result(_result: UpdateResult) -> None:
            bar.advance(task)

        results = run(
            agg,
            lambda: agg.update(
                refs or (), all_feeds=all_feeds, progress=on_result, on_start=on_start
            ),
        )
    print_summary(results)


def print_summary(results: list[UpdateResult]) -> None:
    failed = [r for r in results if not r.ok]
    new = sum(r.new for r in results)
    changed = sum(r.changed for r in results)
    same = sum(1 for r in results if r.not_modified)
    lines = [
        _("%(feeds)s: %(new)s, %(changed)d changed, %(same)d not modified, %(failed)d failed")
        % {
            "feeds": ngettext("%(n)d feed", "%(n)d feeds", len(results)) % {"n": len(results)},
            "new": ngettext("%(n)d new item", "%(n)d new items", new) % {"n": new},
            "changed": changed,
            "same": same,
            "failed": len(failed),
        },
        *(
            _("  failed %(id)s %(url)s: %(error)s")
            % {"id": r.feed_id, "url": r.url, "error": r.error}
            for r in failed
        ),
    ]
    sys.stdout.write("".join(f"{line}\n" for line in lines))  # plain text, no rich


# -- OPML ------------------------------------------------------------------------------------------


@app.command("import")
def import_(source: Annotated[str, typer.Argument(help="An OPML file or its URL.")]) -> None:
    """Subscribe to every feed of an OPML file; they are fetched by the next update."""
    with opened() as agg:
        if source.startswith(("http://", "https://")):
            data = run(agg, lambda: agg.fetch_bytes(source))
        else:
            try:
                data = Path(source).read_bytes()
            except OSError as exc:
                message = _("cannot read %(source)s: %(error)s")
                raise fail(message % {"source": source, "error": exc.strerror}) from None
        report = agg.import_opml(data)
    for warning in report.skipped:
        label = escape(_("warning:"))
        err.print(f"[yellow]{label}[/yellow] {escape(warning)}", highlight=False)
    added = len(report.added)
    out.print(
        _("imported %(feeds)s, skipped %(skipped)d; run 'tidings update' to fetch them")
        % {
            "feeds": ngettext("%(n)d feed", "%(n)d feeds", added) % {"n": added},
            "skipped": len(report.skipped),
        },
        highlight=False,
    )


@app.command()
def export(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Write the subscriptions as OPML 2.0."""
    with opened() as agg:
        data = agg.export_opml()
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        err.print(_("wrote %(file)s") % {"file": output}, highlight=False)


# -- reading ---------------------------------------------------------------------------------------


@app.command()
def items(
    feed: Annotated[str | None, typer.Option(help="Only this feed (id or URL).")] = None,
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the newest items."""
    with opened() as agg:
        feed_id = agg.feed(feed).id if feed else None
        if category is not None and not any(category in (c.name, c.slug) for c in agg.categories()):
            raise fail(_('no category named "%(name)s"') % {"name": category})
        rows = agg.items(feed_id=feed_id, category=category, limit=limit)
        if as_json:
            print_json([item_json(i) for i in rows])
            return
        now = agg.clock()
    untitled = _("(untitled)")
    show(
        ITEM_COLUMNS,
        [[i.id, i.sort_date, i.feed_title, i.title or untitled, i.link] for i in rows],
        now=now,
    )


ITEM_COLUMNS = (
    Col(N_("id"), right=True),
    Col(N_("date")),
    Col(N_("source")),
    Col(N_("title")),
    Col(N_("link"), url=True),
)
