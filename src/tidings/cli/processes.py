"""The long-running commands: serve, run-scheduler, and worker mode's worker and dispatch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

import typer

from tidings.cli.common import app, err, fail, opened, out
from tidings.errors import TidingsError
from tidings.i18n import gettext as _
from tidings.i18n import ngettext

if TYPE_CHECKING:
    import asyncio

    from tidings.config import Settings

# -- serving ---------------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on (default: TIDINGS_HOST, else 127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="Port to listen on (default: TIDINGS_PORT, else 8000)."
        ),
    ] = None,
    scheduler: Annotated[bool, typer.Option(help="Update due feeds in the background.")] = True,
) -> None:
    """Serve the web pages, updating due feeds in the background."""
    from tidings import logs
    from tidings.cli.listen import bind, serve_on
    from tidings.config import Settings
    from tidings.core import make_aggregator
    from tidings.web.app import create_app

    try:
        settings = Settings.load()
    except TidingsError as exc:
        raise fail(str(exc)) from None
    host = settings.host if host is None else host
    port = settings.port if port is None else port
    sock = bind(host, port)  # a port in use fails here, before anything starts
    self_host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104
    try:
        settings = settings.with_secret()
        agg = make_aggregator(settings)
    except TidingsError as exc:
        raise fail(str(exc)) from None
    base = f"http://{self_host}:{port}"
    logs.configure()  # the scheduler's lines, with the feed id on each
    application = create_app(agg, scheduler=scheduler)
    err.print(
        _("tidings is serving on %(address)s (database: %(database)s)")
        % {"address": f"{base}/", "database": settings.effective_database_url},
        highlight=False,
    )
    try:
        serve_on(sock, application)
    finally:
        agg.close()


@app.command("run-scheduler")
def run_scheduler(
    idle: Annotated[float, typer.Option(min=0.1, help="Longest sleep between looks, s.")] = 30.0,
    grace: Annotated[float, typer.Option(min=0, help="Seconds to finish fetches on stop.")] = 10.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every fetch.")] = False,
) -> None:
    """Update feeds as they come due, without the web app, until SIGTERM or Ctrl-C."""
    import logging

    from tidings import logs, schedule

    logs.configure(logging.DEBUG if verbose else logging.INFO)
    with opened() as agg:

        async def main(stop: asyncio.Event) -> None:
            async with agg:
                await schedule.run_scheduler(agg, stop, idle=idle, grace=grace)

        until_signalled(main)
    err.print(_("scheduler stopped"), highlight=False)


def until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main`` with an event that SIGTERM and SIGINT set."""
    import asyncio
    import signal

    async def wrapped() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    asyncio.run(wrapped())


# -- worker mode (PostgreSQL, procrastinate) -------------------------------------------------------


def worker_settings(command: str) -> Settings:
    """The settings of a worker-mode command: TIDINGS_MODE=workers on PostgreSQL."""
    from tidings.config import Settings

    try:
        settings = Settings.load()
    except TidingsError as exc:
        raise fail(str(exc)) from None
    if settings.mode != "workers":
        raise fail(
            _("'tidings %(command)s' needs TIDINGS_MODE=workers (and PostgreSQL)")
            % {"command": command}
        )
    return settings


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, help="Batches of feeds updated at once by this process.")
    ] = 4,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every fetch.")] = False,
) -> None:
    """Update the feeds that dispatchers lease to the workers, until SIGTERM or Ctrl-C."""
    import asyncio
    import logging

    from tidings import logs
    from tidings.schedule import distributed  # procrastinate: the workers extra

    settings = worker_settings("worker")
    logs.configure(logging.DEBUG if verbose else logging.INFO)
    try:
        agg = distributed.open_worker(settings)
    except TidingsError as exc:
        raise fail(str(exc)) from None
    try:
        asyncio.run(distributed.run_worker(agg, concurrency=concurrency))
    except TidingsError as exc:
        raise fail(str(exc)) from None
    finally:
        agg.close()
    err.print(_("worker stopped"), highlight=False)


@app.command("dispatch")
def dispatch_(
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between dispatches.")] = 2.0,
    once: Annotated[bool, typer.Option("--once", help="Dispatch once and exit.")] = False,
) -> None:
    """Lease the due feeds to the workers, per host within its budget, until SIGTERM or Ctrl-C.

    Optional: the workers also dispatch, on a periodic task and after each batch.
    """
    import logging

    from tidings import logs
    from tidings.schedule import distributed  # procrastinate: the workers extra

    worker_settings("dispatch")
    logs.configure(logging.INFO)
    with opened() as agg:
        if once:
            report = distributed.dispatch_once(agg)
            leased = ngettext("%(n)d feed", "%(n)d feeds", report.leased) % {"n": report.leased}
            jobs = ngettext("%(n)d job", "%(n)d jobs", report.jobs) % {"n": report.jobs}
            out.print(
                _("leased %(feeds)s in %(jobs)s") % {"feeds": leased, "jobs": jobs},
                highlight=False,
            )
            return
        distributed.ensure_queue(agg)
        until_signalled(lambda stop: distributed.run_dispatcher(agg, stop, interval=interval))
    err.print(_("dispatcher stopped"), highlight=False)
