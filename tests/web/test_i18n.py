"""Every page string passes through the one translation hook (timefmt.use_translations)."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items
from tidings import timefmt
from tidings.core import Aggregator
from tidings.types import ParsedItem


def shout(message: str) -> str:
    """Upper-case the text but not the %(name)s placeholders."""
    parts = re.split(r"(%\([a-z_]+\)[sd])", message)
    return "".join(p if p.startswith("%(") else p.upper() for p in parts)


class Shouting(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return shout(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return shout(singular if n == 1 else plural)


@pytest.fixture
def shouting() -> Iterator[None]:
    timefmt.use_translations(Shouting())
    yield
    timefmt.use_translations(None)


def test_pages_and_ages_are_translated(
    site: tuple[Aggregator, TestClient], clock: Clock, shouting: None
) -> None:
    agg, client = site
    fid = add_items(
        agg,
        clock.now,
        ParsedItem(guid="a", title="Story", published=clock.now - timedelta(days=18)),
    )
    home = client.get("/").text
    assert "WHAT'S NEW" in home and "SOURCES" in home and "2 WEEKS 4 DAYS AGO" in home
    source = client.get(f"/sources/{fid}").text
    assert "SUBSCRIBE TO NATO News FEED" in source and "UPDATED:" in source
    assert "SIGN IN" in client.get("/signin").text
    assert "NOT FOUND" in client.get("/nowhere").text
