"""The same story under another guid: the trackers' cases as pairs of documents, and the
property that keeps the rule from merging different stories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidings.parse import parse_feed
from tidings.storykeys import content_key, link_key, same_title, title_key
from tidings.types import FeedState, FetchResult, ItemWrite, ParsedFeed, ParsedItem, StoredItem
from tidings.update.decide import decide_success, identity_of
from tidings.update.duplicates import Finder, is_same_story
from tidings.update.schedule import Policy

FIXTURES = Path(__file__).parent / "fixtures" / "duplicates"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
POLICY = Policy()


def fetched(body: bytes) -> FetchResult:
    url = "https://example.org/feed"
    return FetchResult(url=url, final_url=url, status=200, headers={}, body=body, elapsed=0.1)


def stored_of(write: ItemWrite) -> StoredItem:
    """What the store keeps of a write and reads back into the next update's state."""
    it = write.item
    return StoredItem(
        write.identity,
        write.content_hash,
        write.first_seen,
        write.sort_date,
        it.title,
        it.published,
        link_key(it.link),
        title_key(it.title, it.published),
        content_key(it.summary_html, it.content_html),
    )


def update_twice(name: str) -> tuple[FeedState, tuple[ItemWrite, ...], tuple[ItemWrite, ...]]:
    """The state after the first document, and the second document's new and changed items."""
    state = FeedState(feed_id=1, url="https://example.org/feed")
    bodies = [(FIXTURES / f"{name}-{when}.xml").read_bytes() for when in ("before", "after")]
    first = decide_success(state, fetched(bodies[0]), parse(bodies[0]), NOW, POLICY)
    assert first.new, "the first document's items are new"
    state = FeedState(feed_id=1, url=state.url, items={w.identity: stored_of(w) for w in first.new})
    later = NOW + timedelta(hours=1)
    second = decide_success(state, fetched(bodies[1]), parse(bodies[1]), later, POLICY)
    return state, second.new, second.changed


def parse(body: bytes) -> ParsedFeed:
    return parse_feed(body, url="https://example.org/feed")


@pytest.mark.parametrize(
    ("name", "merged", "new"),
    [
        ("wsj", 2, 0),  # feedbin/support#416: a new guid at every fetch; link and title stay
        ("medium", 1, 0),  # FreshRSS#5909: the guid becomes the link, its ?source= changes
        ("netlify", 1, 0),  # NetNewsWire#3286: the slug (and so guid) corrected; title, date, text
        ("apple", 1, 0),  # NetNewsWire#324: http to https, guid and link
        ("transvanilla", 1, 0),  # NetNewsWire#3835: another host name in id and link
        ("ogre", 1, 0),  # liferea#1195: a new path structure rewrites links and guids
        ("wordpress", 1, 0),  # FreshRSS#5151: the guid flips to https, the permalink stays
        ("status", 0, 1),  # the same title at the same address on another day: a new event
        ("sameaddress", 0, 1),  # one address and title for all: both in the fetch, both kept
        ("retitled", 0, 1),  # a new title at a new address is a new story, text or not
    ],
)
def test_tracker_cases(name: str, merged: int, new: int) -> None:
    state, new_items, changed = update_twice(name)
    merges = [w for w in changed if w.previous is not None]
    assert (len(merges), len(new_items)) == (merged, new)
    for write in merges:
        before = state.items[write.previous or ""]
        assert write.identity != before.identity
        assert write.first_seen == before.first_seen  # the story keeps its arrival


def test_a_story_under_a_new_guid_at_every_fetch_stays_one() -> None:
    """Ten fetches of a feed whose guid changes each time: one item, its first arrival kept."""
    state = FeedState(feed_id=1, url="https://example.org/feed")
    first_seen = None
    for n in range(10):
        item = ParsedItem(
            guid=f"g{n}", title="Fed Holds", link="https://wsj.example/a?mod=rss&utm_source=x"
        )
        parsed = ParsedFeed(version="rss20", title="T", link=None, items=(item,))
        plan = decide_success(state, fetched(b"%d" % n), parsed, NOW + timedelta(hours=n), POLICY)
        writes = plan.new + plan.changed
        assert len(writes) == 1
        assert (len(plan.new), len(plan.changed)) == ((1, 0) if n == 0 else (0, 1))
        first_seen = first_seen or writes[0].first_seen
        assert writes[0].first_seen == first_seen
        state = FeedState(
            feed_id=1, url=state.url, items={writes[0].identity: stored_of(writes[0])}
        )


