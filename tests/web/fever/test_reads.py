"""Fever's read selectors, alone and combined: the shapes clients parse (integers, strings,
never null) and what they list of one person."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.web.fever.helpers import HARBOUR, NATO, SCIENCE, Fever, arrive, ids_of, item


def feed_ids(fever: Fever) -> dict[str, int]:
    return {s.feed.url: s.feed.id for s in fever.agg.subscriptions(fever.user_id)}


def test_groups_are_the_persons_folders_and_every_feed_is_in_exactly_one(fever: Fever) -> None:
    body = fever.post("api&groups")
    titles = {g["title"]: g["id"] for g in body["groups"]}
    assert set(titles) == {"Uncategorized", "World", "Science"}
    assert all(type(g["id"]) is int and g["id"] >= 1 for g in body["groups"])
    members = {fg["group_id"]: fg["feed_ids"] for fg in body["feeds_groups"]}
    assert all(type(ids) is str for ids in members.values())
    feeds = feed_ids(fever)
    assert members == {
        titles["World"]: str(feeds[NATO]),
        titles["Science"]: str(feeds[SCIENCE]),
        titles["Uncategorized"]: str(feeds[HARBOUR]),
    }
    assert fever.post("api&groups")["groups"] == body["groups"]  # the ids stay


def test_feeds_with_their_groups(fever: Fever) -> None:
    body = fever.post("api&feeds")
    by_url = {f["url"]: f for f in body["feeds"]}
    assert set(by_url) == {NATO, HARBOUR, SCIENCE}
    science = by_url[SCIENCE]
    assert science["title"] == "Science & <Nature>"  # plain text, not escaped
    assert science["is_spark"] == 0
    assert science["favicon_id"] == 0
    assert type(science["last_updated_on_time"]) is int and science["last_updated_on_time"] > 0
    assert type(science["site_url"]) is str
    grouped = [int(i) for fg in body["feeds_groups"] for i in fg["feed_ids"].split(",")]
    assert sorted(grouped) == sorted(f["id"] for f in body["feeds"])


def test_a_renamed_feed_shows_the_persons_title(fever: Fever) -> None:
    fever.agg.edit_subscription(fever.user_id, feed_ids(fever)[NATO], title="My NATO")
    titles = {f["url"]: f["title"] for f in fever.post("api&feeds")["feeds"]}
    assert titles[NATO] == "My NATO"


def test_favicons_never_dangle_and_links_are_an_empty_list(fever: Fever) -> None:
    body = fever.post("api&feeds&favicons&links")
    icons = {f["id"] for f in body["favicons"]}
    assert all(f["favicon_id"] == 0 or f["favicon_id"] in icons for f in body["feeds"])
    assert body["favicons"] == []
    assert body["links"] == []


def test_selectors_combine_in_one_request(fever: Fever) -> None:
    body = fever.post("api&groups&feeds&items&unread_item_ids&saved_item_ids&links")
    for member in ("groups", "feeds", "feeds_groups", "items", "total_items"):
        assert member in body
    assert body["unread_item_ids"] and body["saved_item_ids"] == ""
    assert body["auth"] == 1


def test_the_id_lists_are_strings_of_the_persons_unread_and_saved(fever: Fever, bob: Fever) -> None:
    body = fever.post("api&unread_item_ids&saved_item_ids")
    assert type(body["unread_item_ids"]) is str and body["saved_item_ids"] == ""
    assert ids_of(body["unread_item_ids"]) == fever.unread() == fever.all_ids()
    first, second = sorted(fever.all_ids())[:2]
    fever.agg.set_starred(fever.user_id, [first, second])
    fever.agg.set_read(fever.user_id, [first])
    body = fever.post("api&unread_item_ids&saved_item_ids")
    assert ids_of(body["saved_item_ids"]) == {first, second}
    assert first not in ids_of(body["unread_item_ids"])
    # bob follows NATO only, and his state is his own
    theirs = bob.post("api&unread_item_ids&saved_item_ids")
    assert ids_of(theirs["unread_item_ids"]) == bob.all_ids() < fever.all_ids() | bob.all_ids()
    assert theirs["saved_item_ids"] == ""


def test_an_item_as_clients_read_it(fever: Fever) -> None:
    items = fever.post("api&items")["items"]
    one = next(i for i in items if i["url"] == "https://science.example/1")
    assert one["title"] == "science 1"
    assert one["html"] == "<p>science story 1</p>"
    assert one["author"] == ""
    assert one["feed_id"] == feed_ids(fever)[SCIENCE]
    for member in ("id", "feed_id", "is_saved", "is_read", "created_on_time"):
        assert type(one[member]) is int, member
    assert one["created_on_time"] == int(fever.clock.now.timestamp() - 3600)
    assert (one["is_read"], one["is_saved"]) == (0, 0)
    fever.agg.set_read(fever.user_id, [one["id"]])
    fever.agg.set_starred(fever.user_id, [one["id"]])
    again = fever.post(f"api&items&with_ids={one['id']}")["items"]
    assert [(i["is_read"], i["is_saved"]) for i in again] == [(1, 1)]


def test_items_without_an_argument_start_from_the_first_ascending(fever: Fever) -> None:
    body = fever.post("api&items")
    ids = [i["id"] for i in body["items"]]
    assert ids == sorted(fever.all_ids())
    assert body["total_items"] == 6
    assert fever.post("api&items&since_id=")["items"] == body["items"]  # empty = absent
    assert fever.post("api&items&since_id=0")["items"] == body["items"]


def test_since_id_max_id_and_with_ids(fever: Fever) -> None:
    ids = sorted(fever.all_ids())
    since = [i["id"] for i in fever.post(f"api&items&since_id={ids[2]}")["items"]]
    assert since == ids[3:]
    below = [i["id"] for i in fever.post(f"api&items&max_id={ids[3]}")["items"]]
    assert below == ids[:3][::-1]
    for newest in ("0", "", str(2**53 - 1), str(2**53), str(2**64 + 7), "2147483647"):
        got = [i["id"] for i in fever.post(f"api&items&max_id={newest}")["items"]]
        assert got == ids[::-1], newest
    chosen = f"{ids[4]},{ids[0]},,{ids[0]}"
    assert [i["id"] for i in fever.post(f"api&items&with_ids={chosen}")["items"]] == [
        ids[4],
        ids[0],
    ]
    assert fever.post(f"api&items&since_id={2**70}")["items"] == []


def test_another_persons_items_are_not_answered_by_id(fever: Fever, bob: Fever) -> None:
    harbour = [i["id"] for i in fever.post("api&items")["items"] if "harbour" in i["url"]]
    assert bob.post(f"api&items&with_ids={','.join(map(str, harbour))}")["items"] == []


def test_pages_hold_exactly_50(fever: Fever) -> None:
    nato = feed_ids(fever)[NATO]
    arrive(
        fever.agg, nato, fever.clock.now, *(item(n, "more", fever.clock.now) for n in range(120))
    )
    everything = sorted(fever.all_ids())
    assert len(everything) == 126
    first = fever.post("api&items&since_id=")
    assert [i["id"] for i in first["items"]] == everything[:50]
    assert first["total_items"] == 126
    newest = fever.post("api&items&max_id=0")["items"]
    assert [i["id"] for i in newest] == everything[::-1][:50]
    many = ",".join(str(i) for i in everything[:60])
    assert len(fever.post(f"api&items&with_ids={many}")["items"]) == 50


def test_bad_values_answer_the_envelope_with_an_error_and_the_other_parts(fever: Fever) -> None:
    for query in ("api&items&since_id=abc", "api&items&max_id=1e3", "api&items&with_ids=1,x"):
        body = fever.post(query + "&unread_item_ids")
        assert body["auth"] == 1 and body["api_version"] == 3
        assert "items" not in body
        assert "must be a whole number" in body["error"]
        assert ids_of(body["unread_item_ids"]) == fever.unread()  # the other part is answered
    huge = fever.post("api&items&since_id=" + "9" * 5000)
    assert "must be a whole number" in huge["error"]


def test_the_same_answers_over_get(fever: Fever) -> None:
    posted: dict[str, Any] = fever.post("api&groups&feeds&items&unread_item_ids")
    assert fever.get("api&groups&feeds&items&unread_item_ids") == posted


def test_titles_and_authors_are_plain_text(fever: Fever) -> None:
    science = feed_ids(fever)[SCIENCE]
    odd = item(5, "odd", fever.clock.now, author="Fish & <Chips>")
    arrive(fever.agg, science, fever.clock.now, replace(odd, title="A < B & C > D"))
    found = next(i for i in fever.post("api&items&max_id=0")["items"] if "odd" in i["url"])
    assert found["title"] == "A < B & C > D"
    assert found["author"] == "Fish & <Chips>"


def test_a_feed_hidden_from_all_items_is_still_synced(fever: Fever) -> None:
    harbour = feed_ids(fever)[HARBOUR]
    fever.agg.edit_subscription(fever.user_id, harbour, hide_from_all=True)
    body = fever.post("api&feeds&items&unread_item_ids")
    assert harbour in {f["id"] for f in body["feeds"]}
    harbour_items = {i["id"] for i in body["items"] if i["feed_id"] == harbour}
    assert len(harbour_items) == 2 and harbour_items <= ids_of(body["unread_item_ids"])


def test_a_starred_item_of_a_feed_no_longer_followed(fever: Fever) -> None:
    """It stays in the saved list, but neither its feed nor its item is paged: clients look
    up each paged item's feed among the feeds."""
    harbour = feed_ids(fever)[HARBOUR]
    kept = min(i["id"] for i in fever.post("api&items")["items"] if i["feed_id"] == harbour)
    fever.agg.set_starred(fever.user_id, [kept])
    fever.agg.unsubscribe(fever.user_id, harbour)
    body = fever.post("api&feeds&groups&items&saved_item_ids&unread_item_ids")
    assert harbour not in {f["id"] for f in body["feeds"]}
    grouped = {int(i) for fg in body["feeds_groups"] for i in fg["feed_ids"].split(",")}
    assert grouped == {f["id"] for f in body["feeds"]}
    assert all(i["feed_id"] != harbour for i in body["items"])
    assert ids_of(body["saved_item_ids"]) == {kept}
    assert kept not in ids_of(body["unread_item_ids"])


def test_xml_is_not_served_json_is(fever: Fever) -> None:
    response = fever.http.post("/fever/?api=xml&feeds", data={"api_key": fever.key})
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["feeds"]
