"""The notification pages in headless Chromium against ``tidings serve``: a target added through
the admin's form, tested through its button and delivered by the server's own sender to a
webhook on loopback; the page and a person's settings fit a phone's screen with a long URL."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import run_tidings
from tests.notifying.receiver import Hook, hook_fixture  # noqa: F401  (the fixture)
from tests.web.test_browser import CHROMIUM, FLAGS, missing, site
from tests.web.test_design import HEADINGS, OFF_SCREEN, PHONE

try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extras bring it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [pytest.mark.browser, pytest.mark.skipif(missing is not None, reason=missing or "")]
PASSWORD = "correct horse battery"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    data = tmp_path / "data"
    assert (
        run_tidings(
            data, "user", "add", "ada", "--admin", "--password-stdin", stdin=PASSWORD + "\n"
        ).returncode
        == 0
    )
    env = {
        **os.environ,
        "TIDINGS_DATA_DIR": str(data),
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_SAMPLES": "false",
    }
    with site(env) as base:
        yield base, data


@pytest.fixture
def page() -> Iterator[Page]:
    assert sync_playwright is not None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
        yield context.new_page()
        browser.close()


def sign_in(page: Page, base: str) -> None:
    page.goto(base + "/signin")
    page.get_by_label("User name").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/admin")


def fits(page: Page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(OFF_SCREEN) == []
    levels = page.evaluate(HEADINGS)
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))


def test_a_target_added_and_tested_in_the_browser_is_delivered(
    served: tuple[str, Path], page: Page, hook: Hook
) -> None:
    base, _data = served
    sign_in(page, base)
    page.get_by_role("link", name="Notifications").click()
    page.wait_for_url(base + "/admin/notify")
    page.get_by_label("Apprise URL").fill(
        hook.url.replace("json://", "json://ops:s3cret@") + "?" + "x" * 120 + "=1"
    )
    page.get_by_label("Name (optional)").fill("Ops")
    page.get_by_role("button", name="Add target").click()
    expect(page.get_by_role("status")).to_contain_text("Added Ops")
    assert "s3cret" not in page.content()
    fits(page)
    page.get_by_role("button", name="Send a test").click()
    expect(page.get_by_role("status")).to_contain_text("A test message is queued")
    for _ in range(100):  # the server's sender turns every 10 s
        if hook.received:
            break
        page.wait_for_timeout(200)
    assert [m["title"] for m in hook.received] == ["tidings: a test message"]
    page.get_by_label("Apprise URL").fill("bogus://nothing")
    page.get_by_role("button", name="Add target").click()
    expect(page.get_by_role("alert")).to_contain_text("Unknown notification service bogus://")


def test_a_persons_targets_fit_their_settings_page(
    served: tuple[str, Path], page: Page, hook: Hook
) -> None:
    base, data = served
    added = run_tidings(data, "notify", "add", hook.url + "/" + "long" * 40, "--user", "ada")
    assert added.returncode == 0, added.stderr
    sign_in(page, base)
    page.goto(base + "/read/settings")
    expect(page.get_by_role("heading", name="Notifications (1)")).to_be_visible()
    fits(page)
