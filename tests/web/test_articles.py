"""Full articles on the web: the admin's switch and its counts, a person's switch for the feeds
only people follow, the article (or why there is none) on the reading page and the site's source
page, and the article as the entry's content in the three sync APIs."""

from __future__ import annotations

import base64
import hashlib

import httpx
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items, form_token, sign_in, sign_in_reader
from tidings.arrival import ArticleOutcome
from tidings.core import Aggregator
from tidings.types import ParsedItem, User

Site = tuple[Aggregator, TestClient]
ARTICLE = "<p>The whole article, from the item's page.</p>"
API_PASSWORD = "the apps' own password"


def post(client: TestClient, path: str, **data: str) -> httpx.Response:
    response: httpx.Response = client.post(path, data=data, follow_redirects=False)
    return response


def _feed_with_articles(agg: Aggregator, clock: Clock, *, on_site: bool = True) -> int:
    """A feed of two items, one whose article was fetched and one whose page failed."""
    items = (
        ParsedItem(guid="done", title="Ferry", link="https://e.org/ferry", summary_html="Short."),
        ParsedItem(guid="gone", title="Quay", link="https://e.org/quay", summary_html="Teaser."),
    )
    fid = add_items(agg, clock.now, *items)
    if not on_site:
        agg.store.set_on_site(fid, False)
    agg.store.set_full_articles(fid, True)
    agg.store.queue_articles(fid, 2)
    done, gone = sorted(
        agg.store.claim_articles(
            now=clock.now, limit=5, lease=clock.now - clock.now, max_attempts=3
        ),
        key=lambda j: j.link or "",
    )
    agg.store.finish_article(
        ArticleOutcome(done.item_id, done.attempt, html=ARTICLE), now=clock.now
    )
    agg.store.finish_article(
        ArticleOutcome(gone.item_id, gone.attempt, error="HTTP 404 Not Found"), now=clock.now
    )
    return fid


def _user(agg: Aggregator, name: str) -> User:
    found = agg.accounts.password_hash(name)
    assert found is not None
    return found[0]


def _ids(agg: Aggregator, fid: int) -> dict[str | None, int]:
    return {i.guid: i.id for i in agg.items(feed_id=fid, limit=10)}


def test_the_admin_turns_them_on_and_sees_how_they_stand(site: Site, clock: Clock) -> None:
    agg, client = site
    token = sign_in(client, agg)
    fid = add_items(agg, clock.now, ParsedItem(guid="a", title="A", link="https://e.org/a"))
    page = client.get(f"/admin/feeds/{fid}").text
    assert f'action="/admin/feeds/{fid}/articles"' in page
    assert 'name="full_articles" value="1">' in page  # not checked
    done = post(
        client, f"/admin/feeds/{fid}/articles", csrf_token=token, full_articles="1", latest="5"
    )
    assert done.status_code == 303 and done.headers["location"] == f"/admin/feeds/{fid}"
    assert agg.feed(fid).full_articles
    page = client.get(f"/admin/feeds/{fid}").text
    assert "Full articles on for" in page
    assert 'name="full_articles" value="1" checked>' in page
    assert "1 waiting" in page  # the latest item queued
    bad = post(
        client, f"/admin/feeds/{fid}/articles", csrf_token=token, full_articles="1", latest="9000"
    )
    assert bad.status_code == 400 and "from 0 to 500" in bad.text
    assert post(client, f"/admin/feeds/{fid}/articles", full_articles="1").status_code == 403
    off = post(client, f"/admin/feeds/{fid}/articles", csrf_token=token)
    assert off.status_code == 303 and not agg.feed(fid).full_articles
    assert post(client, "/admin/feeds/999/articles", csrf_token=token).status_code == 404


def test_failures_show_on_the_admin_page(site: Site, clock: Clock) -> None:
    agg, client = site
    sign_in(client, agg)
    fid = _feed_with_articles(agg, clock)
    page = client.get(f"/admin/feeds/{fid}").text
    assert "1 article · 1 failed · 0 waiting" in page
    assert "Last failure: HTTP 404 Not Found" in page


