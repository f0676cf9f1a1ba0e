"""The README's table of routes and the app's routes are the same list."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.routing import Mount, Route

from tidings.core import Aggregator
from tidings.web.app import create_app

README = Path(__file__).resolve().parents[2] / "README.md"


def documented() -> set[tuple[str, str]]:
    text = README.read_text(encoding="utf-8").split("Every route, at a glance", 1)[1]
    table = text.split("\n\n", 2)[1]
    pairs: set[tuple[str, str]] = set()
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        for method in cells[0].split(", "):
            for path in re.findall(r"`([^`]+)`", cells[1]):
                pairs.add((method, path))
    return pairs


def served(agg: Aggregator) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for route in create_app(agg).routes:
        if isinstance(route, Mount):
            pairs.add(("GET", route.path + "/..."))
        elif isinstance(route, Route):
            path = re.sub(r"\{(\w+?)(?:_id)?(?::\w+)?\}", r"{\1}", route.path)
            path = path.replace("{feed}", "{id}")
            for method in route.methods or ():
                if method != "HEAD":
                    pairs.add((method, path))
    return pairs


def test_every_route_is_in_the_readme_and_no_other(agg: Aggregator) -> None:
    assert served(agg) == documented()
