"""Paging while the server changes: items arrive and items are marked read between page 1 and
page 2 of paged ids and of stream/contents, and nothing is skipped or returned twice (keyset
continuation by item id). Ids above 2^31 round-trip in every spelling. On SQLite and on the
real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.greader.helpers import (
    API,
    BACKENDS,
    ITEM_PREFIX,
    READ,
    READING_LIST,
    Reader,
    arrive,
    backend_settings,
    item,
    jump_item_ids,
)

web_settings = pytest.fixture(params=BACKENDS)(backend_settings)


@pytest.fixture
def busy(reader: Reader) -> Reader:
    """50 more unread NATO items, ids past 2^31, published in no order."""
    jump_item_ids(reader.agg, 2**31 + 100)
    now = reader.clock.now
    new = [item(100 + n, "busy", now - timedelta(days=(n * 7) % 13)) for n in range(50)]
    arrive(reader.agg, reader.feeds["nato"], now, *new)
    return reader


def changes_between_pages(reader: Reader, returned: list[int], count: int) -> set[int]:
    """Read some returned and some not yet returned items; 5 items arrive, published long
    ago. Returns the ids that were unread and not returned that are now read."""
    pending = sorted(reader.unread() - set(returned))
    gone = set(pending[:: max(1, len(pending) // count)][:count])
    reader.agg.set_read(reader.user_id, [*returned[:3], *gone])
    reader.clock.now += timedelta(minutes=5)
    late = [item(900 + n, "late", reader.clock.now - timedelta(days=400)) for n in range(5)]
    arrive(reader.agg, reader.feeds["harbour"], reader.clock.now, *late)
    return gone


@pytest.mark.parametrize("order", ["n", "o"])
def test_paged_unread_ids_skip_nothing_and_repeat_nothing(busy: Reader, order: str) -> None:
    start = busy.unread()
    before = max(busy.every())
    query = {"s": READING_LIST, "xt": READ, "n": 10, "r": order, "output": "json"}
    first = busy.json(f"{API}/stream/items/ids", **query)
    returned = [int(r["id"]) for r in first["itemRefs"]]
    gone = changes_between_pages(busy, returned, 6)
    cont = first["continuation"]
    for _ in range(100):
        page = busy.json(f"{API}/stream/items/ids", **query, c=cont)
        returned += [int(r["id"]) for r in page["itemRefs"]]
        if "continuation" not in page:
            break
        assert len(page["itemRefs"]) == 10
        cont = page["continuation"]
    assert len(returned) == len(set(returned))  # nothing twice
    assert start - gone <= set(returned)  # nothing that stayed unread was skipped
    assert not gone & set(returned)
    arrived = {i for i in busy.unread() if i > before}
    if order == "o":  # oldest first: the arrivals come at the end
        assert arrived <= set(returned)
    else:  # newest first: they are above the first page, for the next sync
        assert not arrived & set(returned)
    assert all(i > 2**31 for i in returned if i not in range(1, 7))


def test_stream_contents_pages_skip_nothing_and_repeat_nothing(busy: Reader) -> None:
    start = busy.unread()
    first = busy.json(f"{API}/stream/contents/{READING_LIST}", xt=READ, n=7)

    def ids_of(page: dict[str, list[dict[str, str]]]) -> list[int]:
        return [int(i["id"][len(ITEM_PREFIX) :], 16) for i in page["items"]]

    returned = ids_of(first)
    gone = changes_between_pages(busy, returned, 4)
    cont = first["continuation"]
    for _ in range(100):
        page = busy.json(f"{API}/stream/contents/{READING_LIST}", xt=READ, n=7, c=cont)
        returned += ids_of(page)
        if "continuation" not in page:
            break
        cont = page["continuation"]
    assert len(returned) == len(set(returned))
    assert start - gone <= set(returned) and not gone & set(returned)
    assert returned == sorted(returned, reverse=True)


def test_large_ids_round_trip_in_every_spelling(busy: Reader) -> None:
    refs = busy.json(f"{API}/stream/items/ids", s=f"feed/{busy.feeds['nato']}", n=5)
    ids = [int(r["id"]) for r in refs["itemRefs"]]
    assert all(i > 2**31 for i in ids) and all(
        r["id"] == str(i) for r, i in zip(refs["itemRefs"], ids, strict=True)
    )
    spellings = [
        str(ids[0]),
        f"{ITEM_PREFIX}{ids[1]:016x}",
        f"{ids[2]:016x}",
        f"{ITEM_PREFIX}{ids[3]:x}",
    ]
    page = busy.post(f"{API}/stream/items/contents", {"i": spellings}).json()
    assert [i["id"] for i in page["items"]] == [f"{ITEM_PREFIX}{i:016x}" for i in ids[:4]]
    assert busy.post(f"{API}/edit-tag", {"i": spellings, "a": READ}).text == "OK"
    assert not set(ids[:4]) & busy.unread() and ids[4] in busy.unread()
