"""The command line: add, list, remove, enable, update, health, import, export, items, serve,
run-scheduler, worker, dispatch, user and db."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tidings import logs
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.errors import TidingsError
from tidings.parse import expat_problem
from tidings.store import migrate
from tidings.timefmt import parse_duration, relative_age
from tidings.types import Feed, FeedHealth, Item, UpdateResult

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="tidings: a web-feed aggregator."
)
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
app.add_typer(db_app, name="db")
user_app = typer.Typer(no_args_is_help=True, help="People who may sign in to the admin pages.")
app.add_typer(user_app, name="user")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")


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


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "title": feed.title,
        "url": feed.url,
        "site_url": feed.site_url,
        "item_count": feed.item_count,
        "last_checked": _iso(feed.last_checked),
        "last_success": _iso(feed.last_success),
        "next_check": _iso(feed.next_check),
        "error_count": feed.error_count,
        "error_since": _iso(feed.error_since),
        "last_error": feed.last_error,
        "disabled_reason": feed.disabled_reason,
        "categories": list(feed.categories),
        "refresh_seconds": feed.refresh_seconds,
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
        "published": _iso(item.published),
        "updated": _iso(item.updated),
        "first_seen": _iso(item.first_seen),
        "summary_html": item.summary_html,
        "content_html": item.content_html,
        "enclosures": [{"url": e.url, "type": e.type, "length": e.length} for e in item.enclosures],
    }


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


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
) -> None:
    """Subscribe to a feed, or to the feed a web page links to, and fetch it once."""
    seconds = None
    if refresh is not None:
        try:
            seconds = parse_duration(refresh)
        except ValueError as exc:
            raise fail(f"--refresh: {exc}") from None
    with opened() as agg:
        feed = run(
            agg,
            lambda: agg.add_feed(
                url, title=title, categories=category or (), refresh_seconds=seconds
            ),
        )
        print(f"{feed.id}\t{feed.display_title}")  # plain: scripts read this line
        err.print(f"{feed.item_count} items from {feed.url}", highlight=False, markup=False)


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the subscribed feeds with their health."""
    with opened() as agg:
        feeds = agg.feeds()
        if as_json:
            print_json([feed_json(f) for f in feeds])
            return
        now = agg.clock()
        table = Table("id", "title", "items", "last checked", "status", box=None)
        for f in feeds:
            status = "[green]ok[/green]"
            if f.disabled_reason:
                status = f"[red]disabled: {escape(f.disabled_reason)}[/red]"
            elif f.last_error:
                status = f"[yellow]{f.error_count} errors: {escape(f.last_error)}[/yellow]"
            elif f.last_checked is None:
                status = "not fetched yet"
            checked = relative_age(f.last_checked, now) if f.last_checked else "never"
            table.add_row(str(f.id), escape(f.display_title), str(f.item_count), checked, status)
        out.print(table)


@app.command()
def remove(ref: Annotated[str, typer.Argument(help="The feed's id or URL.")]) -> None:
    """Unsubscribe from a feed and delete its items."""
    with opened() as agg:
        feed = agg.remove_feed(ref)
        print(f"removed {feed.id}\t{feed.display_title}")


@app.command()
def enable(ref: Annotated[str, typer.Argument(help="The feed's id or URL.")]) -> None:
    """Enable a feed that was disabled (410 Gone); the next update fetches it."""
    with opened() as agg:
        feed = agg.enable_feed(ref)
    print(f"enabled {feed.id}\t{feed.display_title}")