def test_a_reader_is_shown_the_article_or_why_there_is_none(site: Site, clock: Clock) -> None:
    agg, client = site
    fid = _feed_with_articles(agg, clock)
    ids = _ids(agg, fid)
    sign_in_reader(client, agg)
    bea = _user(agg, "bea")
    agg.store.add_subscription(bea.id, fid, now=clock.now)
    shown = client.get(f"/read/items/{ids['done']}").text
    assert ARTICLE in shown
    assert "own text</summary>" in shown and "Short." in shown
    failed = client.get(f"/read/items/{ids['gone']}").text
    assert "The full article could not be fetched: HTTP 404 Not Found" in failed
    assert "Teaser." in failed
    # the list shows no article: it reads none
    assert ARTICLE not in client.get("/read").text


def test_the_source_page_holds_the_article_under_the_summary(site: Site, clock: Clock) -> None:
    agg, client = site
    fid = _feed_with_articles(agg, clock)
    page = client.get(f"/sources/{fid}").text
    assert '<details class="article"><summary>Full article</summary>' in page
    assert ARTICLE in page and "Short." in page
    assert ARTICLE not in client.get("/").text


def test_a_person_sets_them_for_a_feed_only_people_follow(site: Site, clock: Clock) -> None:
    agg, client = site
    own = add_items(agg, clock.now, ParsedItem(guid="x", title="X"), url="https://own.example/f")
    agg.store.set_on_site(own, False)
    sites = add_items(agg, clock.now, ParsedItem(guid="y", title="Y"), url="https://site.example/f")
    token = sign_in_reader(client, agg)
    bea = _user(agg, "bea")
    for fid in (own, sites):
        agg.store.add_subscription(bea.id, fid, now=clock.now)
    settings = client.get("/read/settings").text
    assert f'action="/read/subscriptions/{own}/articles"' in settings
    assert f'action="/read/subscriptions/{sites}/articles"' not in settings
    assert "Not fetched (the site" in settings
    token = form_token(settings)
    done = post(client, f"/read/subscriptions/{own}/articles", csrf_token=token, full_articles="1")
    assert done.status_code == 303 and agg.feed(own).full_articles
    refused = post(
        client, f"/read/subscriptions/{sites}/articles", csrf_token=token, full_articles="1"
    )
    assert refused.status_code == 400
    assert "set by its admin" in refused.text and not agg.feed(sites).full_articles
    stranger = add_items(agg, clock.now, ParsedItem(guid="z", title="Z"), url="https://z.example/f")
    missing = post(
        client, f"/read/subscriptions/{stranger}/articles", csrf_token=token, full_articles="1"
    )
    assert missing.status_code == 404 and not agg.feed(stranger).full_articles


def test_the_apps_receive_the_article_as_the_content(site: Site, clock: Clock) -> None:
    agg, client = site
    fid = _feed_with_articles(agg, clock)
    ids = _ids(agg, fid)
    user = agg.add_user("cy", "sign-in password 1", role="reader")
    agg.set_api_password(user.id, API_PASSWORD)
    agg.store.add_subscription(user.id, fid, now=clock.now)
    # Miniflux /v1
    basic = base64.b64encode(f"cy:{API_PASSWORD}".encode()).decode()
    entries = client.get("/v1/entries", headers={"Authorization": f"Basic {basic}"}).json()
    content = {e["id"]: e["content"] for e in entries["entries"]}
    assert content[ids["done"]] == ARTICLE
    assert content[ids["gone"]] == "Teaser."
    # Fever
    key = hashlib.md5(f"cy:{API_PASSWORD}".encode(), usedforsecurity=False).hexdigest()
    fever = client.post("/fever/?api&items", data={"api_key": key}).json()
    html = {i["id"]: i["html"] for i in fever["items"]}
    assert html[ids["done"]] == ARTICLE and html[ids["gone"]] == "Teaser."
    # Google Reader
    auth = {"Authorization": f"GoogleLogin auth={agg.greader_auth(user)}"}
    stream = client.get("/reader/api/0/stream/contents?output=json&n=20", headers=auth).json()
    bodies = {i["title"]: i["summary"]["content"] for i in stream["items"]}
    assert bodies["Ferry"] == ARTICLE and bodies["Quay"] == "Teaser."
