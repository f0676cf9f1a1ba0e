"""The reading page in headless Chromium: a real server process, real loopback feeds, a reader
who signs in, reads with the keyboard, and marks everything read while a new item arrives; on a
desktop and on a 390 px phone."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

import pytest

from tests.feedserver import FeedServer, Route
from tests.web.test_browser import CHROMIUM, FLAGS, missing, site

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extras bring it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(missing is not None, reason=missing or ""),
]

PASSWORD = "correct horse battery"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def rss(title: str, items: list[tuple[str, str, float]]) -> bytes:
    """An RSS feed: (guid, title, age in seconds) per item."""
    now = time.time()
    entries = "".join(
        f"<item><title>{t}</title><link>https://news.example/{g}</link><guid>{g}</guid>"
        f"<pubDate>{formatdate(now - age, usegmt=True)}</pubDate>"
        f"<description>&lt;p&gt;The story of {t.lower()}.&lt;/p&gt;</description></item>"
        for g, t, age in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://news.example/</link><description>{title}</description>{entries}"
        "</channel></rss>"
    ).encode()


NATO = [
    ("n1", "Allies agree on a plan", 3600.0),
    ("n2", "Exercise in the north", 2 * 3600.0),
    ("n3", "Ministers meet", 3 * 3600.0),
]
HARBOUR = [("h1", "Ferry timetable", 1800.0), ("h2", "Tide tables", 5 * 3600.0)]


@dataclass
class Reader:
    base: str
    feeds: FeedServer
    env: dict[str, str]

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "tidings.cli", *args],
            input=stdin,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    """A reader, ada, who follows two loopback feeds (one in her folder "World"); the server."""
    feeds = FeedServer().start()
    feeds.routes["/nato.xml"] = Route(rss("NATO News", NATO))
    feeds.routes["/harbour.xml"] = Route(rss("Harbour Gazette", HARBOUR))
    env = {
        **os.environ,
        "TIDINGS_DATA_DIR": str(tmp_path / "data"),
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_SAMPLES": "false",
    }
    setup = Reader("", feeds, env)
    setup.cli("user", "add", "ada", "--password-stdin", stdin=PASSWORD + "\n")
    setup.cli("--user", "ada", "subscribe", feeds.url("/nato.xml"), "--folder", "World")
    setup.cli("--user", "ada", "subscribe", feeds.url("/harbour.xml"))
    try:
        with site(env) as base:
            yield Reader(base, feeds, env)
    finally:
        feeds.stop()


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


def sign_in(page: Page, base: str, *, script: bool = True) -> None:
    page.goto(base + "/read")
    expect(page).to_have_url(re.compile(r"/signin\?next=/read$"))
    page.get_by_label("User name").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base + "/read")
    if script:
        ready(page)


def ready(page: Page) -> None:
    """The page's script has run: from here on its shortcuts work."""
    page.wait_for_selector(".reader[data-keys=on]", state="attached")


