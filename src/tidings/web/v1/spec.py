"""What the /v1 API says about itself: each operation and the JSON shapes it takes and gives.

Every v1 module declares its operations next to its handlers (``endpoint.Endpoints`` makes the
route and the ``Operation`` from one declaration), and registers the shapes of its bodies here
with ``schema``; ``openapi.py`` turns both into the OpenAPI document and ``/api/docs`` shows it.
The shapes are Miniflux's (field names, integer ids, RFC 3339 dates), so its clients work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMAS: dict[str, dict[str, Any]] = {}


def schema(name: str, definition: dict[str, Any]) -> str:
    """Register a component schema (once per name: a second, different one is a mistake)."""
    known = SCHEMAS.get(name)
    if known is not None and known != definition:
        raise ValueError(f"two different schemas named {name}")
    SCHEMAS[name] = definition
    return name


@dataclass(frozen=True)
class Operation:
    """One method on one path: what the OpenAPI document and the docs page say about it."""

    method: str
    path: str  # an OpenAPI template: /v1/feeds/{feed_id}
    summary: str
    tag: str
    parameters: tuple[dict[str, Any], ...] = ()
    body: str | None = None  # a component schema name (JSON), or a media type with a slash
    responses: Mapping[int, str | None] = field(default_factory=dict)  # None: no body
    auth: bool = True  # needs an API key or the API password


# -- the shapes every module shares ------------------------------------------------------------


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array_of(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    """An object schema: ``required`` fields are always there; more fields may come later."""
    properties = {**required, **(optional or {})}
    return {"type": "object", "properties": properties, "required": list(required)}


INTEGER: dict[str, Any] = {"type": "integer"}
STRING: dict[str, Any] = {"type": "string"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
DATE: dict[str, Any] = {
    "type": "string",
    "format": "date-time",
    "description": "RFC 3339 in UTC, whole seconds: 2026-11-28T12:00:00Z",
}

ERROR = schema(
    "Error",
    obj({"error_message": {**STRING, "description": "what was wrong, for people to read"}}),
)
MESSAGE = schema("Message", obj({"message": STRING}))


def path_id(name: str, what: str) -> dict[str, Any]:
    """A path parameter that is a positive integer id."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"the {what}'s id",
        "schema": {"type": "integer", "minimum": 1},
    }


def query(name: str, definition: dict[str, Any], description: str) -> dict[str, Any]:
    """An optional query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": definition,
    }
