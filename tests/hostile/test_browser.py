"""The hostile feeds in a real browser: the site served by ``tidings serve``, the four hostile
feeds subscribed by ``tidings add``, every page opened in headless Chromium.

Run once with the Content-Security-Policy removed from every response, so that only the markup
is judged (escaping and sanitizing must hold alone), and once as served, where the CSP must have
nothing to refuse. Either way: no dialog opens (every payload calls ``alert``), no page navigates
away (meta refresh, base), no frame or document is requested from anywhere else. The browser never
leaves the machine: every request to another origin is aborted (and recorded).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.feedserver import FeedServer, Route
from tests.hostile import cases
from tests.hostile.cases import FORMATS, TEXT
from tests.hostile.test_xss_render import hostile_doc
from tests.web.test_browser import CHROMIUM, FLAGS, missing, site

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog
    from playwright.sync_api import Route as BrowserRoute

pytestmark = [pytest.mark.browser, pytest.mark.skipif(missing is not None, reason=missing or "")]

PASSWORD = "correct horse battery"
CATEGORY = TEXT["T04-svg"]


@dataclass
class Served:
    base: str
    feeds: FeedServer
    pages: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp: Path = tmp_path_factory.mktemp("browser")
    feeds = FeedServer().start()
    for fmt in FORMATS:
        feeds.routes[f"/{fmt}"] = Route(
            cases.build(fmt, hostile_doc(fmt)), content_type=cases.CONTENT_TYPES[fmt]
        )
    env = {
        **os.environ,
        "TIDINGS_DATA_DIR": str(tmp / "data"),
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_SAMPLES": "false",
        "TIDINGS_ITEMS_PER_PAGE": "1000",
        "TIDINGS_SITE_TITLE": TEXT["T02-attr-breakout"],
    }
    cli = [sys.executable, "-m", "tidings.cli"]

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [*cli, *args], input=stdin, env=env, check=True, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        return done.stdout

    run("user", "add", "ada", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    for fmt in FORMATS:
        run("add", feeds.url(f"/{fmt}"), "--category", CATEGORY)
    pages = [
        "/",
        "/sources",
        *(f"/sources/{n}" for n in range(1, len(FORMATS) + 1)),
        "/categories",
        "/search?q=alert",
        "/search?q=%22%3E%3Cimg",
        "/embed/latest?count=50",
        "/admin",
        *(f"/admin/feeds/{n}" for n in range(1, len(FORMATS) + 1)),
        "/admin/settings",
    ]
    try:
        with site(env, "--no-scheduler") as base:
            yield Served(base, feeds, pages)
    finally:
        feeds.stop()


@pytest.mark.parametrize("csp", ["without-csp", "with-csp"])
@pytest.mark.slow
def test_no_payload_runs_in_a_browser(served: Served, csp: str) -> None:
    from playwright.sync_api import sync_playwright  # installed: the module is not skipped

    base = served.base
    dialogs: list[str] = []
    foreign: list[tuple[str, str]] = []
    csp_reports: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context()

        def route(r: BrowserRoute) -> None:
            request = r.request
            if not request.url.startswith(base + "/"):
                foreign.append((request.resource_type, request.url))
                r.abort()
                return
            if csp == "with-csp":
                r.continue_()
                return
            response = r.fetch(max_redirects=0)
            headers = {
                k: v
                for k, v in response.headers.items()
                if k.lower() not in ("content-security-policy", "x-frame-options")
            }
            r.fulfill(response=response, headers=headers)

        def on_dialog(d: Dialog) -> None:
            dialogs.append(f"{page.url}: {d.message}")
            d.dismiss()

        def on_console(m: ConsoleMessage) -> None:
            if "Content Security Policy" in m.text:
                csp_reports.append(m.text)

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.goto(base + "/signin")
        page.get_by_label("User name").fill("ada")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/admin")
        slug = page.goto(base + "/categories")
        assert slug is not None
        category = page.locator(".categories a").first.get_attribute("href")
        assert category and category.startswith("/categories/")
        for path in [*served.pages, category]:
            page.goto(base + path)  # waits for "load": every image has loaded or failed
            for details in page.locator("details").all()[:20]:  # ontoggle fires on opening
                details.evaluate("d => { d.open = true }")
            # let the tasks queued by loading and toggling run (error and toggle events); not
            # with evaluate: the embed's CSP sandbox runs no script, not even the test's
            page.wait_for_timeout(50)
            assert page.url == base + path, f"{path} navigated to {page.url}"
            assert len(page.frames) == 1, f"{path} has frames: {[f.url for f in page.frames]}"
        browser.close()
    assert dialogs == []
    navigations = [u for kind, u in foreign if kind in ("document", "iframe", "script", "object")]
    assert navigations == []
    if csp == "with-csp":
        assert csp_reports == []
