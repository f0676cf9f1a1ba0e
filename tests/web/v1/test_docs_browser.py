"""The /api/docs page in headless Chromium, light and dark, on a desktop and a phone: axe-core
finds no serious problem, nothing scrolls sideways, headings never skip a level."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_browser import CHROMIUM, FLAGS, missing
from tests.web.test_design import AXE, DESKTOP, HEADINGS, PHONE, SCHEMES, axe_missing, serious
from tests.web.v1.served import served

try:
    from playwright.sync_api import Browser, sync_playwright
except ImportError:  # pragma: no cover - the dev extras bring it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(missing is not None, reason=missing or ""),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(Path(tmp_path_factory.mktemp("docs"))) as site:
        yield site.base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_docs_page_reads_well(base: str, browser: Browser, scheme: str, width: str) -> None:
    viewport = DESKTOP if width == "desktop" else PHONE
    context = browser.new_context(
        color_scheme=scheme,  # type: ignore[arg-type]
        viewport=viewport,  # type: ignore[arg-type]
        bypass_csp=True,  # axe is injected
    )
    page = context.new_page()
    response = page.goto(base + "/api/docs")
    assert response is not None and response.status == 200
    assert page.locator("h3").count() > 30  # every operation has its heading
    assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
    levels = page.evaluate(HEADINGS)
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    if axe_missing is None:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        assert serious(result["violations"]) == []
    context.close()