def test_two_new_items_never_claim_one_stored_item() -> None:
    stored = ParsedItem(guid="old", title="T", link="https://e.org/a", summary_html="x")
    state = FeedState(
        feed_id=1,
        url="u",
        items={
            identity_of(stored): stored_of(ItemWrite(identity_of(stored), "h", stored, NOW, NOW))
        },
    )
    twins = tuple(
        ParsedItem(guid=g, title="T", link="https://e.org/a", summary_html="x") for g in "ab"
    )
    plan = decide_success(state, fetched(b"x"), ParsedFeed("rss20", items=twins), NOW, POLICY)
    assert [w.previous for w in plan.changed] == [identity_of(stored)]
    assert len(plan.new) == 1


def test_an_item_retention_takes_now_is_not_claimed() -> None:
    old = ParsedItem(guid="old", title="T", link="https://e.org/a")
    write = ItemWrite(
        identity_of(old), "h", old, NOW - timedelta(days=40), NOW - timedelta(days=40)
    )
    finder = Finder({write.identity: stored_of(write)}, present=(), leaving=[write.identity])
    assert finder.claim(ParsedItem(guid="new", title="T", link="https://e.org/a")) is None


@pytest.mark.parametrize(
    ("item", "stored", "same"),
    [
        # the link key and the title
        (
            dict(link="https://e.org/a?utm_source=x#top", title="A"),
            dict(link="HTTPS://E.org/a"),
            True,
        ),
        # the link key and the text, under a corrected title
        (
            dict(link="https://e.org/a", title="Teh A", text="t"),
            dict(link="https://e.org/a", text="t"),
            True,
        ),
        # the link key alone is not enough
        (
            dict(link="https://e.org/a", title="B", text="u"),
            dict(link="https://e.org/a", text="t"),
            False,
        ),
        # the title key and the text
        (
            dict(link="https://e.org/b", date=True, text="t"),
            dict(link="https://e.org/a", date=True, text="t"),
            True,
        ),
        # the title key without the same text is not enough
        (
            dict(link="https://e.org/b", date=True, text="u"),
            dict(link="https://e.org/a", date=True, text="t"),
            False,
        ),
        # nor the same text without any text: empty never matches empty
        (dict(link="https://e.org/b", date=True), dict(link="https://e.org/a", date=True), False),
        # a parameter that chooses the page is kept
        (dict(link="https://e.org/?p=1"), dict(link="https://e.org/?p=2"), False),
    ],
)
def test_the_rule(item: dict[str, object], stored: dict[str, object], same: bool) -> None:
    def parsed(fields: dict[str, object], guid: str) -> ParsedItem:
        return ParsedItem(
            guid=guid,
            title=str(fields.get("title", "A")),
            link=str(fields["link"]),
            published=NOW if fields.get("date") else None,
            summary_html=str(fields["text"]) if "text" in fields else None,
        )

    old = parsed(stored, "old")
    write = ItemWrite(identity_of(old), "h", old, NOW, NOW)
    assert is_same_story(parsed(item, "new"), stored_of(write)) is same


# -- the property: never two stories whose links and titles both differ --------------------------

_links = st.sampled_from(
    [None, "https://e.org/a", "https://e.org/a?utm_medium=rss", "http://e.org/a", "https://e.org/b"]
)
_titles = st.sampled_from([None, "", "One", "one ", "Two"])
_texts = st.sampled_from([None, "", "<p>x</p>", "<p>y</p>"])
_dates = st.sampled_from([None, NOW, NOW - timedelta(days=1)])
_items = st.builds(
    ParsedItem,
    guid=st.sampled_from(["1", "2", "3", "4", "5", "6"]),
    title=_titles,
    link=_links,
    published=_dates,
    summary_html=_texts,
)


@settings(max_examples=400, deadline=None)
@given(stored=st.lists(_items, max_size=5), fetch=st.lists(_items, max_size=6))
def test_never_merges_stories_whose_links_and_titles_differ(
    stored: list[ParsedItem], fetch: list[ParsedItem]
) -> None:
    items = {
        identity_of(it): stored_of(ItemWrite(identity_of(it), "h", it, NOW, NOW)) for it in stored
    }
    state = FeedState(feed_id=1, url="u", items=items)
    parsed = ParsedFeed("rss20", items=tuple(fetch))
    plan = decide_success(state, fetched(b"x"), parsed, NOW, POLICY)
    merges = [w for w in plan.changed if w.previous is not None]
    previous = [w.previous for w in merges]
    assert len(previous) == len(set(previous)), "one stored item, one story of the fetch"
    in_fetch = {identity_of(it) for it in fetch}
    for write in merges:
        before = items[write.previous or ""]
        assert write.previous not in in_fetch, "a stored story in the fetch is its own"
        assert write.identity not in items
        same_link = link_key(write.item.link) is not None and (
            link_key(write.item.link) == before.link_key
        )
        assert same_link or same_title(write.item.title, before.title)
