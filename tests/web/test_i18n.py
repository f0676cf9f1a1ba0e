"""The pages in every language, through the real catalogs: headings, links, the source block
("Subscribe to NATO News feed"), the ages, the error pages and the /v1 API's messages."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items
from tidings import agelocale, i18n
from tidings.core import Aggregator
from tidings.types import ParsedItem


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_pages_speak_every_language(
    site: tuple[Aggregator, TestClient], clock: Clock, language: str
) -> None:
    agg, client = site
    published = clock.now - timedelta(days=18)
    fid = add_items(agg, clock.now, ParsedItem(guid="a", title="Story", published=published))
    with i18n.speaking(language):
        words = {
            "/": [i18n.gettext("What's new"), i18n.gettext("Sources")],
            f"/sources/{fid}": [
                i18n.gettext("Subscribe to %(title)s feed") % {"title": "NATO News"},
                i18n.gettext("Updated:"),
            ],
            "/signin": [i18n.gettext("Sign in")],
            "/nowhere": [i18n.gettext("Not Found")],
        }
    age = agelocale.age(language, published, clock.now)
    for path, expected in words.items():
        page = client.get(path, params={"lang": language})
        text = html.unescape(page.text)
        assert f'<html lang="{i18n.html_lang(language)}"' in text
        for word in expected:
            assert word in text, (path, word)
        if path == "/":
            assert age in text


def test_the_api_answers_in_the_language_asked(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    english = client.get("/v1/me").json()["error_message"]
    german = client.get("/v1/me", headers={"Accept-Language": "de"}).json()["error_message"]
    with i18n.speaking("de"):
        assert german == i18n.gettext(english) != english
