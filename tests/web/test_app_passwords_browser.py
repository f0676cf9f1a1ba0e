"""The Apps part of the settings in a real browser at phone width, against ``tidings serve``: the
API password set from its two fields, a new key shown in a field that has the focus and fits the
screen (axe finds nothing serious there, in light or dark), revoked with its button, and the
password removed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_browser import CHROMIUM, FLAGS, missing, site
from tests.web.test_design import AXE, OFF_SCREEN, PHONE, axe_missing, serious

try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extras bring it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(missing is not None, reason=missing or ""),
]
PASSWORD = "correct horse battery"
API_PASSWORD = "apps only 12345"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "TIDINGS_DATA_DIR": str(tmp_path / "data"),
        "TIDINGS_SAMPLES": "false",
    }
    subprocess.run(
        [sys.executable, "-m", "tidings.cli", "user", "add", "bea", "--password-stdin"],
        input=PASSWORD + "\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    with site(env, "--no-scheduler") as base:
        yield base


def no_serious_problem(page: Page) -> list[str]:
    """axe's serious findings on the page as it is, in light and in dark."""
    if axe_missing is not None:
        return []
    found: list[str] = []
    page.add_script_tag(path=str(AXE))
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found += [f"[{scheme}] {line}" for line in serious(result["violations"])]
    return found


def test_set_a_password_make_a_key_and_revoke_it_on_a_phone(served: str) -> None:
    assert sync_playwright is not None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        # axe is injected into the page, which the site's CSP would refuse
        context = browser.new_context(viewport=PHONE, bypass_csp=True)  # type: ignore[arg-type]
        page = context.new_page()
        page.goto(served + "/signin")
        page.get_by_label("User name").fill("bea")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(served + "/read")

        page.goto(served + "/read/settings")
        expect(page.locator("#api-password-state")).to_contain_text("not set")
        page.get_by_label("API password (at least 8 characters)").fill(API_PASSWORD)
        page.get_by_label("The same again").fill(API_PASSWORD)
        page.get_by_role("button", name="Set the API password").click()
        expect(page.locator(".notice")).to_contain_text("Your API password is set")
        expect(page.locator("#api-password-state")).to_have_text("Your API password is set.")
        assert API_PASSWORD not in page.content()

        page.get_by_label("What the key is for").fill("Unread on my phone")
        page.get_by_role("button", name="Create an API key").click()
        field = page.locator("#new-api-key")
        expect(field).to_be_focused()  # where the eyes and a screen reader go next
        secret = field.input_value()
        assert len(secret) >= 32
        box = field.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate(OFF_SCREEN) == []
        problems = no_serious_problem(page)
        assert not problems, "axe found serious problems:\n" + "\n".join(problems)

        page.goto(served + "/read/settings")
        assert secret not in page.content()
        row = page.locator("table.api-keys tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Unread on my phone")
        expect(row).to_contain_text("never")
        page.get_by_role("button", name="Revoke the API key Unread on my phone").click()
        expect(page.locator(".notice")).to_have_text("Revoked the API key “Unread on my phone”.")
        expect(page.locator("table.api-keys")).to_have_count(0)

        page.get_by_role("button", name="Remove the API password").click()
        expect(page.locator("#api-password-state")).to_contain_text("not set")
        context.close()
        browser.close()