def health_json(h: FeedHealth) -> dict[str, Any]:
    return {
        "id": h.feed_id,
        "title": h.title,
        "url": h.url,
        "state": h.state,
        "reason": h.reason,
        "error_kind": h.error_kind,
        "since": _iso(h.since),
        "error_count": h.error_count,
        "next_check": _iso(h.next_check),
        "last_checked": _iso(h.last_checked),
        "last_success": _iso(h.last_success),
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
        out.print("every feed is healthy", highlight=False)
        return
    table = Table("id", "title", "state", "reason", "since", "errors", "next try", box=None)
    for h in rows:
        table.add_row(
            str(h.feed_id),
            escape(h.title),
            "[red]disabled[/red]" if h.state == "disabled" else "[yellow]failing[/yellow]",
            escape(h.reason),
            relative_age(h.since, now) if h.since else "",
            str(h.error_count),
            relative_age(h.next_check, now) if h.next_check else "when enabled",
        )
    out.print(table)


# -- updates ---------------------------------------------------------------------------------------


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@app.command("update")
def update_(
    refs: Annotated[list[str] | None, typer.Argument(help="Feed ids or URLs.")] = None,
    all_feeds: Annotated[bool, typer.Option("--all", help="Every feed, due or not.")] = False,
) -> None:
    """Fetch the feeds that are due (or the ones named, or --all) and store new items."""
    with opened() as agg, progress_bar() as bar:
        task = bar.add_task("updating", total=None)

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
    out.print(
        f"{len(results)} feeds: {new} new items, {changed} changed, "
        f"{same} not modified, {len(failed)} failed",
        highlight=False,
    )
    for r in failed:
        out.print(f"  failed {r.feed_id} {r.url}: {r.error}", highlight=False, markup=False)


@app.command("run-scheduler")
def run_scheduler(
    idle: Annotated[float, typer.Option(min=0.1, help="Longest sleep between looks, s.")] = 30.0,
    grace: Annotated[float, typer.Option(min=0, help="Seconds to finish fetches on stop.")] = 10.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every fetch.")] = False,
) -> None:
    """Update feeds as they come due, without the web app, until SIGTERM or Ctrl-C."""
    logs.configure(logging.DEBUG if verbose else logging.INFO)
    with opened() as agg:

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            async with agg:
                await agg.run_scheduler(stop, idle=idle, grace=grace)

        asyncio.run(main())
    err.print("scheduler stopped", highlight=False)


# -- worker mode (PostgreSQL, procrastinate) -------------------------------------------------------


def worker_settings(command: str) -> Settings:
    """The settings of a worker-mode command: TIDINGS_MODE=workers on PostgreSQL."""
    try:
        settings = Settings.load()
    except TidingsError as exc:
        raise fail(str(exc)) from None
    if settings.mode != "workers":
        raise fail(f"'tidings {command}' needs TIDINGS_MODE=workers (and PostgreSQL)")
    return settings


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, help="Batches of feeds updated at once by this process.")
    ] = 4,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every fetch.")] = False,
) -> None:
    """Update the feeds that dispatchers lease to the workers, until SIGTERM or Ctrl-C."""
    from tidings.store.leases import LeasedStore
    from tidings.store.store import Store
    from tidings.update import worker as worker_mod

    settings = worker_settings("worker")
    logs.configure(logging.DEBUG if verbose else logging.INFO)
    try:
        store = LeasedStore(Store.open(settings.effective_database_url).engine)
    except TidingsError as exc:
        raise fail(str(exc)) from None
    agg = Aggregator(settings, store)

    async def main() -> None:
        async with agg:
            runner = worker_mod.Worker(
                agg.pipeline,
                store,
                clock=agg.clock,
                lease_seconds=settings.lease_seconds,
                cap=settings.per_host_concurrency,
            )
            await worker_mod.run(runner, concurrency=concurrency)

    try:
        asyncio.run(main())
    except TidingsError as exc:
        raise fail(str(exc)) from None
    finally:
        agg.close()
    err.print("worker stopped", highlight=False)


