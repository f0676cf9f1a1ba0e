"""tidings articles: full articles turned on and off, the latest items queued and fetched now,
and how a feed's articles stand, against a feed and its pages on loopback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.cli.helpers import environment, run_tidings
from tests.feedserver import FeedServer, Route
from tests.pg import fresh_schema

PAGES = Path(__file__).parents[1] / "parse" / "fixtures" / "articles"


@pytest.fixture
def site() -> Iterator[FeedServer]:
    srv = FeedServer().start()
    items = "".join(
        f"<item><title>{slug}</title><guid>{slug}</guid><link>{srv.url('/' + slug)}</link>"
        f"<description>Summary of {slug}.</description></item>"
        for slug in ("blog", "paywall")
    )
    srv.routes["/feed.xml"] = Route(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Lowmarsh</title>'
        f"<link>{srv.url('/')}</link><description>d</description>{items}</channel></rss>".encode()
    )
    for slug in ("blog", "paywall"):
        srv.routes[f"/{slug}"] = Route(
            (PAGES / f"{slug}.html").read_bytes(), content_type="text/html"
        )
    yield srv
    srv.stop()


def test_turn_on_queue_the_latest_and_fetch_now(cli: Invoke, site: FeedServer) -> None:
    assert cli("add", site.url("/feed.xml")).exit_code == 0
    shown = cli("articles", "1")
    assert shown.exit_code == 0
    assert "full articles off" in shown.stdout
    refused = cli("articles", "1", "--latest", "2")
    assert refused.exit_code == 1
    assert "full articles are off for this feed" in refused.stderr
    done = cli("articles", "1", "--on", "--latest", "2", "--now")
    assert done.exit_code == 0, done.stderr
    assert "fetched 2 pages: 1 article, 1 failed" in done.stdout
    assert "full articles on" in done.stdout
    assert "1 article, 1 failed, 0 waiting" in done.stdout
    assert "last failure: no article on the page" in done.stdout
    assert json.loads(cli("list", "--json").stdout)[0]["full_articles"] is True
    off = cli("articles", site.url("/feed.xml"), "--off")
    assert off.exit_code == 0 and "full articles off" in off.stdout
    assert json.loads(cli("list", "--json").stdout)[0]["full_articles"] is False


def test_an_unknown_feed_and_a_bad_count_are_refused(cli: Invoke) -> None:
    missing = cli("articles", "42", "--on")
    assert missing.exit_code == 1 and "no feed" in missing.stderr.lower()
    assert cli("articles", "1", "--latest", "501").exit_code == 2


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_processes_working_the_queue_fetch_each_page_once(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """Two real processes run ``--now`` on one queue at the same time: every page once."""
    env: dict[str, str] = {}
    if backend == "postgres":
        url = request.getfixturevalue("pg_database")
        fresh_schema(url)
        env["TIDINGS_DATABASE_URL"] = url
    srv = FeedServer().start()
    try:
        slugs = [f"p{n}" for n in range(64)]
        items = "".join(
            f"<item><title>{s}</title><guid>{s}</guid><link>{srv.url('/' + s)}</link></item>"
            for s in slugs
        )
        srv.routes["/feed.xml"] = Route(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>'
            f"<link>{srv.url('/')}</link><description>d</description>{items}"
            "</channel></rss>".encode()
        )
        blog = (PAGES / "blog.html").read_bytes()
        for s in slugs:
            srv.routes[f"/{s}"] = Route(blog, content_type="text/html", delay=0.02)
        data = tmp_path / "data"
        assert run_tidings(data, "add", srv.url("/feed.xml"), **env).returncode == 0
        queued = run_tidings(data, "articles", "1", "--on", "--latest", "64", **env)
        assert "64 waiting" in queued.stdout, queued.stderr
        both = [
            subprocess.Popen(
                [sys.executable, "-m", "tidings.cli", "articles", "1", "--now"],
                env={**os.environ, **environment(data), **env},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=120) for p in both]
        assert all(p.returncode == 0 for p in both), outs
        assert all(len(srv.hits(f"/{s}")) == 1 for s in slugs)
        fetched = [
            int(n) for out, _ in outs for n in re.findall(r"^fetched (\d+) pages", out, re.M)
        ]
        assert sum(fetched) == 64, outs
        after = run_tidings(data, "articles", "1", **env)
        assert "64 articles, 0 failed, 0 waiting" in after.stdout
    finally:
        srv.stop()
