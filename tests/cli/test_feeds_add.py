"""tidings add: a URL without a scheme, --anyway, --refresh below the floor, --user-agent."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from rich.text import Text

from tests.cli.conftest import Invoke
from tests.feedserver import FeedServer, Route
from tidings.cli.feeds import health_row
from tidings.types import FeedHealth


def listed(cli: Invoke) -> list[dict[str, object]]:
    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    feeds: list[dict[str, object]] = json.loads(result.stdout)
    return feeds


def test_a_url_without_a_scheme_is_tried_as_https_then_http(cli: Invoke, feeds: FeedServer) -> None:
    added = cli("add", feeds.url("/one.xml").removeprefix("http://"))
    assert added.exit_code == 0, added.output
    assert added.stdout == "1\tLoopback Times\n"
    assert [f["url"] for f in listed(cli)] == [feeds.url("/one.xml")]


def test_what_is_not_a_web_url_is_refused_in_one_line(cli: Invoke) -> None:
    for url in ("ftp://example.org/feed", "javascript:alert(1)", ""):
        for extra in ((), ("--anyway",)):
            refused = cli("add", url, *extra)
            assert refused.exit_code == 1
            assert refused.stderr.startswith("error: not a web URL: ")
            assert refused.stderr.count("\n") == 1
    assert listed(cli) == []


def test_anyway_adds_a_feed_that_fails_now(cli: Invoke, feeds: FeedServer) -> None:
    feeds.routes["/down.xml"] = Route(b"down", status=503, content_type="text/plain")
    refused = cli("add", feeds.url("/down.xml"))
    assert refused.exit_code == 1 and refused.stderr.startswith("error: HTTP 503")
    assert listed(cli) == []
    added = cli("add", feeds.url("/down.xml"), "--anyway")
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("1\t")
    assert "added, but it fails for now: HTTP 503" in added.stderr
    assert re.search(r"it is tried again 1[5-7] minutes( \d+ seconds)? from now", added.stderr)
    (feed,) = listed(cli)
    assert feed["error_count"] == 1 and str(feed["last_error"]).startswith("HTTP 503")
    again = cli("add", feeds.url("/down.xml"), "--anyway")
    assert again.exit_code == 1 and again.stderr.startswith("error: already subscribed")


def test_refresh_below_the_floor_is_refused_naming_the_floor(
    cli: Invoke, feeds: FeedServer
) -> None:
    refused = cli("add", feeds.url("/one.xml"), "--refresh", "1m")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: --refresh 1m is below the floor of 5 minutes (TIDINGS_MIN_REFRESH)\n"
    )
    assert listed(cli) == [] and not feeds.hits("/one.xml")
    assert cli("add", feeds.url("/one.xml"), "--refresh", "5m").exit_code == 0


def test_user_agent_is_sent_for_the_feed_s_requests(cli: Invoke, feeds: FeedServer) -> None:
    added = cli("add", feeds.url("/one.xml"), "--user-agent", "Special/1.0 (+mailto:me@x.org)")
    assert added.exit_code == 0, added.output
    assert cli("add", feeds.url("/two.xml")).exit_code == 0
    assert cli("update", "--all").exit_code == 0
    one = [r.headers.get("user-agent") for r in feeds.hits("/one.xml")]
    two = [r.headers.get("user-agent") for r in feeds.hits("/two.xml")]
    assert one == ["Special/1.0 (+mailto:me@x.org)"] * 2
    assert two and all(ua and ua.startswith("tidings/") for ua in two)


def test_health_shows_a_notice_in_its_own_words() -> None:
    when = datetime(2026, 11, 28, tzinfo=UTC)
    row = health_row(
        FeedHealth(
            1,
            "https://e.org/f",
            "E",
            "notice",
            "permanently redirects to http://e.org/f; not adopted: it would drop https",
            None,
            None,
            0,
            when,
            when,
            when,
        )
    )
    state = row[3]
    assert isinstance(state, Text) and state.plain == "notice"