def count(page: Page, key: str) -> str:
    return page.locator(f'[data-count="{key}"]').inner_text()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_reader_reads_with_the_keyboard(reader: Reader, browser: Browser, screen: str) -> None:
    viewport = DESKTOP if screen == "desktop" else PHONE
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, reader.base)
    expect(page.get_by_role("heading", level=1)).to_have_text("All items")
    titles = page.locator(".entry-title")
    expect(titles).to_have_text(
        [
            "Ferry timetable",
            "Allies agree on a plan",
            "Exercise in the north",
            "Ministers meet",
            "Tide tables",
        ]
    )
    assert count(page, "all") == "5" and count(page, "folder:World") == "3"

    # j selects the first, m marks it read in place (no reload), s stars it
    page.keyboard.press("j")
    first = page.locator(".entry").first
    expect(first).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("m")
    expect(first).to_have_attribute("data-read", "yes")
    expect(page.locator('[data-count="all"]')).to_have_text("4")
    expect(page).to_have_title(re.compile(r"^\(4\) All items"))
    page.keyboard.press("s")
    expect(first).to_have_attribute("data-starred", "yes")
    expect(page.locator('[data-count="starred"]')).to_have_text("1")
    page.keyboard.press("m")  # and unread again
    expect(first).to_have_attribute("data-read", "no")
    expect(page.locator('[data-count="all"]')).to_have_text("5")

    # j, j, k: the second is selected; o opens it, which marks it read
    for key in ("j", "j", "k"):
        page.keyboard.press(key)
    second = page.locator(".entry").nth(1)
    expect(second).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("o")
    expect(page.get_by_role("heading", level=1)).to_have_text("Allies agree on a plan")
    ready(page)
    expect(page.locator(".entry-body")).to_contain_text("The story of allies agree on a plan.")
    expect(page.locator('[data-count="all"]')).to_have_text("4")
    expect(page.locator('[data-count="feed:1"]')).to_have_text("2")
    page.keyboard.press("j")  # the next item of the list, opened (and read) in turn
    expect(page.get_by_role("heading", level=1)).to_have_text("Exercise in the north")
    ready(page)
    expect(page.locator('[data-count="all"]')).to_have_text("3")
    page.keyboard.press("s")  # on an item's page, s and m act on it
    expect(page.locator('[data-count="starred"]')).to_have_text("2")
    page.keyboard.press("k")  # the newer unread one: the first, unread again since m
    expect(page.get_by_role("heading", level=1)).to_have_text("Ferry timetable")
    expect(page.locator('[data-count="all"]')).to_have_text("2")

    # ? shows the shortcuts; / goes to the search
    page.get_by_role("link", name="Back to the list").click()
    ready(page)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_role("dialog")).to_contain_text("mark everything in this list as read")
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    expect(page.get_by_placeholder("Search these items")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("h1").click()

    # a new item arrives while the list is open: A marks what the page showed, not the new one
    shown = page.locator(".entry").count()
    reader.feeds.routes["/nato.xml"] = Route(
        rss("NATO News", [("n0", "Breaking: a new item", 60.0), *NATO])
    )
    reader.cli("update", "--all")
    page.keyboard.press("A")
    expect(page.locator('.entry[data-read="no"]')).to_have_count(0)
    expect(page.locator('[data-count="all"]')).to_have_text("1")
    assert page.locator(".entry").count() == shown
    page.reload()
    expect(page.locator(".entry-title")).to_have_text(["Breaking: a new item"])
    page.goto(reader.base + "/read/starred")
    expect(page.locator(".entry-title")).to_have_text(["Ferry timetable", "Exercise in the north"])
    assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
    assert errors == []
    context.close()


def test_a_reader_on_a_phone_without_script(reader: Reader, browser: Browser) -> None:
    """One column, the list then the feeds; every change a form that posts and comes back."""
    context = browser.new_context(
        viewport=PHONE,  # type: ignore[arg-type]
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    page = context.new_page()
    sign_in(page, reader.base, script=False)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    # one column: the list, then the feeds below it
    list_box = page.locator(".entries").bounding_box()
    side_box = page.locator(".read-side").bounding_box()
    assert list_box and side_box and side_box["y"] >= list_box["y"] + list_box["height"]
    levels = page.evaluate("[...document.querySelectorAll('h1, h2, h3')].map(h => +h.tagName[1])")
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))
    # no script needed: the title is a form that opens and marks read; the buttons post and return
    page.locator(".entry-title button").first.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ferry timetable")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Star").tap()
    expect(page.locator('[data-count="starred"]')).to_have_text("1")
    page.get_by_role("link", name="Back to the list").tap()
    expect(page.locator(".entry")).to_have_count(4)
    page.get_by_role("button", name="Mark all as read").tap()
    expect(page.locator(".entry")).to_have_count(0)
    expect(page.locator('[data-count="all"]')).to_have_text("0")
    context.close()


def test_items_scrolled_past_are_read_when_the_setting_says_so(
    reader: Reader, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 420})
    page = context.new_page()
    sign_in(page, reader.base)
    page.get_by_role("link", name="Subscriptions and settings").click()
    page.get_by_label("Mark items read as I scroll past them").check()
    page.get_by_role("button", name="Save reading settings").click()
    page.goto(reader.base + "/read")
    page.wait_for_selector(".reader[data-keys=on]", state="attached")
    assert page.locator(".reader").get_attribute("data-scroll-read") == "on"
    page.mouse.wheel(0, 5000)
    expect(page.locator(".entry").first).to_have_attribute("data-read", "yes")
    expect(page.locator('[data-count="all"]')).not_to_have_text("5")
    page.reload()  # the server says so too
    expect(page.locator(".entry")).not_to_have_count(5)
    context.close()


def test_a_reader_subscribes_on_the_settings_page(reader: Reader, browser: Browser) -> None:
    """Following a feed from the browser: the address, a folder, and its items are unread."""
    reader.feeds.routes["/gazette.xml"] = Route(
        rss("Town Gazette", [("g1", "Market day", 600.0), ("g2", "Bridge works", 7200.0)])
    )
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    sign_in(page, reader.base)
    page.goto(reader.base + "/read/settings")
    page.get_by_label("Feed or site address").fill(reader.feeds.url("/gazette.xml"))
    page.get_by_label("Folder (optional: a new one, or one of yours)").fill("Town")
    page.get_by_role("button", name="Subscribe", exact=True).click()
    expect(page.locator("body")).to_contain_text("Town Gazette")
    page.goto(reader.base + "/read")
    ready(page)
    expect(page.locator('[data-count="folder:Town"]')).to_have_text("2")
    expect(page.locator('[data-count="all"]')).to_have_text("7")
    expect(page.locator(".entry-title").first).to_have_text("Market day")
    context.close()
