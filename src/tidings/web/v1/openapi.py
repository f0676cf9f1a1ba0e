"""The OpenAPI 3.1 document of /v1, built from the operations and schemas the modules declare.

Served at ``GET /v1/openapi.json`` (no credentials needed: it describes, it reveals nothing) and
shown as a page at ``/api/docs``. Errors every operation can answer (401 without credentials,
404 for an id in the path that names nothing, 400 for a bad body) are added here once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tidings.web.v1.endpoint import Endpoints, answer
from tidings.web.v1.spec import ERROR, SCHEMAS, Operation, ref

TITLE = "tidings API"
VERSION = "1"
DESCRIPTION = (
    "The JSON API of tidings, compatible with Miniflux's /v1 so that its apps and client "
    "libraries work: integer ids, RFC 3339 times in UTC and whole seconds, errors as "
    '{"error_message": "..."}. Authenticate with an API key in the X-Auth-Token header, or with '
    "HTTP Basic: your name and your API password (both made in your settings, never your "
    "sign-in password)."
)
SECURITY_SCHEMES = {
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"},
    "basic": {"type": "http", "scheme": "basic", "description": "name and API password"},
}


def content(kind: str) -> dict[str, Any]:
    """A body: a component schema (JSON), or a media type such as ``text/x-opml``."""
    if "/" in kind:
        return {kind: {"schema": {"type": "string"}}}
    return {"application/json": {"schema": ref(kind)}}


def operation_id(op: Operation) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", op.path.lower().removeprefix("/v1/")).strip("_")
    return f"{op.method.lower()}_{words}"


def responses(op: Operation) -> dict[str, Any]:
    """What ``op`` answers, with the errors that any operation like it can answer."""
    found: dict[int, str | None] = dict(op.responses)
    if op.auth:
        found.setdefault(401, ERROR)
        found.setdefault(429, ERROR)  # too many failed credentials from this name or address
    if any(p.get("in") == "path" for p in op.parameters):
        found.setdefault(404, ERROR)
    if op.body is not None:
        found.setdefault(400, ERROR)
    out: dict[str, Any] = {}
    for status in sorted(found):
        kind = found[status]
        described: dict[str, Any] = {"description": HTTPStatus(status).phrase}
        if kind is not None:
            described["content"] = content(kind)
        out[str(status)] = described
    return out


def operation_object(op: Operation) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": operation_id(op),
        "summary": op.summary,
        "tags": [op.tag],
        "responses": responses(op),
    }
    if op.parameters:
        described["parameters"] = list(op.parameters)
    if op.body is not None:
        described["requestBody"] = {"required": True, "content": content(op.body)}
    if not op.auth:
        described["security"] = []
    return described


def references(node: Any) -> set[str]:
    """The names of the component schemas ``node`` refers to, directly."""
    if isinstance(node, dict):
        ref_ = node.get("$ref")
        found = {ref_.rsplit("/", 1)[1]} if isinstance(ref_, str) else set()
        return found.union(*(references(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(references(v) for v in node))
    return set()


def reachable(paths: dict[str, Any]) -> dict[str, Any]:
    """The component schemas the operations use, and those they use in turn (the registry
    may hold more: the shapes of modules not served)."""
    names, todo = set(), references(paths)
    while todo:
        name = todo.pop()
        names.add(name)
        todo |= references(SCHEMAS[name]) - names
    return {name: SCHEMAS[name] for name in sorted(names)}


def document(operations: Iterable[Operation], server_url: str = "/") -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    ops = list(operations)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = operation_object(op)
    tags = list(dict.fromkeys(op.tag for op in ops))
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "tags": [{"name": t} for t in tags],
        "security": [{"apiKey": []}, {"basic": []}],
        "paths": paths,
        "components": {
            "schemas": reachable(paths),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def all_operations() -> list[Operation]:
    from tidings.web import v1  # the package gathers every module, this one included

    return list(v1.operations)


endpoints = Endpoints()


@endpoints.public(
    Operation(
        "GET",
        "/v1/openapi.json",
        "This document: every operation of the API, its parameters and its JSON shapes",
        "api",
        responses={200: "application/json"},
        auth=False,
    )
)
async def openapi_json(request: Request) -> Response:
    return answer(document(all_operations(), str(request.base_url)))


routes = endpoints.routes
operations = endpoints.operations
