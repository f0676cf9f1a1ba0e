"""Every page in every language, in Chromium: switched by the footer's link, with its
``<html lang>`` and ``dir``, ages and dates in the language, no text left in English, and
axe's language rules (html-has-lang, html-lang-valid, valid-lang) satisfied."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.web.test_browser import SCREENSHOTS
from tests.web.test_design import (
    AXE,
    DESKTOP,
    Site,
    browser,
    design_site,
    needs_axe,
    pages,
    pytestmark,
    signed_in,
)
from tidings import agelocale, i18n

__all__ = ["browser", "design_site", "pytestmark", "signed_in"]

SITE_ZONE = ZoneInfo("UTC")  # the design site's (the default)
# with SAVE_SCREENSHOTS=1, these pages in these languages go to docs/screenshots/
SAVE = bool(os.environ.get("SAVE_SCREENSHOTS"))
SHOWN_PAGES = ("whats-new", "read", "admin-settings")
SHOWN_LANGUAGES = ("de", "ru", "ar", "ja")
LANGUAGE_RULES = ["html-has-lang", "html-lang-valid", "valid-lang", "html-xml-lang-mismatch"]
FIRST_TIME = """() => {
  const t = document.querySelector("main time[datetime]");
  return t && [t.getAttribute("datetime"), t.textContent, t.title, t.dataset.age || ""];
}"""
# every button's label, every text of the page and every visible attribute
TEXTS = """() => {
  const texts = [...document.querySelectorAll("input[type=submit]")].map(b => b.value);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) texts.push(walker.currentNode.textContent);
  for (const el of document.querySelectorAll("[title], [placeholder], [aria-label], [alt]"))
    for (const name of ["title", "placeholder", "aria-label", "alt"])
      if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
  return texts.map(t => t.trim()).filter(Boolean);
}"""


def _untranslated(language: str, texts: list[str]) -> list[str]:
    """The texts that are English messages the catalog translates: left in English."""
    with i18n.speaking(language):
        return [text for text in texts if i18n.gettext(text) != text]


def _age_problem(language: str, found: list[str], before: datetime, after: datetime) -> str | None:
    stamp, text, title, form = found
    when = datetime.fromisoformat(stamp)
    short = form == "short"
    # the datetime attribute is in whole seconds: up to a second before the time it stands for
    moments = (before - timedelta(seconds=1), before, after)
    expected = {agelocale.age(language, when, now, SITE_ZONE, short=short) for now in moments}
    if text not in expected:
        return f"age {text!r}, expected one of {sorted(expected)}"
    if title != agelocale.date(language, when, SITE_ZONE):
        return f"date {title!r}, expected {agelocale.date(language, when, SITE_ZONE)!r}"
    return None


@needs_axe
@pytest.mark.parametrize("language", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_page_in_the_language(
    design_site: Site, browser: Any, signed_in: dict[str, Any], language: str
) -> None:
    context = browser.new_context(
        storage_state=signed_in, bypass_csp=True, locale="en-US", viewport=DESKTOP
    )
    page = context.new_page()
    tag = i18n.html_lang(language)
    page.goto(design_site.base + "/sources")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(f'footer nav a[hreflang="{tag}"]').click()  # the switch, kept by a cookie
    page.wait_for_function(f"document.documentElement.lang === {tag!r}")
    problems: list[str] = []
    aged = 0
    for name, path in pages(design_site, context).items():
        before = datetime.now(UTC)
        page.goto(design_site.base + path)
        after = datetime.now(UTC)
        where = f"{name} {path}"
        html = page.locator("html")
        if (html.get_attribute("lang"), html.get_attribute("dir")) != (
            tag,
            i18n.direction(language),
        ):
            problems.append(
                f"{where}: lang={html.get_attribute('lang')} dir={html.get_attribute('dir')}"
            )
        problems += [
            f"{where}: left in English: {text!r}"
            for text in _untranslated(language, page.evaluate(TEXTS))
        ]
        found = page.evaluate(FIRST_TIME)
        if found:
            aged += 1
            problem = _age_problem(language, found, before, after)
            if problem:
                problems.append(f"{where}: {problem}")
        if SAVE and name in SHOWN_PAGES and language in SHOWN_LANGUAGES:
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}.png"))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})", LANGUAGE_RULES
        )
        problems += [f"{where}: axe {v['id']}" for v in result["violations"]]
    context.close()
    assert aged >= 10, "too few pages showed an age"
    assert not problems, "\n".join(problems)
