"""The same story under a new identity, written by the store on both backends: its row keeps
its id, first arrival and people's state; its keys are written and read back."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from tests.store.plans import NOW, ok, write
from tests.store.test_subscriptions import everything, person
from tidings.store.schema import items, tombstones
from tidings.store.store import Store
from tidings.storykeys import content_key, link_key, title_key
from tidings.types import ParsedItem
from tidings.update.decide import identity_of

STORY = ParsedItem(
    guid="g1",
    title="Fed Holds",
    link="https://wsj.example/a?utm_source=rss",
    published=NOW,
    summary_html="<p>Rates stay.</p>",
)


def test_keys_are_written_and_read_into_the_state(store: Store) -> None:
    fid = store.add_feed("https://e.org/f", now=NOW)
    store.apply(ok(fid, NOW, new=(write(STORY),)))
    stored = store.feed_state(fid).items[identity_of(STORY)]
    assert stored.link_key == link_key("https://wsj.example/a")
    assert stored.title_key == title_key("Fed Holds", NOW)
    assert stored.content_key == content_key("<p>Rates stay.</p>", None)
    assert (stored.title, stored.published) == ("Fed Holds", NOW)
    # the 304 path reads dates only
    assert store.feed_state(fid, with_items=False).items == {}


def test_the_same_story_takes_its_new_identity_in_its_row(store: Store) -> None:
    ada = person(store, "ada")
    fid = store.add_feed("https://e.org/f", now=NOW)
    store.add_subscription(ada, fid, now=NOW)
    other = ParsedItem(guid="g0", title="Other", link="https://e.org/o", published=NOW)
    store.apply(ok(fid, NOW, new=(write(STORY), write(other))))
    [item_id, _] = everything(store, ada)
    store.set_read(ada, [item_id], True, NOW)
    store.set_starred(ada, [item_id], True, NOW)

    again = replace(STORY, guid="g2", title="Fed Holds Rates")
    later = NOW + timedelta(hours=1)
    merged = replace(write(again, first_seen=later), first_seen=NOW, previous=identity_of(STORY))
    store.apply(ok(fid, later, changed=(merged,)))

    with store.engine.connect() as conn:
        row = conn.execute(select(items).where(items.c.id == item_id)).one()
        gone = conn.execute(select(tombstones.c.identity_hash)).scalars().all()
    assert (row.identity_hash, row.guid, row.title) == (identity_of(again), "g2", "Fed Holds Rates")
    assert row.first_seen == NOW
    assert row.title_key == title_key("Fed Holds Rates", NOW)
    assert gone == []  # the old identity is not a tombstone
    state = store.feed_state(fid)
    assert set(state.items) == {identity_of(again), identity_of(other)}
    entry = store.entry(ada, item_id)
    assert entry is not None and entry.read and entry.starred
    assert everything(store, ada) == [item_id, item_id + 1]
