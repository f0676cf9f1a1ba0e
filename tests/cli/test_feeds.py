"""The commands of subscriptions: counts in their words, errors in one line, tables and lines."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke
from tests.feedserver import FeedServer


def test_counts_of_one_are_singular_and_of_more_plural(
    cli: Invoke, feeds: FeedServer, tmp_path: Path
) -> None:
    added = cli("add", feeds.url("/one.xml"))
    assert added.exit_code == 0, added.output
    assert f"1 item from {feeds.url('/one.xml')}" in added.stderr
    assert "1 feed: 0 new items, 0 changed, 1 not modified" in cli("update", "--all").stdout
    assert cli("add", feeds.url("/two.xml")).exit_code == 0
    assert "2 feeds: 0 new items" in cli("update", "--all").stdout

    opml = tmp_path / "one.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="A" xmlUrl="https://a.example/feed"/></body></opml>'
    )
    assert "imported 1 feed, skipped 0" in cli("import", str(opml)).stdout
    assert "imported 0 feeds, skipped 1" in cli("import", str(opml)).stdout
