"""The site in headless Chromium: a real server process, a real loopback feed, a real browser."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.feedserver import FeedServer, Route

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extras bring it
    sync_playwright = None  # type: ignore[assignment]

missing = (
    "the playwright package is not installed"
    if sync_playwright is None
    else f"Chromium is not installed at {CHROMIUM}"
    if not shutil.which(CHROMIUM)
    else None
)
if missing and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests must run under CI, but {missing}")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(missing is not None, reason=missing or "")]

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>NATO News</title><link>https://www.nato.int/</link>
<description>News from NATO´s headquarters – “Allies” meet in Čačak</description>
<item><title>Allies agree on a new plan</title><link>https://www.nato.int/a</link>
<guid>a</guid><pubDate>{d1}</pubDate>
<description>&lt;p&gt;The allies &lt;strong&gt;agreed&lt;/strong&gt; on a plan
for the harbour.&lt;/p&gt;</description></item>
<item><title>Exercise in the north</title><link>https://www.nato.int/b</link>
<guid>b</guid><pubDate>{d2}</pubDate>
<description>&lt;p&gt;A winter exercise with ships and harbour drills.&lt;/p&gt;
</description></item>
</channel></rss>"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def site(env: dict[str, str], *options: str) -> Iterator[str]:
    """``tidings serve`` in a process of its own; its base URL once it answers /healthz."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings.cli", "serve", "--port", str(port), *options],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):  # bounded wait for the server to listen
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FeedServer]]:
    from email.utils import formatdate

    feeds = FeedServer().start()
    now = time.time()
    feeds.routes["/nato.xml"] = Route(
        FEED.format(
            d1=formatdate(now - 17 * 86400 - 2 * 3600, usegmt=True),
            d2=formatdate(now - 3600 - 8 * 60 - 30, usegmt=True),
        ).encode()
    )
    env = {
        **os.environ,
        "TIDINGS_DATA_DIR": str(tmp_path / "data"),
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_SAMPLES": "false",
    }
    cli = [sys.executable, "-m", "tidings.cli"]
    subprocess.run(
        [*cli, "user", "add", "ada", "--admin", "--password-stdin"],
        input="correct horse battery\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    with site(env) as base:
        yield base, feeds
    feeds.stop()


@pytest.mark.slow
def test_a_person_runs_the_site(served: tuple[str, FeedServer]) -> None:
    base, feeds = served
    assert sync_playwright is not None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page: Page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(base + "/admin")
        expect(page).to_have_url(base + "/signin")
        page.get_by_label("User name").fill("ada")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Feeds")).to_be_visible()

        page.get_by_label("Feed or site URL").fill(feeds.url("/nato.xml"))
        page.get_by_label("Categories, comma-separated").fill("World")
        page.get_by_role("button", name="Add feed").click()
        expect(page.get_by_role("status")).to_contain_text("Added NATO News with 2 items")

        page.get_by_role("link", name="NATO News").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("NATO News")
        titles = page.locator(".item-title").all_inner_texts()
        assert titles == ["Exercise in the north", "Allies agree on a new plan"]
        ages = page.locator(".item time").all_inner_texts()
        assert ages == ["1 hour 8 minutes ago", "2 weeks 3 days ago"]
        expect(page.locator(".summary").first).to_contain_text("winter exercise")
        block = page.locator(".source-block")
        expect(block).to_contain_text("News from NATO´s headquarters – “Allies” meet in Čačak")
        expect(block).to_contain_text("Updated: just now")
        expect(block.get_by_role("link", name="Subscribe to NATO News feed")).to_have_attribute(
            "href", feeds.url("/nato.xml")
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if os.environ.get("SAVE_SCREENSHOTS"):
            page.screenshot(path=str(SCREENSHOTS / "source-page.png"), full_page=True)

        # the ages script rewords a stale age from the server, without a reload
        page.evaluate(
            "document.querySelector('.item time').textContent = 'stale';"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
        expect(page.locator(".item time").first).to_have_text("1 hour 8 minutes ago")

        page.get_by_role("link", name="Search", exact=True).click()
        page.get_by_label("Search the items of every source").fill("harbour")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("status")).to_have_text("2 results · Subscribe to this search")
        expect(page.locator(".snippet mark").first).to_have_text("harbour")
        page.get_by_label("Search the items of every source").fill('"winter exercise"')
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("status")).to_contain_text("1 result")
        expect(page.locator(".results .item-title")).to_have_text(["Exercise in the north"])
        page.get_by_role("link", name="Subscribe to this search").click()
        expect(page.locator("body")).to_contain_text("Exercise in the north")
        feed = page.request.get(base + "/rss.xml")
        assert feed.ok and feed.headers["content-type"].startswith("application/rss+xml")
        assert "<title>Allies agree on a new plan</title>" in feed.text()

        page.goto(base + "/categories/world")
        expect(page.locator(".item-title").first).to_have_text("Exercise in the north")

        page.goto(base + "/admin")
        page.get_by_role("link", name="Edit").click()
        page.get_by_label("Title").fill("Alliance News")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Saved Alliance News")
        page.get_by_role("link", name="Edit").click()
        page.get_by_role("button", name="Delete feed").click()
        expect(page.get_by_role("status")).to_contain_text("Deleted Alliance News")
        page.goto(base + "/")
        expect(page.locator(".items li")).to_have_count(0)

        page.goto(base + "/admin")
        page.get_by_role("button", name="Sign out ada").click()
        page.goto(base + "/admin")
        expect(page).to_have_url(base + "/signin")
        browser.close()
