"""Fever's writes: absolute item marks, feed and group marks bounded by the crawl time, the id
list echoed after each, and bad values answered with an error, never a server error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.fever.helpers import HARBOUR, NATO, SCIENCE, Fever, arrive, ids_of, item

READ_YOU_EVERYTHING = (2**63 - 1) // 1000  # Long.MAX_VALUE / 1000: "mark all" without a date


def feed_id(fever: Fever, url: str) -> int:
    return next(s.feed.id for s in fever.agg.subscriptions(fever.user_id) if s.feed.url == url)


def group_id(fever: Fever, title: str) -> int:
    groups = fever.post("api&groups")["groups"]
    found: int = next(g["id"] for g in groups if g["title"] == title)
    return found


def items_of(fever: Fever, url: str) -> set[int]:
    return {
        i["id"] for i in fever.post("api&items")["items"] if i["feed_id"] == feed_id(fever, url)
    }


def test_item_marks_are_absolute_and_idempotent(fever: Fever) -> None:
    one = min(fever.all_ids())
    for _ in range(2):  # saving twice leaves it saved (no toggle)
        body = fever.post("api", mark="item", **{"as": "saved"}, id=str(one))
        assert ids_of(body["saved_item_ids"]) == {one} == fever.saved()
        assert "unread_item_ids" not in body
    for _ in range(2):
        body = fever.post("api", mark="item", **{"as": "read"}, id=str(one))
        assert one not in ids_of(body["unread_item_ids"])
        assert ids_of(body["unread_item_ids"]) == fever.unread()
    body = fever.post("api", mark="item", **{"as": "unread"}, id=str(one))
    assert one in ids_of(body["unread_item_ids"])
    for _ in range(2):
        body = fever.post("api", mark="item", **{"as": "unsaved"}, id=str(one))
        assert body["saved_item_ids"] == "" and fever.saved() == set()


def test_marks_in_the_query_string_as_read_you_sends_them(fever: Fever) -> None:
    one = max(fever.all_ids())
    body = fever.post(f"api=&&mark=item&as=read&id={one}")
    assert body["auth"] == 1 and one not in fever.unread()
    assert ids_of(body["unread_item_ids"]) == fever.unread()


def test_another_persons_marks_are_their_own(fever: Fever, bob: Fever) -> None:
    nato = items_of(fever, NATO)
    harbour = items_of(fever, HARBOUR)
    bob.post("api", mark="item", **{"as": "read"}, id=str(min(nato)))
    bob.post("api", mark="item", **{"as": "read"}, id=str(min(harbour)))  # not his feed
    assert fever.unread() == fever.all_ids()
    assert bob.unread() == nato - {min(nato)}


def test_a_feed_is_marked_read_up_to_before_on_the_crawl_time(fever: Fever) -> None:
    nato = feed_id(fever, NATO)
    old = items_of(fever, NATO)
    before = int(fever.clock.now.timestamp()) + 60
    fever.clock.now += timedelta(minutes=5)  # a fetch after the client's last items request
    arrive(fever.agg, nato, fever.clock.now, item(9, "late", fever.clock.now - timedelta(days=3)))
    new = items_of(fever, NATO) - old
    body = fever.post("api", mark="feed", **{"as": "read"}, id=str(nato), before=str(before))
    unread = ids_of(body["unread_item_ids"])
    assert unread == fever.unread()
    assert not old & unread  # what the client had seen is read
    assert new <= unread  # what arrived later stays unread, back-dated or not
    assert items_of(fever, HARBOUR) <= unread  # the other feeds untouched


def test_before_is_exclusive_and_an_old_bound_marks_nothing(fever: Fever) -> None:
    nato = feed_id(fever, NATO)
    seen_at = str(int(fever.clock.now.timestamp()))  # the items were first seen at this second
    body = fever.post("api", mark="feed", **{"as": "read"}, id=str(nato), before=seen_at)
    assert items_of(fever, NATO) <= ids_of(body["unread_item_ids"])
    for past in ("0", "-5", "1000"):
        fever.post("api", mark="feed", **{"as": "read"}, id=str(nato), before=past)
    assert fever.unread() == fever.all_ids()


@pytest.mark.parametrize("before", [str(READ_YOU_EVERYTHING), str(2**64), ""])
def test_a_group_with_a_huge_or_no_before_is_all_read(fever: Fever, before: str) -> None:
    world = group_id(fever, "World")
    body = fever.post("api", mark="group", **{"as": "read"}, id=str(world), before=before)
    assert "error" not in body
    assert ids_of(body["unread_item_ids"]) == fever.all_ids() - items_of(fever, NATO)


def test_the_uncategorized_group_and_group_0_for_everything(fever: Fever) -> None:
    loose = group_id(fever, "Uncategorized")
    later = str(int(fever.clock.now.timestamp()) + 1)
    body = fever.post("api", mark="group", **{"as": "read"}, id=str(loose), before=later)
    assert ids_of(body["unread_item_ids"]) == fever.all_ids() - items_of(fever, HARBOUR)
    body = fever.post("api", mark="group", **{"as": "read"}, id="-1", before=later)  # sparks
    assert ids_of(body["unread_item_ids"]) == fever.all_ids() - items_of(fever, HARBOUR)
    body = fever.post("api", mark="group", **{"as": "read"}, id="0", before=later)
    assert body["unread_item_ids"] == "" and fever.unread() == set()


def test_feeds_and_groups_marked_unread_as_read_you_does(fever: Fever) -> None:
    everything = str(READ_YOU_EVERYTHING)
    fever.post(f"api=&&mark=group&as=read&id=0&before={everything}")
    science = feed_id(fever, SCIENCE)
    body = fever.post(f"api=&&mark=feed&as=unread&id={science}&before={everything}")
    assert ids_of(body["unread_item_ids"]) == items_of(fever, SCIENCE) == fever.unread()
    world = group_id(fever, "World")
    body = fever.post(f"api=&&mark=group&as=unread&id={world}&before={everything}")
    assert ids_of(body["unread_item_ids"]) == items_of(fever, SCIENCE) | items_of(fever, NATO)


def test_a_mark_and_selectors_in_one_request_show_the_mark(fever: Fever) -> None:
    one = min(fever.all_ids())
    body = fever.post(f"api&items&with_ids={one}", mark="item", **{"as": "saved"}, id=str(one))
    assert body["items"][0]["is_saved"] == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"mark": "item", "as": "read", "id": "abc"}, "id must be a whole number"),
        ({"mark": "item", "as": "read"}, "id must be a whole number"),
        ({"mark": "item", "as": "starred", "id": "1"}, "read, unread, saved or unsaved"),
        ({"mark": "item", "as": "read", "id": "0"}, "no item 0"),
        ({"mark": "item", "as": "read", "id": str(2**64)}, "no item"),
        ({"mark": "thing", "as": "read", "id": "1"}, "mark must be item, feed or group"),
        ({"mark": "feed", "as": "saved", "id": "1"}, "as read or unread"),
        ({"mark": "feed", "as": "read", "id": "999999"}, "no feed 999999"),
        ({"mark": "group", "as": "read", "id": "999999"}, "no folder 999999"),
        ({"mark": "feed", "as": "read", "id": "1", "before": "soon"}, "before must be a whole"),
    ],
)
def test_bad_marks_are_an_error_member_with_a_200(
    fever: Fever, fields: dict[str, str], message: str
) -> None:
    body = fever.post("api", **fields)
    assert body["auth"] == 1 and body["api_version"] == 3
    assert message in body["error"]
    assert fever.unread() == fever.all_ids() and fever.saved() == set()
