"""Paging while the server changes: items arrive and are marked read between two pages of
``since_id`` or of ``max_id``; nothing is skipped or duplicated. Ids above 2^31 round-trip."""

from __future__ import annotations

from datetime import timedelta

from tests.web.fever.helpers import HARBOUR, NATO, Fever, arrive, ids_of, item, jump_item_ids

PAGES_MAX = 40  # every walk below ends well before this


def feeds(fever: Fever) -> list[int]:
    by_url = {s.feed.url: s.feed.id for s in fever.agg.subscriptions(fever.user_id)}
    return [by_url[NATO], by_url[HARBOUR]]


def meanwhile(fever: Fever, page: int, seen: list[int]) -> None:
    """Between two pages: a fetch brings items to both feeds (some back-dated), and the person
    reads the newest item seen so far and one not paged yet, elsewhere."""
    fever.clock.now += timedelta(minutes=1)
    for fid in feeds(fever):
        arrive(
            fever.agg,
            fid,
            fever.clock.now,
            *(item(n, f"p{page}f{fid}", fever.clock.now - timedelta(days=n)) for n in range(7)),
        )
    unseen = sorted(fever.all_ids() - set(seen))
    fever.agg.set_read(fever.user_id, [seen[-1], unseen[len(unseen) // 2]])


def test_since_id_pages_visit_every_item_once_while_items_arrive_and_are_read(
    fever: Fever,
) -> None:
    nato, harbour = feeds(fever)
    arrive(fever.agg, nato, fever.clock.now, *(item(n, "a", fever.clock.now) for n in range(70)))
    arrive(fever.agg, harbour, fever.clock.now, *(item(n, "b", fever.clock.now) for n in range(40)))
    seen: list[int] = []
    since = ""
    for page in range(PAGES_MAX):
        got = [i["id"] for i in fever.post(f"api=&items&since_id={since}")["items"]]
        seen += got
        if len(got) < 50:
            break
        since = str(got[-1])
        meanwhile(fever, page, seen)
    else:
        raise AssertionError("the since_id walk did not end")
    assert seen == sorted(set(seen))  # ascending, no duplicates
    assert set(seen) == fever.all_ids()  # nothing skipped, the late arrivals included
    unread = ids_of(fever.post("api&unread_item_ids")["unread_item_ids"])
    assert unread == fever.unread() < set(seen)


def test_max_id_pages_visit_every_item_once_while_items_arrive_and_are_read(
    fever: Fever,
) -> None:
    nato, harbour = feeds(fever)
    arrive(fever.agg, nato, fever.clock.now, *(item(n, "a", fever.clock.now) for n in range(80)))
    arrive(fever.agg, harbour, fever.clock.now, *(item(n, "b", fever.clock.now) for n in range(45)))
    there = fever.all_ids()
    seen: list[int] = []
    below = str(2**53 - 1)  # Fluent Reader's first max_id
    for page in range(PAGES_MAX):
        got = [i["id"] for i in fever.post(f"api&items&max_id={below}")["items"]]
        seen += got
        if len(got) < 50:
            break
        below = str(min(got))
        meanwhile(fever, page, seen)
    else:
        raise AssertionError("the max_id walk did not end")
    assert seen == sorted(set(seen), reverse=True)  # descending, no duplicates
    assert set(seen) == there  # all that was there when the walk began
    # what arrived meanwhile is above the first page: since_id from there finds it all
    newer = [i["id"] for i in fever.post(f"api&items&since_id={seen[0]}")["items"]]
    assert set(newer) == fever.all_ids() - there


def test_ids_above_2_to_the_31_and_32_round_trip(fever: Fever) -> None:
    nato, harbour = feeds(fever)
    jump_item_ids(fever.agg, 2**31 + 5)
    arrive(fever.agg, nato, fever.clock.now, item(1, "big", fever.clock.now))
    jump_item_ids(fever.agg, 2**32 + 11)
    arrive(fever.agg, harbour, fever.clock.now, item(2, "bigger", fever.clock.now))
    big, bigger = 2**31 + 6, 2**32 + 12
    assert {big, bigger} <= fever.all_ids()
    newest = [i["id"] for i in fever.post("api&items&max_id=0")["items"]][:2]
    assert newest == [bigger, big]
    assert [i["id"] for i in fever.post(f"api&items&since_id={big}")["items"]] == [bigger]
    below = fever.post(f"api&items&max_id={bigger}")["items"]
    assert below[0]["id"] == big
    assert [i["id"] for i in fever.post(f"api&items&with_ids={bigger}")["items"]] == [bigger]
    body = fever.post("api", mark="item", **{"as": "read"}, id=str(bigger))
    unread = ids_of(body["unread_item_ids"])
    assert big in unread and bigger not in unread
    body = fever.post(f"api=&&mark=item&as=saved&id={big}")
    assert body["saved_item_ids"] == str(big)
