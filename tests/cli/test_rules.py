"""tidings rules: add, list, apply, enable and remove, the site's and a person's, against a feed
server on loopback; a bad pattern is a one-line error, and a failing rule says why in the list."""

from __future__ import annotations

import json

from tests.cli.conftest import Invoke
from tests.feedserver import FeedServer, Route

RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Times</title>'
    "<link>http://example.org/</link><description>News</description>{items}"
    "</channel></rss>"
)


def feed(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>http://example.org/{n}</link><guid>g{n}</guid></item>"
        for n, t in enumerate(titles)
    )
    return RSS.format(items=items).encode()


def test_site_rules_on_arrival_and_over_stored_items(cli: Invoke, feeds: FeedServer) -> None:
    assert "no rules yet" in cli("rules", "list").stderr
    added = cli("rules", "add", "no ads", "sponsored", "--action", "drop", "--field", "title")
    assert added.exit_code == 0, added.output
    assert added.stdout.split("\t")[:5] == [
        "1",
        "no ads",
        "title contains 'sponsored'",
        "all",
        "drop",
    ]
    feeds.routes["/ads.xml"] = Route(feed("Sponsored: buy", "News"))
    assert cli("add", feeds.url("/ads.xml")).exit_code == 0
    titles = [i["title"] for i in json.loads(cli("items", "--json").stdout)]
    assert titles == ["News"]

    label = cli("rules", "add", "news", "^new", "--regex", "--action", "label", "--label", "N")
    assert label.exit_code == 0, label.output
    applied = cli("rules", "apply", "2")
    assert applied.exit_code == 0 and applied.stdout == "rule 2: 1 of 1 items matched\n"
    (first, second) = json.loads(cli("rules", "list", "--json").stdout)
    assert (first["hits"], second["hits"], second["label"]) == (1, 1, "N")
    assert cli("rules", "remove", "2").stdout == "removed 2\tnews\n"
    missing = cli("rules", "remove", "2")
    assert missing.exit_code == 1 and missing.stderr == "error: no rule with id 2\n"


def test_bad_rules_are_one_line_errors(cli: Invoke) -> None:
    bad = cli("rules", "add", "r", "(oops", "--regex", "--action", "drop")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: the pattern is not a regular")
    site_read = cli("rules", "add", "r", "x", "--action", "read")
    assert site_read.exit_code == 1
    assert site_read.stderr == "error: the action is one of drop, label, notify, not 'read'\n"
    assert cli("rules", "list", "--json").stdout.strip() == "[]"


def test_a_persons_rules_and_a_failing_one(cli: Invoke, feeds: FeedServer) -> None:
    assert cli("user", "add", "bob", "--password-stdin", input="battery staple\n").exit_code == 0
    feeds.routes["/a.xml"] = Route(feed("a" * 5000 + "!", "Weather"))
    assert cli("--user", "bob", "subscribe", feeds.url("/a.xml")).exit_code == 0
    runaway = cli(
        "rules", "add", "slow", "(a|aa)+$", "--regex", "--action", "star", "--user", "bob"
    )
    assert runaway.exit_code == 0, runaway.output
    weather = cli("rules", "add", "wx", "weather", "--action", "read", "--user", "bob")
    assert weather.exit_code == 0, weather.output
    assert cli("rules", "list", "--json").stdout.strip() == "[]"  # not the site's

    failed = cli("rules", "apply", "1", "--user", "bob")
    assert failed.exit_code == 1 and "marked failing" in failed.stderr
    (line, _) = cli("rules", "list", "--user", "bob").stdout.splitlines()
    assert line.split("\t")[-1].startswith("failing: the pattern took over")
    enabled = cli("rules", "enable", "1", "--user", "bob")
    assert enabled.exit_code == 0 and enabled.stdout.split("\t")[-1] == "enabled\n"
    off = cli("rules", "enable", "2", "--off", "--user", "bob")
    assert off.stdout.split("\t")[-1] == "disabled\n"
    assert cli("rules", "apply", "2", "--user", "bob").stdout == "rule 2: 1 of 2 items matched\n"
    assert cli("rules", "remove", "1").exit_code == 1  # the site has no rule 1
    nobody = cli("rules", "list", "--user", "eve")
    assert nobody.exit_code == 1 and nobody.stderr == 'error: no user named "eve"\n'
