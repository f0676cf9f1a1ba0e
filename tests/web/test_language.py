"""The language a page is answered in: ?lang=, its cookie, the person's own, the browser's, the
site's; and the page's lang, dir, ages and footer links in it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items, sign_in, sign_in_reader
from tidings import agelocale
from tidings.core import Aggregator
from tidings.types import ParsedItem
from tidings.web.language import LANGUAGE_COOKIE, choose


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        ("de", "fr", "ru", ("de", "query")),
        ("xx", "fr", "ru", ("fr", "cookie")),
        (None, "pt-BR", None, ("pt_BR", "cookie")),
        (None, None, "nl-BE,nl;q=0.9,en;q=0.8", ("nl", "browser")),
        (None, None, "en;q=0.2, uk;q=0.9, *", ("uk", "browser")),
        (None, None, "zh-CN", ("zh_Hans", "browser")),
        (None, None, "tlh, sw;q=0.5", ("it", "site")),
        (None, None, "ru;q=0", ("it", "site")),
        ("../../etc", "<b>", "x" * 5000, ("it", "site")),
    ],
)
def test_choose(
    query: str | None, cookie: str | None, accept: str | None, expected: tuple[str, str]
) -> None:
    assert choose(query=query, cookie=cookie, accept=accept, site="it") == expected


def _lang(html: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', html)
    assert match, html[:200]
    return match.group(1), match.group(2)


def _story(agg: Aggregator, clock: Clock) -> int:
    item = ParsedItem(guid="a", title="Story", published=clock.now - timedelta(days=18))
    return add_items(agg, clock.now, item)


def test_the_browser_chooses_and_the_ages_follow(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    _story(agg, clock)
    then = clock.now - timedelta(days=18)
    for accept, lang, words in [
        ("de-DE,de;q=0.9", "de", agelocale.age("de", then, clock.now)),
        ("ru", "ru", "2 недели и 4 дня назад"),
        ("ar", "ar", agelocale.age("ar", then, clock.now)),
        ("", "en", "2 weeks 4 days ago"),
    ]:
        response = client.get("/", headers={"Accept-Language": accept})
        assert _lang(response.text) == (lang, "rtl" if lang == "ar" else "ltr")
        assert words in response.text
        assert "Accept-Language" in response.headers["vary"]
        # a feed's own text takes its own direction inside a right-to-left page
        assert '<h2 class="item-title" dir="auto">' in response.text
        title = agelocale.date(lang, then, agg.site().timezone)
        assert f'title="{title}"' in response.text.replace("&#39;", "'")


def test_a_footer_link_sticks_with_a_cookie(site: tuple[Aggregator, TestClient]) -> None:
    _, client = site
    page = client.get("/sources")
    assert 'href="/sources?lang=ja"' in page.text and 'lang="ja"' in page.text
    chosen = client.get("/sources?lang=ar")
    assert _lang(chosen.text) == ("ar", "rtl")
    assert f"{LANGUAGE_COOKIE}=ar" in chosen.headers["set-cookie"]
    assert _lang(client.get("/categories", headers={"Accept-Language": "de"}).text)[0] == "ar"
    client.cookies.clear()
    assert _lang(client.get("/categories?lang=nope").text)[0] == "en"
    assert "set-cookie" not in client.get("/categories?lang=nope").headers
    broken = client.get("/categories", headers={"Cookie": 'tidings_lang="de; ==; \x7f'})
    assert broken.status_code == 200 and _lang(broken.text)[0] == "en"


def test_the_page_cache_keeps_a_copy_per_language(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    _story(agg, clock)
    for _ in range(2):  # the second round comes from the cache
        for accept, lang in [("fr", "fr"), ("pl", "pl"), ("", "en")]:
            assert _lang(client.get("/", headers={"Accept-Language": accept}).text)[0] == lang


def test_the_site_default_and_the_person_s_own(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    agg, client = site
    token = sign_in(client, agg)
    settings = client.get("/admin/settings").text
    assert '<option value="cs" lang="cs"' in settings
    form = {"csrf_token": token, "site_title": "T", "items_per_page": "20", "timezone": "UTC"}
    bad = client.post("/admin/settings", data={**form, "language": "xx"})
    assert bad.status_code == 400 and "xx" in bad.text
    client.post("/admin/settings", data={**form, "language": "es"})
    client.cookies.clear()
    assert _lang(client.get("/").text)[0] == "es"  # a visitor who asks for nothing
    assert _lang(client.get("/", headers={"Accept-Language": "uk"}).text)[0] == "uk"

    reader_token = sign_in_reader(client, agg)
    assert _lang(client.get("/read/settings").text)[0] == "es"
    saved = client.post(
        "/read/settings",
        data={"csrf_token": reader_token, "keep": "forever", "language": "zh-Hans"},
    )
    assert saved.status_code == 200
    page = client.get("/read/settings", headers={"Accept-Language": "de"}).text
    assert _lang(page)[0] == "zh-Hans"  # their own beats their browser's
    assert 'value="zh_Hans" lang="zh-Hans" selected' in page
    assert _lang(client.get("/read?lang=it").text)[0] == "it"  # a footer link beats both


def test_ages_json_speaks_the_language_asked(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> None:
    _, client = site
    then = (clock.now - timedelta(days=18)).isoformat()
    for lang in ("de", "ja", "ar", "en"):
        ages = client.get("/ages.json", params={"t": then, "lang": lang}).json()
        assert ages == {then: agelocale.age(lang, clock.now - timedelta(days=18), clock.now)}
    short = client.get("/ages.json", params={"t": then, "lang": "ru", "form": "short"}).json()
    assert short == {then: "2 нед. назад"}
