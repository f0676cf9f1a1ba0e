"""Finding a feed from a page's address, and a person's subscriptions as OPML, out and in.

Discovery fetches through the guarded client (no private addresses), exactly as subscribing
does, so what it finds is what ``POST /v1/feeds`` would follow.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from tidings.core import Aggregator
from tidings.errors import DiscoveryError, NotAFeedError
from tidings.i18n import gettext as _
from tidings.i18n import ngettext
from tidings.types import User
from tidings.web.api_common import capped_body
from tidings.web.context import agg_of, run
from tidings.web.v1.auth import V1Error
from tidings.web.v1.endpoint import Endpoints, answer, field, json_body
from tidings.web.v1.spec import ERROR, MESSAGE, STRING, Operation, array_of, obj, schema

OPML_TYPE = "text/x-opml; charset=utf-8"
DISCOVERY = schema("DiscoveryRequest", obj({"url": {**STRING, "description": "a page or feed"}}))
FOUND = schema(
    "Subscription",
    obj(
        {
            "url": {**STRING, "description": "the feed's address"},
            "title": STRING,
            "type": {**STRING, "enum": ["rss", "atom", "rdf", "json"]},
        }
    ),
)
FOUND_LIST = schema("Subscriptions", array_of(FOUND))

endpoints = Endpoints()


def feed_type(version: str) -> str:
    """Miniflux's name of a feed's format, from the parser's version ("rss20", "atom10"...)."""
    if version == "rss10":
        return "rdf"
    return next((t for t in ("atom", "json") if version.startswith(t)), "rss")


@endpoints(
    Operation(
        "POST",
        "/v1/discover",
        "The feed a page links to (or the address itself, if it is a feed)",
        "feeds",
        body=DISCOVERY,
        responses={200: FOUND_LIST, 404: ERROR},
    )
)
async def discover(request: Request, user: User) -> Response:
    url = field(await json_body(request), "url", str, required=True).strip()
    if not url.lower().startswith(("http://", "https://")):
        raise V1Error(400, _("url must be an http or https address"))
    try:
        fetched, parsed = await agg_of(request).pipeline.discover(url)
    except (DiscoveryError, NotAFeedError) as exc:
        raise V1Error(404, str(exc)) from exc
    title = parsed.title or fetched.final_url
    return answer([{"url": fetched.final_url, "title": title, "type": feed_type(parsed.version)}])


@endpoints(
    Operation(
        "GET",
        "/v1/export",
        "The person's subscriptions as OPML 2.0, their folders as outlines",
        "opml",
        responses={200: "text/x-opml"},
    )
)
async def export(request: Request, user: User) -> Response:
    body = await run(Aggregator.export_subscriptions, request, user.id)
    return Response(body, media_type=OPML_TYPE)


@endpoints(
    Operation(
        "POST",
        "/v1/import",
        "Follow every feed of an OPML document (the body, at most 10 MB), in the folders of "
        "its outlines; new feeds are fetched by the schedule",
        "opml",
        body="text/x-opml",
        responses={201: MESSAGE},
    )
)
async def import_opml(request: Request, user: User) -> Response:
    body = await capped_body(request)
    if not body.strip():
        raise V1Error(400, _("the body must be an OPML document"))
    report = await run(Aggregator.import_subscriptions, request, user.id, body)
    added, skipped = len(report.added), len(report.skipped)
    message = ngettext(
        "Imported %(added)d feed, skipped %(skipped)d.",
        "Imported %(added)d feeds, skipped %(skipped)d.",
        added,
    ) % {"added": added, "skipped": skipped}
    return answer({"message": message}, 201)


routes = endpoints.routes
operations = endpoints.operations
