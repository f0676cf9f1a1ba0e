"""The command line in-process (Typer's runner) over a data folder of its own, and in a real
process where the terminal or the network matters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.cli.helpers import environment
from tests.feedserver import FeedServer, Route
from tidings.cli import app

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Times</title>'
    b"<link>http://example.org/</link><description>News</description>"
    b"<item><title>Only story</title><link>http://example.org/1</link><guid>s1</guid>"
    b"<pubDate>Fri, 27 Nov 2026 10:00:00 +0000</pubDate></item>"
    b"</channel></rss>"
)

Invoke = Callable[..., Result]


@pytest.fixture
def cli(tmp_path: Path) -> Invoke:
    """``cli("list", "--json", input=None)``: one command in this process, on its own data."""
    runner = CliRunner()
    env = environment(tmp_path / "data")

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), env=env, input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    srv = FeedServer().start()
    srv.routes["/one.xml"] = Route(RSS)
    srv.routes["/two.xml"] = Route(RSS.replace(b"Loopback Times", b"Other Times"))
    yield srv
    srv.stop()
