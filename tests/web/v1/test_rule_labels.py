"""What an app sees of rules over Miniflux's /v1: an entry's tags end with the labels rules put
on it (the person's and the site's), and an entry a rule hid is in no list, no count and no
answer by id."""

from __future__ import annotations

from typing import Any

from tests.conftest import Clock
from tests.web.v1.conftest import Api
from tests.web.v1.entry_data import add_feeds
from tidings.arrival import RuleDraft


def get(api: Api, path: str, **params: Any) -> Any:
    response = api.client.get(path, params=params, headers=api.headers)
    assert response.status_code == 200, response.text
    return response.json()


def rule(name: str, pattern: str, action: str, label: str | None = None) -> RuleDraft:
    return RuleDraft(
        name=name, field="title", match="contains", pattern=pattern, action=action, label=label
    )


def test_labels_in_tags_and_hidden_entries_left_out(api: Api, clock: Clock) -> None:
    agg, ada = api.agg, api.user.id
    feeds = add_feeds(agg, clock, ada)
    mine = agg.add_rule(rule("mine", "Ferry", "label", "Boats"), ada)
    site = agg.add_rule(rule("site", "Ferry", "label", "Transport"))
    hide = agg.add_rule(rule("hide", "Story 02", "drop"), ada)
    for r, owner in ((mine, ada), (site, None), (hide, ada)):
        assert agg.apply_rule(r.id, owner).matched == 1
    before = get(api, "/v1/feeds/counters")["unreads"][str(feeds.work)]

    listed = get(api, "/v1/entries", limit=100)
    titles = {e["title"]: e for e in listed["entries"]}
    assert "Story 02" not in titles
    assert listed["total"] == 11  # twelve items, one hidden
    assert titles["Ferry timetable"]["tags"] == ["ferries", "harbour", "Boats", "Transport"]
    assert titles["Story 01"]["tags"] == []
    hidden_id = next(i.id for i in agg.items(feed_id=feeds.work) if i.title == "Story 02")
    answer = api.client.get(f"/v1/entries/{hidden_id}", headers=api.headers)
    assert answer.status_code == 404
    assert before == 5  # six unread, one hidden
    by_feed = get(api, f"/v1/feeds/{feeds.work}/entries", limit=100)
    assert by_feed["total"] == 5


def test_another_person_sees_none_of_it(api: Api, clock: Clock) -> None:
    agg = api.agg
    feeds = add_feeds(agg, clock, api.user.id)
    other = agg.add_user("cy", "sign-in password 2", role="reader")
    agg.store.add_subscription(other.id, feeds.work, now=clock.now)
    agg.apply_rule(agg.add_rule(rule("mine", "Ferry", "label", "Boats"), other.id).id, other.id)
    agg.apply_rule(agg.add_rule(rule("hide", "Story 02", "drop"), other.id).id, other.id)
    titles = {e["title"]: e for e in get(api, "/v1/entries", limit=100)["entries"]}
    assert "Story 02" in titles and titles["Ferry timetable"]["tags"] == ["ferries", "harbour"]
