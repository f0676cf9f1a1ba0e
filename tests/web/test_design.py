"""Every page in headless Chromium, in light and dark, on a desktop and on a phone.

One ``tidings serve`` process and one browser serve every check: axe-core finds no serious or
critical problem on any page, nothing scrolls sideways on a phone, the danger button can be read,
every page reads right in every language, and with ``SAVE_SCREENSHOTS=1`` the pictures in
``docs/screenshots/`` are made here.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from tests.feedserver import FeedServer, Route
from tests.web import language_checks
from tests.web.language_checks import page_problems
from tests.web.test_browser import CHROMIUM, FLAGS, SCREENSHOTS, missing, site
from tidings import i18n

ROOT = Path(__file__).resolve().parents[2]
# .ci/run installs axe-core here (npm install --prefix .cache/axe axe-core@4)
AXE = Path(
    os.environ.get("TIDINGS_AXE_JS")
    or ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
)
PASSWORD = "correct horse battery"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCHEMES = ("light", "dark")

try:
    from playwright.sync_api import Browser, BrowserContext, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extras bring it
    sync_playwright = None  # type: ignore[assignment]

axe_missing = missing or (None if AXE.is_file() else f"axe-core is not installed at {AXE}")
if axe_missing and os.environ.get("CI") == "true":
    raise RuntimeError(f"the design checks must run under CI, but {axe_missing}")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(missing is not None, reason=missing or ""),
]
needs_axe = pytest.mark.skipif(axe_missing is not None, reason=axe_missing or "")


def rss(title: str, description: str, items: list[tuple[str, float, str]]) -> bytes:
    """An RSS feed of ``items``: (title, age in seconds, summary)."""
    now = time.time()
    entries = "".join(
        f"<item><title>{t}</title><link>https://news.example/{n}</link><guid>{title}-{n}</guid>"
        f"<pubDate>{formatdate(now - age, usegmt=True)}</pubDate>"
        f"<description>&lt;p&gt;{summary}&lt;/p&gt;</description></item>"
        for n, (t, age, summary) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://news.example/</link><description>{description}</description>"
        f"{entries}</channel></rss>"
    ).encode()


LONG = (
    "The allies agreed on a plan for the harbour, its ferries and the road along the coast; "
    "the work starts in spring and runs for three years, with a report to the council each "
    "autumn on what was built, what it cost and what is left to do."
)
FEEDS = {
    "/nato.xml": rss(
        "NATO News",
        "News from NATO headquarters",
        [
            ("Allies agree on a new plan for the harbour", 17 * 86400 + 7200, LONG),
            ("Exercise in the north", 3600 + 8 * 60 + 30, "A winter exercise with harbour drills."),
        ],
    ),
    "/harbour.xml": rss(
        "Harbour Gazette",
        "The port's own news: ferries, tides and the market",
        [
            ("Ferry timetable for the winter", 2 * 3600, LONG),
            ("Fish market moves to the north quay", 3 * 86400, "Stalls open at six."),
            ("Tide tables for December", 9 * 86400, "High water is at noon on the first."),
        ],
    ),
    "/flaky.xml": rss("Weather Desk", "Forecasts", [("Rain later", 600, "Bring a coat.")]),
    "/gone.xml": rss("Old Blog", "A blog that moved away", [("Goodbye", 40 * 86400, "Bye.")]),
}


@dataclass(frozen=True)
class Site:
    base: str
    feed_id: int  # the source shown on /sources/{id} and /admin/feeds/{id}
    failing_id: int  # a feed whose last fetch failed (its history has a red mark)


@pytest.fixture(scope="module")
def design_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Four feeds from a loopback server (one failing, one gone), an admin, one server process."""
    feeds = FeedServer().start()
    feeds.routes.update({path: Route(body) for path, body in FEEDS.items()})
    env = {
        **os.environ,
        "TIDINGS_DATA_DIR": str(tmp_path_factory.mktemp("design") / "data"),
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_SAMPLES": "false",
        "TIDINGS_OPEN_SIGNUP": "true",  # for the sign-up page
    }

    def cli(*args: str, stdin: str | None = None) -> None:
        subprocess.run(
            [sys.executable, "-m", "tidings.cli", *args],
            input=stdin,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )

    cli("user", "add", "ada", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    cli("add", feeds.url("/nato.xml"), "-c", "World", "-c", "Defence")
    cli("add", feeds.url("/harbour.xml"), "-c", "World", "-c", "Local")
    cli("add", feeds.url("/flaky.xml"), "-c", "Local")
    cli("add", feeds.url("/gone.xml"))
    feeds.routes["/flaky.xml"] = Route(b"down", status=500)
    feeds.routes["/gone.xml"] = Route(b"gone", status=410)
    # a site rule labels the items about the harbour (the reading page shows the label)
    cli("rules", "add", "Harbour", "harbour", "--action", "label", "--label", "harbour")
    cli("update", "--all")
    # ada reads two of them too (the reading pages): items seen today start unread
    cli("--user", "ada", "subscribe", feeds.url("/nato.xml"), "--folder", "World")
    cli("--user", "ada", "subscribe", feeds.url("/harbour.xml"))
    # and syncs an app: the settings' Apps part shows its password's state and a key
    cli("user", "api-password", "ada", "--password-stdin", stdin="apps only " + PASSWORD + "\n")
    cli("user", "api-key", "ada", "--description", "Unread on my phone")
    try:
        with site(env) as base:
            yield Site(base, 1, 3)  # ids in the order the feeds were added
    finally:
        feeds.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def signed_in(design_site: Site, browser: Browser) -> dict[str, Any]:
    """The cookies of a signed-in admin, for every context that shows the admin pages."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(design_site.base + "/signin")
    page.get_by_label("User name").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(design_site.base + "/admin")
    state: dict[str, Any] = dict(context.storage_state())
    context.close()
    return state


def pages(site: Site, base_context: BrowserContext) -> dict[str, str]:
    """Every page worth a look, by the name of its screenshot."""
    public = {
        "whats-new": "/",
        "sources": "/sources",
        "source-page": f"/sources/{site.feed_id}",
        "categories": "/categories",
        "category": "/categories/world",
        "search": "/search?q=harbour",
        "embed": "/embed/latest",
        "signin": "/signin",
        "signup": "/signup",
        "not-found": "/nowhere",
    }
    admin = {
        "admin": "/admin",
        "admin-feed": f"/admin/feeds/{site.failing_id}",
        "admin-health": "/admin/health",
        "admin-settings": "/admin/settings",
        "admin-rules": "/admin/rules",
    }
    # ada's own reading (item 1 is the first of NATO News, which she follows)
    admin |= {
        "read": "/read",
        "read-all": "/read?status=all",
        "read-feed": f"/read/feeds/{site.feed_id}",
        "read-starred": "/read/starred",
        "read-label": "/read?label=harbour&status=all",
        "read-item": "/read/items/1",
        "read-settings": "/read/settings",
        "read-unsubscribe": f"/read/subscriptions/{site.feed_id}/unsubscribe",
        "admin-users": "/admin/users",
    }
    # the password page, where this version has one
    probe = base_context.request.get(site.base + "/admin/password", max_redirects=0)
    if probe.ok:
        admin["admin-password"] = "/admin/password"
    return {**public, **admin}


def contrast(fg: str, bg: str) -> float:
    """The WCAG contrast ratio of two computed colours ("rgb(r, g, b)")."""

    def luminance(css: str) -> float:
        r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css)[:3])
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_delete_button_can_be_read(
    design_site: Site, browser: Browser, signed_in: dict[str, Any], scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme, storage_state=signed_in)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{design_site.base}/admin/feeds/{design_site.feed_id}")
    button = page.get_by_role("button", name="Delete feed")
    fg, bg = button.evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    context.close()
    assert contrast(fg, bg) >= 4.5, f"Delete feed: {fg} on {bg} is {contrast(fg, bg):.2f}:1"


def test_admin_ages_stay_short_when_the_script_refreshes_them(
    design_site: Site, browser: Browser, signed_in: dict[str, Any]
) -> None:
    """The admin's tables say "3 min ago"; the ages script keeps that form, not the long one."""
    context = browser.new_context(storage_state=signed_in)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(design_site.base + "/admin")
    short = page.locator('table time[data-age="short"]')
    expect(short.first).to_have_text(re.compile(r"^(\d+ (sec|min|hours?) ago|just now)$"))
    wording = short.first.text_content()
    page.evaluate(
        "document.querySelector('time[data-age=short]').textContent = 'stale';"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    expect(short.first).not_to_have_text("stale")
    expect(short.first).to_have_text(re.compile(r"^(\d+ (sec|min|hours?) ago|just now)$"))
    assert "minutes" not in (short.first.text_content() or ""), wording
    context.close()


FOCUS_RING = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return [el.tagName + " " + (el.textContent || el.name || "").trim().slice(0, 30),
          style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor,
          getComputedStyle(document.documentElement).backgroundColor];
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_keyboard_focus_is_visible(
    design_site: Site, browser: Browser, signed_in: dict[str, Any], scheme: str
) -> None:
    """Every stop of the Tab key on the admin's feed page wears a ring of 3:1 against the page."""
    context = browser.new_context(color_scheme=scheme, storage_state=signed_in)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{design_site.base}/admin/feeds/{design_site.feed_id}")
    faint = []
    for _ in range(16):  # the skip link, the menus, the form, its buttons
        page.keyboard.press("Tab")
        what, style, width, colour, background = page.evaluate(FOCUS_RING)
        if style == "none" or width < 2 or contrast(colour, background) < 3:
            faint.append(f"{what}: {style} {width}px {colour} on {background}")
    context.close()
    assert not faint, "focus hard to see:\n" + "\n".join(faint)


# the characters on each line of the item summaries on a page
LINE_LENGTHS = """() => {
  const lines = new Map();
  for (const summary of document.querySelectorAll(".summary")) {
    const walker = document.createTreeWalker(summary, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getBoundingClientRect();
        if (!box.width) continue;  // the space where a line breaks
        const line = Math.round(box.top + window.scrollY);
        lines.set(line, (lines.get(line) || 0) + 1);
      }
    }
  }
  return [...lines.values()];
}"""


def test_reading_lines_keep_a_measure(design_site: Site, browser: Browser) -> None:
    """On a desktop the summaries run 60 to 75 characters a line, not the width of the screen."""
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    lengths = []
    for path in ("/", f"/sources/{design_site.feed_id}", "/categories/world"):
        page.goto(design_site.base + path)
        lengths += page.evaluate(LINE_LENGTHS)
    context.close()
    assert lengths and 60 <= max(lengths) <= 75, f"characters per line: {sorted(lengths)}"


OFF_SCREEN = """() => [...document.querySelectorAll("main a, main button, main input")]
  .filter(e => e.getBoundingClientRect().width && e.getBoundingClientRect().right > innerWidth)
  .map(e => e.outerHTML.slice(0, 80))"""

HEADINGS = "[...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1])"


def serious(violations: list[dict[str, Any]]) -> list[str]:
    """axe's serious and critical findings, one readable line per element."""
    lines = []
    for v in violations:
        if v.get("impact") not in ("serious", "critical"):
            continue
        for node in v["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"{v['id']} ({v['impact']}): {' '.join(node['target'])}: {summary}")
    return lines


@needs_axe
@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_serious_problem(
    design_site: Site, browser: Browser, signed_in: dict[str, Any], scheme: str
) -> None:
    # the site's CSP allows only its own scripts; axe is injected, so this context bypasses it
    context = browser.new_context(
        color_scheme=scheme,  # type: ignore[arg-type]
        storage_state=signed_in,  # type: ignore[arg-type]
        bypass_csp=True,
        viewport=DESKTOP,  # type: ignore[arg-type]
    )
    page = context.new_page()
    problems: list[str] = []
    for name, path in pages(design_site, context).items():
        page.goto(design_site.base + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        problems += [f"{name} {path} [{scheme}]: {line}" for line in serious(result["violations"])]
    context.close()
    assert not problems, "axe found serious problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_page_fits_the_screen(
    design_site: Site, browser: Browser, signed_in: dict[str, Any], scheme: str, width: str
) -> None:
    viewport = DESKTOP if width == "desktop" else PHONE
    context = browser.new_context(
        color_scheme=scheme,  # type: ignore[arg-type]
        storage_state=signed_in,  # type: ignore[arg-type]
        viewport=viewport,  # type: ignore[arg-type]
    )
    page = context.new_page()
    save = bool(os.environ.get("SAVE_SCREENSHOTS"))
    too_wide, jumps = [], []
    for name, path in pages(design_site, context).items():
        page.goto(design_site.base + path)
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        if scroll_width > viewport["width"]:
            too_wide.append(f"{name} {path}: {scroll_width} px")
        # nor does a control hide in a box that scrolls on its own (a table's actions)
        too_wide += [f"{name} {path}: {control}" for control in page.evaluate(OFF_SCREEN)]
        levels = page.evaluate(HEADINGS)
        # h1 first (the embed, a block for other pages, starts at h2), then one level at a time
        top = 2 if name == "embed" else 1
        if not levels or levels[0] != top or any(b > a + 1 for a, b in itertools.pairwise(levels)):
            jumps.append(f"{name} {path}: h{' h'.join(map(str, levels))}")
        if save:
            height = page.evaluate("document.scrollingElement.scrollHeight")
            clip = {"x": 0, "y": 0, "width": viewport["width"], "height": min(height, 1600)}
            shot = SCREENSHOTS / f"{name}-{width}-{scheme}.png"
            page.screenshot(path=str(shot), full_page=True, clip=clip)  # type: ignore[arg-type]
    context.close()
    assert not too_wide, f"scrolls sideways ({width}, {scheme}):\n" + "\n".join(too_wide)
    assert not jumps, "headings skip a level:\n" + "\n".join(jumps)


# --- every page in every language (tests/web/language_checks.py) -----------------------------

SAVE = bool(os.environ.get("SAVE_SCREENSHOTS"))
SHOWN_PAGES = ("whats-new", "read", "admin-settings")  # saved in these languages too
SHOWN_LANGUAGES = ("de", "ru", "ar", "ja")


@needs_axe
@pytest.mark.parametrize("language", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_page_in_every_language(
    design_site: Site, browser: Browser, signed_in: dict[str, Any], language: str
) -> None:
    """Switched by the footer's link: lang and dir, no English left, ages and dates, axe."""
    context = browser.new_context(
        storage_state=signed_in,  # type: ignore[arg-type]
        bypass_csp=True,
        viewport=DESKTOP,  # type: ignore[arg-type]
    )
    axe = AXE.read_bytes()  # served from one address, so that Chromium compiles it once
    context.route(
        "**/__axe.js", lambda route: route.fulfill(body=axe, content_type="text/javascript")
    )
    page = context.new_page()
    tag = i18n.html_lang(language)
    page.goto(design_site.base + "/sources")
    page.locator(f'footer nav a[hreflang="{tag}"]').click()  # the switch, kept by a cookie
    page.wait_for_function(f"document.documentElement.lang === {tag!r}")
    problems: list[str] = []
    aged = 0
    for name, path in pages(design_site, context).items():
        before = datetime.now(UTC)
        page.goto(design_site.base + path)
        shown = page.evaluate(language_checks.PAGE)
        aged += bool(shown["age"])
        problems += [
            f"{name} {path}: {p}" for p in page_problems(language, shown, before, datetime.now(UTC))
        ]
        if (
            os.environ.get("SAVE_SCREENSHOTS")
            and name in SHOWN_PAGES
            and language in SHOWN_LANGUAGES
        ):
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}.png"))
        if language_checks.axe_here(language, name):
            page.add_script_tag(url=design_site.base + "/__axe.js")
            result = page.evaluate(language_checks.AXE_RUN, language_checks.LANGUAGE_RULES)
            problems += [f"{name} {path}: axe {v['id']}" for v in result["violations"]]
    context.close()
    assert aged >= 10, "too few pages showed an age"
    assert not problems, "\n".join(problems)
