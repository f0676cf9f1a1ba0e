"""``/api/docs``: the OpenAPI document of /v1 as a page people read, rendered on the server
(every operation with its parameters, its body and its answers, then every JSON shape)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.web.context import render
from tidings.web.v1.openapi import all_operations, document

Group = tuple[str, list[tuple[str, str, dict[str, Any]]]]


def by_tag(doc: dict[str, Any]) -> list[Group]:
    """The operations of the document under their tags, in the document's order."""
    groups: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            groups.setdefault(op["tags"][0], []).append((method, path, op))
    return [(t["name"], groups[t["name"]]) for t in doc["tags"] if t["name"] in groups]


async def docs_page(request: Request) -> Response:
    doc = document(all_operations(), str(request.base_url))
    schemas = doc["components"]["schemas"]
    return render(request, "api_docs.html", doc=doc, groups=by_tag(doc), schemas=schemas)


routes: list[BaseRoute] = [Route("/api/docs", docs_page, methods=["GET"])]
