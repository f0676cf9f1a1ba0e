"""The ASGI app: its state, the route table of the area modules, middleware and error pages.

Routes by area: ``pages`` (the public pages), ``outputs`` (feeds, OPML, the embed), ``auth``
(sign-in and out), ``signup``, ``admin``, ``users`` (the admin's people), ``account`` (change my
password), ``read_settings``, ``app_passwords`` and ``private_feeds`` (a person's settings, the
apps' API password and keys, and feeds), ``reading``
(a person's feeds, read and starred),
``health`` (health and metrics), ``samples`` and ``icons``.
Handlers are module-level functions that reach the aggregator through ``context.web_of(request)``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from tidings.core import Aggregator
from tidings.schedule import run_scheduler
from tidings.web import (
    account,
    admin,
    app_passwords,
    articles,
    auth,
    error_pages,
    fever,
    greader,
    health,
    icons,
    notify,
    outputs,
    pages,
    private_feeds,
    read_settings,
    reading,
    rules,
    samples,
    signup,
    users,
    v1,
    websub,
)
from tidings.web.api_common import ApiMiddleware
from tidings.web.cache import PageCache
from tidings.web.context import Web, web_of
from tidings.web.headers import SecurityHeaders
from tidings.web.language import Language
from tidings.web.proxy import ForwardedHeaders


def route_table() -> list[BaseRoute]:
    """Every route of the site, area by area."""
    static = Path(str(resources.files("tidings.web").joinpath("static")))
    return [
        *pages.routes,
        *auth.routes,
        *admin.routes,
        *articles.routes,
        *account.routes,
        *users.routes,
        *notify.routes,
        *signup.routes,
        *read_settings.routes,
        *rules.routes,
        *app_passwords.routes,
        *private_feeds.routes,
        *reading.routes,
        *fever.routes,
        *greader.routes,
        *outputs.routes,
        *health.routes,
        *samples.routes,
        *icons.routes,
        *v1.routes,
        *websub.routes,
        Mount("/static", StaticFiles(directory=static), name="static"),
    ]


def create_app(agg: Aggregator, *, scheduler: bool = False) -> Starlette:
    """The ASGI app over an aggregator.

    With ``scheduler``, the app updates due feeds in the background while it runs, and on an
    empty database subscribes the bundled sample feeds (``TIDINGS_SAMPLES``).
    """
    app = Starlette(
        routes=route_table(),
        middleware=[
            Middleware(
                ForwardedHeaders,
                trusted=agg.settings.trusted_proxies,
                base_url=agg.settings.base_url,
            ),
            Middleware(Language, agg=agg),
            Middleware(
                PageCache, seconds=agg.settings.page_cache_seconds, changes=agg.content_changes
            ),
            Middleware(SecurityHeaders),
            Middleware(ApiMiddleware),
            Middleware(auth.SameOrigin),
        ],
        exception_handlers=dict(error_pages.HANDLERS),
        lifespan=lifespan,
    )
    app.state.web = Web.create(agg, scheduler=scheduler)
    return app


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """The fetch client while the app runs, and the scheduler and sample feeds if asked."""
    web = web_of(app)
    agg, stop = web.agg, asyncio.Event()
    async with agg:  # the fetch client, for "add" and "update now" too
        tasks = [asyncio.create_task(run_scheduler(agg, stop))] if web.scheduler else []
        if web.scheduler and agg.settings.samples:
            tasks.append(asyncio.create_task(samples.subscribe_samples(agg)))
        try:
            yield
        finally:
            stop.set()
            for task in tasks[1:]:  # the scheduler stops by itself, at once
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
