"""docs/apps.md keeps its promises: every app of its table has a section of its own, the
addresses it gives are the ones the settings page shows and the app serves, its newsboat
settings sync as written (newsboat against ``tidings serve``), and the README and
docs/reading.md link to it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from starlette.routing import BaseRoute, Mount, Route

from tests.shared import in_ci
from tests.web.v1.served import API_PASSWORD, served
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


def routed(routes: list[BaseRoute], prefix: str = "") -> set[str]:
    """Every path the app routes, mounted ones included."""
    found: set[str] = set()
    for route in routes:
        if isinstance(route, Route):
            found.add(prefix + route.path)
        elif isinstance(route, Mount):
            found |= routed(route.routes, prefix + route.path)
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
    paths = routed(create_app(agg).routes)
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


def newsboat_configs() -> list[str]:
    """The newsboat settings the doc gives, as written."""
    section = part("The apps").split("### newsboat\n", 1)[1]
    return re.findall(r"```\n(urls-source .*?)```", section, flags=re.DOTALL)


@pytest.mark.slow
def test_the_newsboat_settings_sync_as_written(tmp_path: Path) -> None:
    if shutil.which("newsboat") is None:
        if in_ci():
            pytest.fail("newsboat is not installed (.ci/run installs it)")
        pytest.skip("newsboat is not installed (Debian's newsboat package)")
    configs = newsboat_configs()
    assert [c.split("\n", 1)[0] for c in configs] == [
        'urls-source "miniflux"',
        'urls-source "feedhq"',
    ]
    password_file = tmp_path / "tidings-api-password"
    password_file.write_text(API_PASSWORD + "\n")
    with served(tmp_path) as site:
        site.reader(
            "ada", {"/harbour.xml": ("Harbour", 4, None), "/ferry.xml": ("Ferry", 3, "Sea")}
        )
        for n, config in enumerate(configs):
            written = tmp_path / f"config-{n}"
            written.write_text(
                config.replace("https://news.example.org", site.base).replace(
                    "~/.newsboat/tidings-api-password", str(password_file)
                )
            )
            (tmp_path / "urls").touch()
            done = subprocess.run(
                ["newsboat", "-C", str(written), "-u", str(tmp_path / "urls"),
                 "-c", str(tmp_path / f"cache-{n}.db"), "-x", "reload", "print-unread"],
                env={"TERM": "dumb", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
                capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            assert done.returncode == 0, (config, done.stdout, done.stderr)
            assert done.stdout.strip().endswith("7 unread articles"), (config, done.stdout)
