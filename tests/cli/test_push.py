"""tidings push list: the feeds' WebSub subscriptions, as lines for scripts and as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.cli.conftest import Invoke
from tests.cli.helpers import environment
from tests.feedserver import FeedServer, Route
from tidings.config import Settings
from tidings.core import make_aggregator

ATOM = (
    b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Hubbed</title>'
    b'<id>urn:x</id><link rel="hub" href="https://hub.example/"/>'
    b'<link rel="self" href="https://pub.example/feed.xml"/>'
    b"<entry><id>urn:1</id><title>One</title></entry></feed>"
)


def test_push_list(cli: Invoke, tmp_path: Path) -> None:
    assert "no feed is pushed by a hub" in cli("push", "list").stdout
    server = FeedServer().start()
    try:
        server.routes["/feed.xml"] = Route(ATOM, content_type="application/atom+xml")
        assert cli("add", server.url("/feed.xml")).exit_code == 0
    finally:
        server.stop()
    agg = make_aggregator(Settings.load(environment(tmp_path / "data")))
    try:
        assert agg.store.push_create(datetime.now(UTC)) == 1
    finally:
        agg.close()
    (line,) = cli("push", "list").stdout.splitlines()
    fields = line.split("\t")
    assert fields[1:4] == ["Hubbed", "https://hub.example/", "subscribing"]
    assert fields[6:] == ["0", ""]
    (record,) = json.loads(cli("push", "list", "--json").stdout)
    assert record["topic"] == "https://pub.example/feed.xml"
    assert (record["state"], record["pushes"], record["expires_at"]) == ("subscribing", 0, None)
    assert "secret" not in json.dumps(record)
