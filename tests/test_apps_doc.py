"""docs/apps.md keeps its promises: every app of its table has a section of its own, the
addresses it gives are the ones the settings page shows and the app serves, and the README and
docs/reading.md link to it."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route

from tidings.core import Aggregator
from tidings.web.app import create_app
from tidings.web.app_access import FEVER_ALIAS, FEVER_PATH, GREADER_PATH, app_addresses

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "apps.md").read_text(encoding="utf-8")


def part(heading: str) -> str:
    """The text under a ``## heading``, up to the next one."""
    return DOC.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def table_apps() -> list[str]:
    rows = [line for line in part("At a glance").splitlines() if line.startswith("| ")]
    return [row.strip("|").split("|")[0].strip() for row in rows[2:]]  # after the header


def sections() -> list[str]:
    return re.findall(r"^### (.+)$", part("The apps"), flags=re.MULTILINE)


def served(routes: list[BaseRoute], prefix: str = "") -> set[str]:
    """Every path the app routes, mounted ones included."""
    found: set[str] = set()
    for route in routes:
        if isinstance(route, Route):
            found.add(prefix + route.path)
        elif isinstance(route, Mount):
            found |= served(route.routes, prefix + route.path)
    return found


def test_every_app_of_the_table_has_its_section_in_order() -> None:
    apps = table_apps()
    assert len(apps) >= 9 and "NetNewsWire" in apps and "newsboat" in apps
    assert sections() == apps


def test_the_apps_the_brief_lines_name_are_there() -> None:
    glance = part("At a glance")
    for name in ("FocusReader", "ReadKit", "NewsFlash", "RSS Guard"):
        assert f"- **{name}**" in glance, name


def test_the_addresses_are_the_settings_pages_and_are_served(agg: Aggregator) -> None:
    base = "https://news.example.org"
    for address in app_addresses(base):
        assert f"`{address.url}`" in DOC, address.url
    assert f"`{base}{FEVER_ALIAS}`" in DOC
    paths = served(create_app(agg).routes)
    for path in (FEVER_PATH, FEVER_ALIAS, "/accounts/ClientLogin", "/v1/me"):
        assert path in paths, path
    assert f"{GREADER_PATH}/accounts/ClientLogin" in paths
    documented = re.findall(r"`(/[A-Za-z0-9./_-]+)`", part("The protocols"))
    assert len(documented) >= 8
    for path in documented:
        wanted = path.rstrip(".").removesuffix("...").rstrip("/") or "/"
        assert any(p == wanted or p.startswith(wanted + "/") for p in paths), path


def test_the_readme_and_the_reading_doc_link_here() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    reading = (ROOT / "docs" / "reading.md").read_text(encoding="utf-8")
    assert "(docs/apps.md)" in readme
    assert "(apps.md)" in reading
