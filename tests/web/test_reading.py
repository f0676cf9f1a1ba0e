"""The reading page in-process: lists, an item, marking, starring, "mark all" up to what was
shown, two people who never see each other's state, and the 4xx of bad requests."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.pg import fresh_schema
from tests.web.helpers import add_items, form_token
from tidings.config import Settings
from tidings.core import Aggregator
from tidings.types import ItemWrite, ParsedItem, ReadingSettings, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of

PASSWORD = "correct horse battery"
NATO = "https://nato.example/feed"
HARBOUR = "https://harbour.example/feed"


def item(n: int, clock: Clock, feed: str = "nato") -> ParsedItem:
    return ParsedItem(
        guid=f"{feed}-{n}",
        title=f"{feed.title()} story {n}",
        link=f"https://{feed}.example/{n}",
        summary_html=f"<p>Summary {n} of {feed}.</p>",
        content_html=f"<p>The whole of {feed} story {n}.</p>",
        published=clock.now - timedelta(hours=n, minutes=30 if feed == "harbour" else 0),
    )


def more_items(agg: Aggregator, clock: Clock, feed_id: int, *items: ParsedItem) -> None:
    writes = tuple(
        ItemWrite(identity_of(i), content_hash_of(i), i, clock.now, i.published or clock.now)
        for i in items
    )
    agg.store.apply(UpdatePlan(feed_id, clock.now, clock.now, new=writes))


def sign_in_reader(client: TestClient, agg: Aggregator, name: str) -> str:
    """A reader signed in on ``client``; the form token of their pages."""
    if agg.accounts.password_hash(name) is None:
        agg.add_user(name, PASSWORD, role="reader")
    client.cookies.clear()
    token = form_token(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={"csrf_token": token, "name": name, "password": PASSWORD, "next": "/read"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return form_token(client.get("/read").text)


@dataclass
class Reading:
    agg: Aggregator
    client: TestClient
    clock: Clock
    nato: int
    harbour: int
    ada: int
    bob: int
    token: str  # ada's, signed in on client

    def ids(self, html: str) -> list[int]:
        return [int(i) for i in re.findall(r'<li class="entry[^"]*" id="entry-(\d+)"', html)]

    def post(self, path: str, accept_json: bool = False, **data: str) -> object:
        headers = {"Accept": "application/json"} if accept_json else {}
        return self.client.post(
            path, data={"csrf_token": self.token, **data}, headers=headers, follow_redirects=False
        )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def web_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """Every test here runs on a SQLite file and on the real PostgreSQL."""
    if request.param == "sqlite":
        return settings
    url: str = request.getfixturevalue("pg_database")
    fresh_schema(url)
    return replace(settings, database_url=url)


@pytest.fixture
def reading(site: tuple[Aggregator, TestClient], clock: Clock) -> Reading:
    """Two feeds stored; ada follows both (NATO in her folder "World"), bob follows NATO."""
    agg, client = site
    nato = add_items(agg, clock.now, *(item(n, clock) for n in range(1, 4)), url=NATO)
    harbour = add_items(
        agg,
        clock.now,
        *(item(n, clock, "harbour") for n in range(1, 3)),
        url=HARBOUR,
        title="Harbour Gazette",
    )
    ada = agg.add_user("ada", PASSWORD, role="reader").id
    bob = agg.add_user("bob", PASSWORD, role="reader").id
    client.portal.call(partial(agg.subscribe, ada, NATO, folder="World"))  # type: ignore[union-attr]
    client.portal.call(partial(agg.subscribe, ada, HARBOUR))  # type: ignore[union-attr]
    client.portal.call(partial(agg.subscribe, bob, NATO))  # type: ignore[union-attr]
    token = sign_in_reader(client, agg, "ada")
    return Reading(agg, client, clock, nato, harbour, ada, bob, token)


def test_signed_out_visitors_go_to_sign_in_and_come_back(
    site: tuple[Aggregator, TestClient],
) -> None:
    _, client = site
    for path in ("/read", "/read/starred", "/read/feeds/1", "/read/items/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/signin?next={path}"
    folder = client.get("/read/folders/My news", follow_redirects=False)
    assert folder.headers["location"] == "/signin?next=/read/folders/My%20news"
    response = client.post("/read/mark-all", data={"up_to": "1"}, follow_redirects=False)
    assert response.status_code in (303, 403)


def test_the_list_shows_unread_items_newest_first_with_counts(reading: Reading) -> None:
    page = reading.client.get("/read")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    html = page.text
    tokens = re.findall(r'name="csrf_token" value="([^"]*)"', html)
    assert len(tokens) > 5 and set(tokens) == {reading.token}  # every form carries it
    titles = re.findall(r'class="link">([^<]+)</button></h2>', html)
    assert titles == [
        "Nato story 1",
        "Harbour story 1",
        "Nato story 2",
        "Harbour story 2",
        "Nato story 3",
    ]
    assert '<span data-count="all">5</span>' in html
    assert "<title>(5) All items · " in html
    assert f'<span data-count="feed:{reading.nato}">3</span>' in html
    assert '<span data-count="folder:World">3</span>' in html
    assert '<span data-count="starred">0</span>' in html
    # the sidebar: all, starred, the folder with its feed, then the feed in no folder
    side = html.split('id="feeds"', 1)[1]
    assert side.index("All items") < side.index("Starred") < side.index("World")
    assert side.index("World") < side.index("NATO News") < side.index("Harbour Gazette")


def test_a_feed_a_folder_and_received_order(reading: Reading) -> None:
    client = reading.client
    html = client.get(f"/read/feeds/{reading.harbour}").text
    assert "<h1" in html and "Harbour Gazette</h1>" in html
    assert len(reading.ids(html)) == 2
    html = client.get("/read/folders/World").text
    assert len(reading.ids(html)) == 3
    received = reading.ids(client.get("/read?order=received").text)
    assert received == sorted(received, reverse=True)
    assert client.get("/read/folders/Nowhere").status_code == 404


def test_opening_an_item_marks_it_read_and_shows_it(reading: Reading) -> None:
    first = reading.ids(reading.client.get("/read").text)[0]
    response = reading.post(f"/read/items/{first}/read", next=f"/read/items/{first}?from=%2Fread")
    assert response.status_code == 303  # type: ignore[attr-defined]
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert location == f"/read/items/{first}?from=%2Fread"
    page = reading.client.get(location)
    assert page.status_code == 200
    assert "The whole of nato story 1." in page.text
    assert 'data-read="yes"' in page.text
    assert "Next" in page.text  # the next unread item of the list
    html = reading.client.get("/read").text
    assert first not in reading.ids(html)
    assert '<span data-count="all">4</span>' in html
    assert first in reading.ids(reading.client.get("/read?status=all").text)


def test_mark_unread_star_and_unstar(reading: Reading) -> None:
    first = reading.ids(reading.client.get("/read").text)[0]
    reading.post(f"/read/items/{first}/read", next="/read")
    reading.post(f"/read/items/{first}/unread", next="/read")
    assert first in reading.ids(reading.client.get("/read").text)
    answer = reading.post(f"/read/items/{first}/star", accept_json=True, next="/read")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    counts = answer.json()  # type: ignore[attr-defined]
    assert counts["starred"] == 1 and counts["total"] == 5
    assert counts["feeds"][str(reading.nato)] == 3 and counts["folders"]["World"] == 3
    assert reading.ids(reading.client.get("/read/starred").text) == [first]
    reading.post(f"/read/items/{first}/unstar", next="/read")
    assert reading.ids(reading.client.get("/read/starred").text) == []


def test_mark_all_leaves_an_item_that_arrived_meanwhile_unread(reading: Reading) -> None:
    html = reading.client.get(f"/read/feeds/{reading.nato}").text
    up_to = re.search(r'name="up_to" value="(\d+)"', html)
    assert up_to and int(up_to.group(1)) == max(reading.ids(html))  # all on one page
    reading.clock.now += timedelta(minutes=5)
    more_items(reading.agg, reading.clock, reading.nato, item(0, reading.clock))
    answer = reading.post(
        "/read/mark-all",
        accept_json=True,
        up_to=up_to.group(1),
        feed=str(reading.nato),
        next=f"/read/feeds/{reading.nato}",
    )
    counts = answer.json()  # type: ignore[attr-defined]
    assert counts["feeds"][str(reading.nato)] == 1  # the new one
    assert counts["total"] == 1 + 2  # and the harbour's, another feed
    html = reading.client.get(f"/read/feeds/{reading.nato}").text
    assert re.findall(r'class="link">([^<]+)</button></h2>', html) == ["Nato story 0"]


def test_mark_all_of_everything_without_script(reading: Reading) -> None:
    html = reading.client.get("/read").text
    up_to = re.search(r'name="up_to" value="(\d+)"', html)
    assert up_to
    response = reading.post("/read/mark-all", up_to=up_to.group(1), next="/read")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/read"  # type: ignore[attr-defined]
    html = reading.client.get("/read").text
    assert reading.ids(html) == [] and "Nothing unread here." in html


def test_two_people_never_see_each_others_state(reading: Reading) -> None:
    ada_ids = reading.ids(reading.client.get("/read").text)
    harbour_item = reading.ids(reading.client.get(f"/read/feeds/{reading.harbour}").text)[0]
    nato_item = reading.ids(reading.client.get(f"/read/feeds/{reading.nato}").text)[0]
    reading.post(f"/read/items/{nato_item}/read", next="/read")
    reading.post(f"/read/items/{nato_item}/star", next="/read")

    bob = TestClient(reading.client.app)
    bob_token = sign_in_reader(bob, reading.agg, "bob")
    html = bob.get("/read").text
    assert len(reading.ids(html)) == 3 and nato_item in reading.ids(html)  # still unread for him
    assert "Harbour" not in html and "World" not in html  # nor her feeds and folders
    assert '<span data-count="starred">0</span>' in html
    assert bob.get(f"/read/items/{harbour_item}").status_code == 404
    assert bob.get(f"/read/feeds/{reading.harbour}").status_code == 404
    assert bob.get("/read/folders/World").status_code == 404
    changed = bob.post(
        f"/read/items/{harbour_item}/star",
        data={"csrf_token": bob_token, "next": "/read"},
        follow_redirects=False,
    )
    assert changed.status_code == 404
    sneaky = bob.post(
        "/read/mark-all",
        data={"csrf_token": bob_token, "up_to": str(max(ada_ids)), "feed": str(reading.harbour)},
        follow_redirects=False,
    )
    assert sneaky.status_code == 404
    # her harbour items are as she left them
    assert len(reading.ids(reading.client.get(f"/read/feeds/{reading.harbour}").text)) == 2


def test_a_form_without_the_token_changes_nothing(reading: Reading) -> None:
    first = reading.ids(reading.client.get("/read").text)[0]
    response = reading.client.post(
        f"/read/items/{first}/read", data={"next": "/read"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert first in reading.ids(reading.client.get("/read").text)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/read?status=nope", "status must be one of"),
        ("/read?order=sideways", "order must be one of"),
        ("/read?after=garbage", "cursor of a More link"),
        ("/read?order=received&after=x,1", "cursor of a More link"),
        ("/read/items/999999", "no item 999999"),
    ],
)
def test_bad_requests_are_4xx_with_a_message(reading: Reading, path: str, message: str) -> None:
    response = reading.client.get(path)
    assert 400 <= response.status_code < 500
    assert message.lower() in response.text.lower()


def test_bad_forms_are_400(reading: Reading) -> None:
    assert reading.post("/read/mark-all", next="/read").status_code == 400  # type: ignore[attr-defined]
    assert reading.post("/read/mark-all", up_to="x").status_code == 400  # type: ignore[attr-defined]
    bad_feed = reading.post("/read/mark-all", up_to="5", feed="-1")
    assert bad_feed.status_code == 400  # type: ignore[attr-defined]


def test_a_change_goes_back_only_to_the_reading_pages(reading: Reading) -> None:
    first = reading.ids(reading.client.get("/read").text)[0]
    for target in ("https://evil.example/", "//evil.example/read", "/admin"):
        response = reading.post(f"/read/items/{first}/star", next=target)
        assert response.headers["location"] == "/read"  # type: ignore[attr-defined]


def test_more_pages_follow_a_keyset_cursor(reading: Reading) -> None:
    more_items(
        reading.agg, reading.clock, reading.nato, *(item(n, reading.clock) for n in range(4, 64))
    )
    first = reading.client.get(f"/read/feeds/{reading.nato}").text
    more = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert more and len(reading.ids(first)) == 50
    second = reading.client.get(more.group(1).replace("&amp;", "&")).text
    assert len(reading.ids(second)) == 13
    assert not set(reading.ids(first)) & set(reading.ids(second))
    assert '<a rel="next"' not in second


def test_the_list_carries_the_mark_on_scroll_setting(reading: Reading) -> None:
    assert 'data-scroll-read="off"' in reading.client.get("/read").text
    reading.agg.save_reading_settings(reading.ada, ReadingSettings(None, True))
    assert 'data-scroll-read="on"' in reading.client.get("/read").text
    bob = TestClient(reading.client.app)
    sign_in_reader(bob, reading.agg, "bob")
    assert 'data-scroll-read="off"' in bob.get("/read").text  # hers, not his


def test_the_item_page_leads_back_to_its_list(reading: Reading) -> None:
    view = f"/read/feeds/{reading.nato}?order=received"
    ids = reading.ids(reading.client.get(view).text)
    page = reading.client.get(f"/read/items/{ids[1]}", params={"from": view}).text
    assert f'<a class="back" href="{view}">' in page
    newer = re.search(r'action="/read/items/(\d+)/read" class="open" data-rel="prev"', page)
    older = re.search(r'action="/read/items/(\d+)/read" class="open" data-rel="next"', page)
    assert newer and older and [int(newer.group(1)), int(older.group(1))] == [ids[0], ids[2]]


def test_mark_all_covers_the_later_pages_of_a_list_in_date_order(reading: Reading) -> None:
    """In date order the newest ids need not be on the first page: an item stored last with an
    old date is on page two, and "mark all" on page one marks it too."""
    old = ParsedItem(
        guid="old", title="An old story", published=reading.clock.now - timedelta(days=3)
    )
    more_items(
        reading.agg, reading.clock, reading.nato, *(item(n, reading.clock) for n in range(4, 60))
    )
    more_items(reading.agg, reading.clock, reading.nato, old)
    html = reading.client.get(f"/read/feeds/{reading.nato}").text
    up_to = re.search(r'name="up_to" value="(\d+)"', html)
    assert up_to and int(up_to.group(1)) > max(reading.ids(html))
    reading.post("/read/mark-all", up_to=up_to.group(1), feed=str(reading.nato), next="/read")
    assert reading.ids(reading.client.get(f"/read/feeds/{reading.nato}").text) == []


def test_in_the_order_received_mark_all_goes_up_to_the_first_item(reading: Reading) -> None:
    html = reading.client.get("/read?order=received").text
    up_to = re.search(r'name="up_to" value="(\d+)"', html)
    assert up_to and int(up_to.group(1)) == reading.ids(html)[0] == max(reading.ids(html))
