"""A folder that folds, on the reading page and its settings: the story listed once with the
feeds that also carried it, and reading it there reads its copies (so the apps see them read),
on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items
from tests.web.test_reading import sign_in_reader, web_settings
from tidings.core import Aggregator
from tidings.types import EntryQuery, ParsedItem

__all__ = ["web_settings"]  # the fixture: every test here on both backends

STORY = "https://story.example/2026/12/04/harbour-reopens"


def story(feed: str, clock: Clock, link: str, n: int) -> ParsedItem:
    return ParsedItem(
        guid=f"{feed}-{n}",
        title=f"{feed} {n}",
        link=link,
        published=clock.now - timedelta(hours=n),
    )


def ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="entry[^"]*" id="entry-(\d+)"', html)]


def read_of(agg: Aggregator, user_id: int, feed_id: int) -> list[bool]:
    query = EntryQuery(status="all", feed_id=feed_id, order="received", direction="asc")
    return [e.read for e in agg.entries(user_id, query)]


@pytest.fixture
def folded(
    site: tuple[Aggregator, TestClient], clock: Clock
) -> tuple[Aggregator, TestClient, int, list[int], str]:
    """ada's folder "Port" holds two feeds that both carry the story (the first one to arrive
    from Wire); she is signed in."""
    agg, client = site
    wire = add_items(
        agg,
        clock.now,
        story("Wire", clock, f"{STORY}?utm_source=wire", 1),
        story("Wire", clock, "https://wire.example/2", 2),
        url="https://wire.example/feed",
        title="Wire",
    )
    clock.now += timedelta(minutes=5)
    gazette = add_items(
        agg,
        clock.now,
        story("Gazette", clock, STORY, 1),
        url="https://gazette.example/feed",
        title="Harbour Gazette",
    )
    ada = agg.add_user("ada", "correct horse battery", role="reader").id
    for url in ("https://wire.example/feed", "https://gazette.example/feed"):
        client.portal.call(partial(agg.subscribe, ada, url, folder="Port"))  # type: ignore[union-attr]
    token = sign_in_reader(client, agg, "ada")
    return agg, client, ada, [wire, gazette], token


def test_folding_is_chosen_on_the_settings_page_and_lists_a_story_once(
    folded: tuple[Aggregator, TestClient, int, list[int], str],
) -> None:
    agg, client, ada, (wire, gazette), token = folded
    page = client.get("/read/settings").text
    assert 'name="fold" value="Port">' in page  # not checked yet
    assert len(ids(client.get("/read/folders/Port").text)) == 3
    saved = client.post(
        "/read/folding", data={"csrf_token": token, "fold": "Port"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert agg.folding(ada) == {"Port"}
    assert 'name="fold" value="Port" checked>' in client.get("/read/settings").text

    html = client.get("/read/folders/Port").text
    wire_story = agg.entries(ada, EntryQuery(feed_id=wire, order="received", direction="asc"))[0]
    assert len(ids(html)) == 2 and wire_story.item.id in ids(html)
    assert "also in: Harbour Gazette" in html
    assert "also in" not in client.get("/read").text  # "All items" shows every copy

    client.post(
        f"/read/items/{wire_story.item.id}/read",
        data={"csrf_token": token, "next": "/read/folders/Port"},
        follow_redirects=False,
    )
    assert read_of(agg, ada, gazette) == [True]  # what the apps see of the copy
    assert read_of(agg, ada, wire) == [True, False]

    off = client.post("/read/folding", data={"csrf_token": token}, follow_redirects=False)
    assert off.status_code == 303 and agg.folding(ada) == set()


def test_bad_folding_forms_are_refused(
    folded: tuple[Aggregator, TestClient, int, list[int], str],
) -> None:
    agg, client, ada, _, token = folded
    unknown = client.post("/read/folding", data={"csrf_token": token, "fold": "Elsewhere"})
    assert unknown.status_code == 400
    assert "you have no folder named &#39;Elsewhere&#39;" in unknown.text
    forged = client.post("/read/folding", data={"fold": "Port"}, follow_redirects=False)
    assert forged.status_code == 403
    assert agg.folding(ada) == set()
