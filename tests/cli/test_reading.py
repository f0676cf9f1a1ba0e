"""A person's reading on the command line, against a real feed server on loopback: two readers
each see only their own subscriptions, unread items and stars, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.cli.conftest import Invoke
from tests.cli.helpers import environment
from tests.feedserver import FeedServer, Route
from tests.pg import fresh_schema
from tidings.cli import app


def rss(title: str, *items: tuple[str, str]) -> bytes:
    """A feed of (title, time of day on 27 November 2026) items."""
    entries = "".join(
        f"<item><title>{name}</title><link>http://example.org/{name}</link><guid>{name}</guid>"
        f"<pubDate>Fri, 27 Nov 2026 {hour} +0000</pubDate></item>"
        for name, hour in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://example.org/</link><description>News</description>{entries}"
        "</channel></rss>"
    ).encode()


WORLD = (("w1", "10:00:00"), ("w2", "11:00:00"), ("w3", "12:00:00"))
LOCAL = (("l1", "10:30:00"), ("l2", "11:30:00"))


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer().start()
    srv.routes["/world.xml"] = Route(rss("World Wire", *WORLD))
    srv.routes["/local.xml"] = Route(rss("Harbour News", *LOCAL))
    yield srv
    srv.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli(request: pytest.FixtureRequest, tmp_path: Path) -> Invoke:
    """One command in this process, on a SQLite file or on a PostgreSQL database of its own."""
    env = environment(tmp_path / "data")
    if request.param == "postgres":
        env["TIDINGS_DATABASE_URL"] = request.getfixturevalue("pg_database")
        fresh_schema(env["TIDINGS_DATABASE_URL"])
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), env=env, input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def people(cli: Invoke) -> Invoke:
    """An admin (ada) and two readers (bob and cy)."""
    cli("user", "add", "ada", "--admin", "--password-stdin", input="correct horse\n")
    for name in ("bob", "cy"):
        added = cli("user", "add", name, "--password-stdin", input="correct horse\n")
        assert added.exit_code == 0, added.output
    return cli


def ok(cli: Invoke, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def unread(cli: Invoke, name: str, *args: str) -> list[str]:
    """The titles of a person's unread items, in the order listed (piped: id, date, source,
    title, link)."""
    return [line.split("\t")[3] for line in ok(cli, "--user", name, "unread", *args).splitlines()]


def ids(cli: Invoke, name: str) -> dict[str, int]:
    entries = json.loads(ok(cli, "--user", name, "unread", "--json"))
    return {e["title"]: e["id"] for e in entries}


def test_two_readers_see_only_their_own(people: Invoke, server: FeedServer) -> None:
    cli, world, local = people, server.url("/world.xml"), server.url("/local.xml")
    subscribed = ok(cli, "--user", "bob", "subscribe", world, "--folder", "News")
    assert subscribed == f"1\tWorld Wire\tNews\t3\t{world}\n"
    subscribed = ok(cli, "--user", "bob", "subscribe", local, "--title", "The harbour")
    assert subscribed == f"2\tThe harbour\t\t2\t{local}\n"
    fetched = len(server.requests)
    assert ok(cli, "--user", "cy", "subscribe", local) == f"2\tHarbour News\t\t2\t{local}\n"
    assert len(server.requests) == fetched  # a feed already stored is not fetched again

    bobs = json.loads(ok(cli, "--user", "bob", "subscriptions", "--json"))
    assert sorted((s["id"], s["title"], s["folder"], s["unread"]) for s in bobs) == [
        (1, "World Wire", "News", 3),
        (2, "The harbour", None, 2),
    ]
    assert ok(cli, "--user", "cy", "subscriptions") == f"2\tHarbour News\t\t2\t{local}\n"
    assert json.loads(ok(cli, "list", "--json")) == []  # the site's collection is not theirs

    assert unread(cli, "bob") == ["w3", "l2", "w2", "l1", "w1"]  # newest first
    assert unread(cli, "cy") == ["l2", "l1"]
    assert unread(cli, "bob", "--folder", "News", "--limit", "2") == ["w3", "w2"]
    by_feed = ok(cli, "--user", "bob", "unread", "--feed", local).splitlines()
    assert [line.split("\t")[2] for line in by_feed] == ["The harbour", "The harbour"]
    assert [line.split("\t")[2] for line in ok(cli, "--user", "cy", "unread").splitlines()] == [
        "Harbour News",
        "Harbour News",
    ]

    item = ids(cli, "bob")
    assert ok(cli, "--user", "bob", "star", str(item["w3"])) == f"starred {item['w3']}\tw3\n"
    stranger = cli("--user", "cy", "star", str(item["w3"]))
    assert (stranger.exit_code, stranger.stderr) == (
        1,
        f"error: no item {item['w3']} in the feeds of cy\n",
    )
    assert ok(cli, "--user", "bob", "mark-read", str(item["l2"])) == "marked 1 item read\n"
    assert unread(cli, "bob") == ["w3", "w2", "l1", "w1"]
    assert unread(cli, "cy") == ["l2", "l1"]  # bob's reading is his own
    states = {e["title"]: e for e in json.loads(ok(cli, "--user", "bob", "unread", "--json"))}
    assert states["w3"]["starred"] is True and states["w3"]["source"] == "World Wire"
    assert not any(e["starred"] for e in json.loads(ok(cli, "--user", "cy", "unread", "--json")))

    ok(cli, "--user", "bob", "star", str(item["l1"]))
    assert ok(cli, "--user", "bob", "unsubscribe", local) == "unsubscribed 2\tThe harbour\n"
    assert unread(cli, "bob") == ["w3", "w2", "w1"]
    # a starred item outlives the subscription, until its star is taken off
    assert ok(cli, "--user", "bob", "unstar", str(item["l1"])) == f"unstarred {item['l1']}\tl1\n"
    gone = cli("--user", "bob", "star", str(item["l1"]))
    assert (gone.exit_code, gone.stderr) == (
        1,
        f"error: no item {item['l1']} in the feeds of bob\n",
    )
    assert unread(cli, "cy") == ["l2", "l1"]
    assert ok(cli, "--user", "cy", "subscriptions") == f"2\tHarbour News\t\t2\t{local}\n"
    again = cli("--user", "bob", "unsubscribe", local)
    assert (again.exit_code, again.stderr) == (1, f"error: bob does not follow {local}\n")


def test_mark_read_before_a_time_leaves_newer_items_unread(
    people: Invoke, server: FeedServer
) -> None:
    cli, world = people, server.url("/world.xml")
    ok(cli, "--user", "bob", "subscribe", world)
    ok(cli, "--user", "cy", "subscribe", world)
    time.sleep(0.05)
    between = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    server.routes["/world.xml"] = Route(rss("World Wire", *WORLD, ("w4", "09:00:00")))
    assert "1 new item" in ok(cli, "update", "--all")

    # w4 is dated earliest but arrived last: --before is about when items arrived
    assert unread(cli, "bob") == ["w3", "w2", "w1", "w4"]
    assert ok(cli, "--user", "bob", "mark-read", "--all", "--before", "2h") == (
        "marked 0 items read\n"
    )
    marked = ok(cli, "--user", "bob", "mark-read", "--feed", "1", "--before", between)
    assert marked == "marked 3 items read\n"
    assert unread(cli, "bob") == ["w4"]
    assert unread(cli, "cy") == ["w3", "w2", "w1", "w4"]

    assert ok(cli, "--user", "cy", "mark-read", "--all") == "marked 4 items read\n"
    nothing = cli("--user", "cy", "unread")
    assert (nothing.exit_code, nothing.stdout, nothing.stderr) == (0, "", "nothing unread\n")
    assert unread(cli, "bob") == ["w4"]


def test_the_person_is_named_and_known(people: Invoke, server: FeedServer) -> None:
    cli = people
    for args in (["unread"], ["subscriptions"], ["subscribe", server.url("/world.xml")]):
        missing = cli(*args)
        assert (missing.exit_code, missing.stderr) == (
            1,
            "error: name the person with --user NAME\n",
        )
        unknown = cli("--user", "zed", *args)
        assert (unknown.exit_code, unknown.stderr) == (1, 'error: no user named "zed"\n')
    assert server.requests == []
    site = cli("--user", "bob", "add", server.url("/world.xml"))
    assert (site.exit_code, site.stderr) == (
        1,
        "error: --user goes with a person's commands (subscribe, unsubscribe, subscriptions, "
        "unread, mark-read, star, unstar, folder); add is the site's\n",
    )

    none = cli("--user", "bob", "subscriptions")
    assert none.exit_code == 0 and none.stdout == ""
    assert (
        none.stderr == "bob follows no feed yet; add one with 'tidings --user bob subscribe URL'\n"
    )
    ok(cli, "--user", "bob", "subscribe", server.url("/world.xml"))
    twice = cli("--user", "bob", "subscribe", server.url("/world.xml"))
    assert twice.exit_code == 1 and twice.stderr.startswith("error: ")
    assert twice.stderr.count("\n") == 1


def test_a_folder_that_folds_reads_a_story_once(people: Invoke, server: FeedServer) -> None:
    """Two feeds of bob's folder carry one story: folded, reading it reads the copy too."""
    cli = people
    server.routes["/a.xml"] = Route(rss("Wire A", ("story", "10:00:00"), ("a1", "11:00:00")))
    server.routes["/b.xml"] = Route(rss("Wire B", ("story", "10:00:00"), ("b1", "12:00:00")))
    for path in ("/a.xml", "/b.xml"):
        ok(cli, "--user", "bob", "subscribe", server.url(path), "--folder", "News")
    assert ok(cli, "folder", "fold", "News", "--user", "bob") == "News\tshows each story once\n"
    missing = cli("--user", "bob", "folder", "fold", "Nowhere")
    assert (missing.exit_code, missing.stderr) == (
        1,
        "error: you have no folder named 'Nowhere'\n",
    )
    first = min(
        e["id"]
        for e in json.loads(ok(cli, "--user", "bob", "unread", "--json"))
        if e["title"] == "story"
    )
    ok(cli, "--user", "bob", "mark-read", str(first))
    assert unread(cli, "bob") == ["b1", "a1"]  # both copies read
    assert ok(cli, "--user", "bob", "folder", "fold", "News", "--off") == "News\tshows every copy\n"
