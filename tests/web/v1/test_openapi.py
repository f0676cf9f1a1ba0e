"""The OpenAPI document describes exactly the routes served, every reference in it resolves,
and /api/docs shows every operation and shape of it."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Mount, Route

from tests.web.v1.conftest import Api
from tidings.web import v1
from tidings.web.v1.openapi import document


def refs(node: Any) -> set[str]:
    """Every $ref anywhere under ``node``."""
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(v) for v in node))
    return set()


def served() -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every route under the /v1 mount."""
    (mount,) = [r for r in v1.routes if isinstance(r, Mount)]
    pairs = set()
    for route in mount.routes:
        assert isinstance(route, Route)
        path = "/v1" + re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        pairs |= {(m, path) for m in route.methods or () if m != "HEAD"}
    return pairs


def test_the_document_is_served_without_credentials(api: Api) -> None:
    response = api.client.get("/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": "http://testserver/"}]
    assert doc["paths"]["/v1/openapi.json"]["get"]["security"] == []
    assert doc["paths"]["/v1/me"]["get"].get("security") is None  # the document's default


def test_every_route_is_documented_and_nothing_else() -> None:
    doc = document(v1.operations)
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert documented == served()
    assert len(v1.operations) == len(documented), "an operation is declared twice"


def test_every_reference_resolves_and_every_shape_is_used() -> None:
    doc = document(v1.operations)
    schemas = doc["components"]["schemas"]
    found = refs(doc["paths"])
    for _ in range(len(schemas)):  # one level deeper each time: at most one per schema
        assert all(r.startswith("#/components/schemas/") for r in found)
        found |= set().union(*(refs(schemas[r.rsplit("/", 1)[1]]) for r in found))
    assert {r.rsplit("/", 1)[1] for r in found} == set(schemas)


def test_path_parameters_match_their_templates() -> None:
    for path, ops in document(v1.operations)["paths"].items():
        named = set(re.findall(r"\{(\w+)\}", path))
        for method, op in ops.items():
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == named, (method, path)
            if named:
                assert "404" in op["responses"], (method, path)
            if op.get("security") != []:
                assert op["responses"]["401"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }


def test_operation_ids_are_unique() -> None:
    ids = [
        op["operationId"]
        for ops in document(v1.operations)["paths"].values()
        for op in ops.values()
    ]
    assert len(ids) == len(set(ids))


def test_the_docs_page_shows_every_operation_and_shape(api: Api) -> None:
    response = api.client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    doc = api.client.get("/v1/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            shown = path.replace("/", "/<wbr>")  # long paths may break after a slash
            assert f"<code>{method.upper()} {shown}</code>" in page
            assert f'id="{op["operationId"]}"' in page
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert 'href="#schema-User"' in page  # /v1/me's answer links to its shape
    assert "<code>username</code>" in page
    post_feeds = page.split('id="post_feeds"', 1)[1].split("</article>", 1)[0]
    assert '<code>feed_url</code> <span class="meta">(required)</span>' in post_feeds
    assert "<code>feed_id</code>" in post_feeds  # the answer's shape, shown in place
    assert "<code></code>" not in page  # every field has its type (anyOf: "X or null")
    assert 'href="#schema-FeedIcon"><code>FeedIcon</code></a> or <code>null</code>' in page
    assert '<script src="http' not in page  # nothing from elsewhere
