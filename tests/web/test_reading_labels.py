"""Labels on the reading page: each entry shows the labels rules put on it (the person's and the
site's, never another person's), the sidebar lists them, ``?label=`` lists only the entries
bearing one (with the other filters), an unknown label lists nothing, and an entry a rule hid
stays hidden under its labels too."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items, sign_in_reader
from tidings.arrival import RuleDraft
from tidings.core import Aggregator
from tidings.types import EntryQuery, ParsedItem

Site = tuple[Aggregator, TestClient]


def titles(html: str) -> list[str]:
    """The titles of the listed entries, in order."""
    return re.findall(r'<button type="submit" class="link">([^<]*)</button>', html)


def label_rule(
    agg: Aggregator, pattern: str, label: str, user_id: int | None, action: str = "label"
) -> None:
    """A rule run over the items already stored (as ``apply`` on the pages does)."""
    draft = RuleDraft(
        name=f"{action} {pattern}",
        field="title",
        match="contains",
        pattern=pattern,
        action=action,
        label=label if action == "label" else None,
    )
    rule = agg.add_rule(draft, user_id)
    agg.apply_rule(rule.id, user_id)


def people(agg: Aggregator, clock: Clock, client: TestClient) -> tuple[int, int, str]:
    """bea and cy follow one feed of four items; bea is signed in (her token is returned)."""
    fid = add_items(
        agg,
        clock(),
        ParsedItem(guid="1", title="Storm warning"),
        ParsedItem(guid="2", title="Storm over the harbour"),
        ParsedItem(guid="3", title="Election results"),
        ParsedItem(guid="4", title="Storm sponsored"),
    )
    token = sign_in_reader(client, agg, "bea")
    sign_in_reader(client, agg, "cy")
    ids = {a.user.name: a.user.id for a in agg.users()}
    for name in ("bea", "cy"):
        agg.store.add_subscription(ids[name], fid, now=clock())
    token = sign_in_reader(client, agg, "bea")
    return ids["bea"], ids["cy"], token


def test_entries_show_their_labels_and_the_sidebar_lists_them(site: Site, clock: Clock) -> None:
    agg, client = site
    bea, cy, _ = people(agg, clock, client)
    label_rule(agg, "storm", "weather", bea)
    label_rule(agg, "election", "politics", None)  # the site's
    label_rule(agg, "harbour", "cy's secret", cy)

    page = client.get("/read").text
    assert page.count('<a class="tag" href="/read?label=weather">weather</a>') == 3
    assert page.count('<a class="tag" href="/read?label=politics">politics</a>') == 1
    assert "secret" not in page  # cy's label, on an item bea sees too
    assert '<span class="vh">labels: </span>' in page  # said, not only drawn
    side = page.split('id="labels-title"', 1)[1]
    assert '<a href="/read?label=politics">' in side and '<a href="/read?label=weather">' in side

    (item,) = [
        e for e in agg.entries(bea, EntryQuery(status="all")) if "Election" in (e.item.title or "")
    ]
    shown = client.get(f"/read/items/{item.item.id}").text
    assert '<a class="tag" href="/read?label=politics">politics</a>' in shown
    mine = agg.entries(cy, EntryQuery(status="all", label="cy's secret"))
    assert [e.labels for e in mine] == [("cy's secret",)]  # not bea's "weather"


def test_a_label_lists_its_entries_with_the_other_filters(site: Site, clock: Clock) -> None:
    agg, client = site
    bea, cy, token = people(agg, clock, client)
    label_rule(agg, "storm", "weather", bea)
    label_rule(agg, "election", "politics", None)

    listed = client.get("/read?label=weather")
    assert listed.status_code == 200
    assert sorted(titles(listed.text)) == [
        "Storm over the harbour",
        "Storm sponsored",
        "Storm warning",
    ]
    assert "Labelled “weather”" in listed.text
    assert '<a href="/read?label=weather" aria-current="page">' in listed.text
    assert 'name="label" value="weather"' in listed.text  # the search keeps it
    assert 'action="/read/mark-all"' not in listed.text  # it would mark more than is listed
    assert titles(client.get("/read?label=politics").text) == ["Election results"]
    assert titles(client.get("/read?label=weather&q=harbour").text) == ["Storm over the harbour"]
    (fid,) = {e.item.feed_id for e in agg.entries(bea, EntryQuery(status="all"))}
    in_feed = client.get(f"/read/feeds/{fid}?label=politics&order=received")
    assert titles(in_feed.text) == ["Election results"]
    assert "NATO News · Labelled “politics”" in in_feed.text
    assert client.get(f"/read/feeds/{fid + 1}?label=politics").status_code == 404  # not hers

    # read ones leave the unread list, and come back with status=all
    unread = agg.entries(bea, EntryQuery(label="weather"))
    (warning,) = [e for e in unread if "warn" in (e.item.title or "")]
    assert (
        client.post(
            f"/read/items/{warning.item.id}/read",
            data={"csrf_token": token, "next": "/read?label=weather"},
            follow_redirects=False,
        ).headers["location"]
        == "/read?label=weather"
    )
    assert "Storm warning" not in titles(client.get("/read?label=weather").text)
    assert "Storm warning" in titles(client.get("/read?label=weather&status=all").text)
    assert titles(client.get("/read/starred?label=weather").text) == []

    # an unknown label lists nothing, and is no error; cy's label is unknown to bea
    label_rule(agg, "storm", "cy only", cy)
    for unknown in ("nothing-like-it", "cy%20only"):
        page = client.get(f"/read?label={unknown}&status=all")
        assert page.status_code == 200 and titles(page.text) == []
    assert client.get("/read?label=" + "x" * 101).status_code == 400


def test_a_hidden_entry_stays_hidden_under_its_label(site: Site, clock: Clock) -> None:
    agg, client = site
    bea, _, _ = people(agg, clock, client)
    label_rule(agg, "storm", "weather", None)  # the site's, on three items
    label_rule(agg, "sponsored", "", bea, action="drop")  # bea hides one of them
    for status in ("unread", "all"):
        listed = titles(client.get(f"/read?label=weather&status={status}").text)
        assert sorted(listed) == ["Storm over the harbour", "Storm warning"]
    assert len(agg.entries(bea, EntryQuery(status="all", label="weather"))) == 2
