"""What one page must show in a language other than English (tests/web/test_design.py checks
every page in every language with it): its ``<html lang dir>``, no text left in English, its
first age and date worded in the language, and axe's language rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tidings import agelocale, i18n

SITE_ZONE = ZoneInfo("UTC")  # the design site's (the default)
LANGUAGE_RULES = ["html-has-lang", "html-lang-valid", "valid-lang", "html-xml-lang-mismatch"]
# the languages whose every page axe checks; the others' language attributes are the same
# code with another value, so axe checks the pages that carry the most of them
AXE_EVERYWHERE = frozenset({"ar", "zh_Hans", "pt_BR"})
AXE_PAGES = frozenset({"whats-new", "read-settings", "admin-settings", "embed", "not-found"})
# one call: the page's lang and dir, every text (labels, visible attributes), its first age
PAGE = """() => {
  const texts = [...document.querySelectorAll("input[type=submit]")].map(b => b.value);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) texts.push(walker.currentNode.textContent);
  for (const el of document.querySelectorAll("[title], [placeholder], [aria-label], [alt]"))
    for (const name of ["title", "placeholder", "aria-label", "alt"])
      if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
  const t = document.querySelector("main time[datetime]");
  const html = document.documentElement;
  return {
    lang: html.getAttribute("lang"),
    dir: html.getAttribute("dir"),
    texts: texts.map(t => t.trim()).filter(Boolean),
    age: t && [t.getAttribute("datetime"), t.textContent, t.title, t.dataset.age || ""],
  };
}"""
AXE_RUN = "rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})"


def untranslated(language: str, texts: list[str]) -> list[str]:
    """The texts that are English messages the catalog translates: left in English."""
    with i18n.speaking(language):
        return [text for text in texts if i18n.gettext(text) != text]


def age_problem(language: str, found: list[str], before: datetime, after: datetime) -> str | None:
    """What is wrong with an age (text, title) shown between ``before`` and ``after``."""
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


def page_problems(
    language: str, shown: dict[str, Any], before: datetime, after: datetime
) -> list[str]:
    """Everything wrong with one page's ``PAGE`` summary in ``language``."""
    problems = []
    expected = (i18n.html_lang(language), i18n.direction(language))
    if (shown["lang"], shown["dir"]) != expected:
        problems.append(f"lang={shown['lang']} dir={shown['dir']}, expected {expected}")
    problems += [f"left in English: {text!r}" for text in untranslated(language, shown["texts"])]
    if shown["age"]:
        problem = age_problem(language, shown["age"], before, after)
        if problem:
            problems.append(problem)
    return problems


def axe_here(language: str, name: str) -> bool:
    return language in AXE_EVERYWHERE or name in AXE_PAGES
