"""The commands of subscriptions: counts in their words, errors in one line, tables and lines."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.cli.conftest import RSS, Invoke
from tests.cli.helpers import run_tidings
from tests.feedserver import FeedServer, Route


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


LONG = "/" + "-".join(["a-long-feed-path"] * 8) + ".xml"


@pytest.mark.slow  # six processes, 5 to 7 s
def test_piped_list_items_and_health_are_tab_separated_lines(
    tmp_path: Path, feeds: FeedServer
) -> None:
    data = tmp_path / "data"
    long_link = "http://example.org/" + "story-" * 30
    feeds.routes[LONG] = Route(RSS.replace(b"http://example.org/1", long_link.encode()))
    assert run_tidings(data, "add", feeds.url(LONG), "-c", "News", "-c", "Tech").returncode == 0
    assert run_tidings(data, "add", feeds.url("/two.xml")).returncode == 0
    feeds.routes["/two.xml"] = Route(b"down", status=503, content_type="text/plain")
    assert run_tidings(data, "update", "2").returncode == 0

    listed = run_tidings(data, "list", COLUMNS="40")
    assert listed.returncode == 0, listed.stderr
    first, second = (line.split("\t") for line in listed.stdout.splitlines())
    assert first[:4] == ["1", "Loopback Times", feeds.url(LONG), "1"]
    assert first[6:] == ["0", "News, Tech"]
    assert datetime.fromisoformat(first[4]) and datetime.fromisoformat(first[5])
    assert second[:4] == ["2", "Other Times", feeds.url("/two.xml"), "1"]
    assert second[6].startswith("1: HTTP 503")
    assert not set(listed.stdout) & set("─│┃━")

    items = run_tidings(data, "items", COLUMNS="40").stdout.splitlines()
    assert len(items) == 2 and all(len(line.split("\t")) == 5 for line in items)
    assert any(line.endswith(f"\tLoopback Times\tOnly story\t{long_link}") for line in items)

    health = run_tidings(data, "health", COLUMNS="40").stdout.splitlines()
    assert len(health) == 1
    fields = health[0].split("\t")
    assert fields[:4] == ["2", "Other Times", feeds.url("/two.xml"), "failing"]
    assert fields[4].startswith("HTTP 503") and fields[6] == "1"


def test_warnings_are_never_wrapped(tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    long = "https://example.org/" + "x" * 60
    opml.write_text(
        f'<?xml version="1.0"?><opml version="2.0"><body><outline text="A" xmlUrl="{long}"/>'
        f'<outline text="B" xmlUrl="{long}"/></body></opml>'
    )
    result = run_tidings(tmp_path / "data", "import", str(opml), COLUMNS="40")
    assert result.returncode == 0, result.stderr
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("warning:") and long in warning


def test_items_of_an_unknown_category_or_feed_are_an_error(cli: Invoke, feeds: FeedServer) -> None:
    assert cli("add", feeds.url("/one.xml"), "-c", "News").exit_code == 0
    unknown = cli("items", "--category", "Unknown")
    assert unknown.exit_code == 1
    assert unknown.stderr == 'error: no category named "Unknown"\n'
    missing = cli("items", "--feed", "999")
    assert missing.exit_code == 1 and missing.stderr == "error: no feed with id 999\n"
    assert cli("items", "--category", "News").exit_code == 0
    assert cli("items", "--category", "news").exit_code == 0  # its slug
