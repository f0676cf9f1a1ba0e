"""What /v1 answers matches what its OpenAPI document says, for a person with real feeds: every
answer of the categories, feeds, icons, discovery, OPML and me operations is checked against
the schema the document gives for its status."""

from __future__ import annotations

from typing import Any

import pytest

from tests.feedserver import FeedServer, Route
from tests.shared import in_ci
from tests.web.v1.conftest import Api

try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - schemathesis (the dev extra) brings it
    jsonschema_rs = None  # type: ignore[assignment]

MISSING = "jsonschema_rs is not installed (it comes with schemathesis: pip install -e '.[dev]')"
if jsonschema_rs is None and in_ci():
    raise RuntimeError(f"the /v1 shape checks must run under CI, but {MISSING}")
pytestmark = pytest.mark.skipif(jsonschema_rs is None, reason=MISSING)

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<link>https://news.example/</link><item><guid>a</guid><title>A</title></item></channel></rss>"""
PAGE = (
    b'<html><head><link rel="alternate" type="application/rss+xml" href="/news.xml"></head></html>'
)


class Checked:
    """Requests whose answers are validated against the document's schema for their status."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.doc = api.client.get("/v1/openapi.json").json()
        self.seen: set[tuple[str, str, int]] = set()

    def __call__(self, method: str, template: str, path: str = "", **kw: Any) -> Any:
        response = self.api.client.request(method, path or template, headers=self.api.headers, **kw)
        described = self.doc["paths"][template][method.lower()]["responses"]
        assert str(response.status_code) in described, (method, path, response.status_code)
        content = described[str(response.status_code)].get("content", {})
        if "application/json" in content:
            schema = {**content["application/json"]["schema"], "components": self.doc["components"]}
            errors = [
                e.message for e in jsonschema_rs.validator_for(schema).iter_errors(response.json())
            ]
            assert errors == [], (method, path, errors)
        else:
            assert not response.content or content, (method, path)
        self.seen.add((method, template, response.status_code))
        return response.json() if "json" in response.headers.get("content-type", "") else response


def test_answers_match_the_document(api: Api, server: FeedServer) -> None:
    server.routes["/news.xml"] = Route(RSS)
    server.routes["/page.html"] = Route(PAGE, content_type="text/html")
    check = Checked(api)
    check("GET", "/v1/me")
    check("GET", "/v1/version")
    check("GET", "/v1/integrations/status")
    work = check("POST", "/v1/categories", json={"title": "Work"})
    check("POST", "/v1/categories", json={"title": "Work"})  # a 400
    check("GET", "/v1/categories", "/v1/categories?counts=true")
    one = f"/v1/categories/{work['id']}"
    check("GET", "/v1/categories/{category_id}", one + "?counts=true")
    check("PUT", "/v1/categories/{category_id}", one, json={"title": "Papers"})
    found = check("POST", "/v1/discover", json={"url": server.url("/page.html")})
    created = check(
        "POST", "/v1/feeds", json={"feed_url": found[0]["url"], "category_id": work["id"]}
    )
    feed = f"/v1/feeds/{created['feed_id']}"
    check("GET", "/v1/feeds")
    check("GET", "/v1/feeds/{feed_id}", feed)
    check("GET", "/v1/feeds/{feed_id}", "/v1/feeds/424242")  # a 404
    check("PUT", "/v1/feeds/{feed_id}", feed, json={"title": "Mine", "hide_globally": True})
    check("GET", "/v1/categories/{category_id}/feeds", one + "/feeds")
    check("GET", "/v1/feeds/counters")
    check("GET", "/v1/feeds/{feed_id}/icon", feed + "/icon")
    check("GET", "/v1/icons/{icon_id}", "/v1/icons/1")
    check("PUT", "/v1/feeds/{feed_id}/refresh", feed + "/refresh")
    check("PUT", "/v1/feeds/{feed_id}/mark-all-as-read", feed + "/mark-all-as-read")
    check("PUT", "/v1/categories/{category_id}/mark-all-as-read", one + "/mark-all-as-read")
    check("PUT", "/v1/categories/{category_id}/refresh", one + "/refresh")
    check("PUT", "/v1/feeds/refresh")
    opml = check("GET", "/v1/export").content
    check("POST", "/v1/import", content=opml)
    check("DELETE", "/v1/feeds/{feed_id}", feed)
    check("DELETE", "/v1/categories/{category_id}", one)
    assert len(check.seen) == 27  # every call above, each with its own status
    assert {("POST", "/v1/categories", 400), ("GET", "/v1/feeds/{feed_id}", 404)} < check.seen