@app.command("dispatch")
def dispatch_(
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between dispatches.")] = 2.0,
    once: Annotated[bool, typer.Option("--once", help="Dispatch once and exit.")] = False,
) -> None:
    """Lease the due feeds to the workers, per host within its budget, until SIGTERM or Ctrl-C.

    Optional: the workers also dispatch, on a periodic task and after each batch.
    """
    from tidings.update import jobs
    from tidings.update.dispatch import dispatch, run_dispatcher

    settings = worker_settings("dispatch")
    logs.configure(logging.INFO)
    with opened() as agg:
        jobs.ensure_schema(agg.store.engine)
        if once:
            report = dispatch(
                agg.store.engine,
                jobs.enqueue,
                now=agg.clock(),
                lease_seconds=settings.lease_seconds,
                cap=settings.per_host_concurrency,
            )
            out.print(f"leased {report.leased} feeds in {report.jobs} jobs", highlight=False)
            return

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            await run_dispatcher(
                agg.store.engine,
                jobs.enqueue,
                stop,
                clock=agg.clock,
                lease_seconds=settings.lease_seconds,
                cap=settings.per_host_concurrency,
                interval=interval,
            )

        asyncio.run(main())
    err.print("dispatcher stopped", highlight=False)


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
                raise fail(f"cannot read {source}: {exc.strerror}") from None
        report = agg.import_opml(data)
    for warning in report.skipped:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)
    out.print(
        f"imported {len(report.added)} feeds, skipped {len(report.skipped)}; "
        "run 'tidings update' to fetch them",
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
        err.print(f"wrote {output}", highlight=False)


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
        rows = agg.items(feed_id=feed_id, category=category, limit=limit)
        if as_json:
            print_json([item_json(i) for i in rows])
            return
        now = agg.clock()
        for item in rows:
            out.print(f"[bold]{escape(item.title or '(untitled)')}[/bold]", highlight=False)
            out.print(
                f"  {item.feed_title} · {relative_age(item.sort_date, now)} · {item.link or ''}",
                highlight=False,
                markup=False,
            )


# -- serving ---------------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    scheduler: Annotated[bool, typer.Option(help="Update due feeds in the background.")] = True,
) -> None:
    """Serve the web pages, updating due feeds in the background."""
    import uvicorn

    from tidings.web.app import create_app

    self_host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104
    try:
        settings = Settings.load().with_secret()
        agg = make_aggregator(settings, allowed_origins=[(self_host, port)])
    except TidingsError as exc:
        raise fail(str(exc)) from None
    problem = expat_problem()
    if problem:
        err.print(
            f"[yellow]warning:[/yellow] the XML parser is old ({escape(problem)}); "
            "tidings strips every DTD before parsing, but a newer expat is safer",
            highlight=False,
        )
    base = f"http://{self_host}:{port}"
    logs.configure()  # the scheduler's lines, with the feed id on each
    application = create_app(agg, scheduler=scheduler, self_url=base)
    err.print(
        f"tidings is serving on {base}/ (database: {settings.effective_database_url})",
        highlight=False,
    )
    try:
        uvicorn.run(application, host=host, port=port, log_level="info", access_log=False)
    finally:
        agg.close()


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
        settings = Settings.load()
        engine = migrate.create(settings.effective_database_url)
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
        queue = engine.dialect.name == "postgresql" and _queue_schema(engine)
    except TidingsError as exc:
        raise fail(str(exc)) from None
    out.print(f"database at revision {after} (was {before or 'empty'})", highlight=False)
    if queue:
        out.print("the workers' job queue (procrastinate) installed", highlight=False)


def _queue_schema(engine: Any) -> bool:
    """Install procrastinate's schema on PostgreSQL, when procrastinate is installed."""
    try:
        from tidings.update import jobs
    except ImportError:  # the workers extra is not installed: embedded mode only
        return False
    return jobs.ensure_schema(engine)


@db_app.command("copy")
def db_copy(
    source: Annotated[str, typer.Option("--from", help="The database URL to copy from.")],
    target: Annotated[str, typer.Option("--to", help="An empty database URL to copy into.")],
) -> None:
    """Copy a whole installation to another database (e.g. SQLite to PostgreSQL)."""
    from tidings.store.copy import copy_database

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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
