"""An update's state and its plan applied in one transaction: items, tombstones, validators,
failures, hints and redirects."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from tests.store.plans import NOW, failed, ok, write
from tidings.store.fulltext import backend_for
from tidings.store.searchquery import parse_query
from tidings.store.store import Store
from tidings.types import Enclosure, FeedMeta, ParsedItem, UpdatePlan
from tidings.update.batch import Batched
from tidings.update.decide import identity_of


def test_apply_writes_items_meta_validators_and_log(store: Store) -> None:
    fid = store.add_feed("https://e.org/feed", now=NOW)
    a = ParsedItem(
        guid="a",
        title="A",
        link="https://e.org/a",
        published=NOW - timedelta(days=1),
        summary_html="<p>a</p>",
        enclosures=(Enclosure("https://e.org/a.mp3", "audio/mpeg", 123),),
        categories=("x",),
    )
    b = ParsedItem(guid="b", title="B", published=NOW - timedelta(days=2))
    plan = UpdatePlan(
        feed_id=fid,
        checked_at=NOW,
        next_check=NOW + timedelta(hours=1),
        status=200,
        duration_ms=12,
        bytes=345,
        new=(write(a), write(b)),
        meta=FeedMeta("Feed title", "https://e.org/", "About", None),
        etag='"v1"',
        last_modified="Sat, 28 Nov 2026 10:00:00 GMT",
        body_hash="h1",
    )
    assert store.apply(plan)
    feed = store.get_feed(fid)
    assert (feed.title, feed.site_url, feed.description) == (
        "Feed title",
        "https://e.org/",
        "About",
    )
    assert (feed.etag, feed.last_modified) == ('"v1"', "Sat, 28 Nov 2026 10:00:00 GMT")
    assert feed.item_count == 2 and feed.last_success == NOW and feed.error_count == 0
    got = store.items(feed_id=fid)
    assert [i.title for i in got] == ["A", "B"]
    assert got[0].enclosures == (Enclosure("https://e.org/a.mp3", "audio/mpeg", 123),)
    assert got[0].categories == ("x",) and got[0].feed_title == "Feed title"
    state = store.feed_state(fid)
    assert set(state.items) == {identity_of(a), identity_of(b)} and state.body_hash == "h1"
    light = store.feed_state(fid, with_items=False)  # what a 304 needs
    assert light.items == {} and light.body_hash == "h1" and light.etag == '"v1"'
    assert light.item_dates is not None
    assert sorted(light.item_dates) == sorted(s.sort_date for s in state.items.values())
    log = store.fetch_history(fid)
    assert len(log) == 1 and log[0].new_items == 2 and log[0].bytes == 345


def test_changed_items_keep_first_seen_and_expired_leave_tombstones(store: Store) -> None:
    fid = store.add_feed("https://e.org/feed", now=NOW)
    a = ParsedItem(guid="a", title="A")
    first = NOW - timedelta(days=3)
    store.apply(UpdatePlan(fid, first, NOW, new=(write(a, first_seen=first),)))
    edited = ParsedItem(guid="a", title="A, edited")
    store.apply(UpdatePlan(fid, NOW, NOW, changed=(write(edited, first_seen=first),)))
    (item,) = store.items(feed_id=fid)
    assert item.title == "A, edited" and item.first_seen == first
    store.apply(UpdatePlan(fid, NOW, NOW, expired=(identity_of(a), identity_of(a))))
    assert store.items(feed_id=fid) == []
    assert store.feed_state(fid).tombstones == frozenset({identity_of(a)})
    store.apply(UpdatePlan(fid, NOW, NOW, expired=(identity_of(a),)))  # idempotent


def test_failure_keeps_validators_and_items_and_410_disables(store: Store) -> None:
    fid = store.add_feed("https://e.org/feed", now=NOW)
    store.apply(
        UpdatePlan(fid, NOW, NOW, new=(write(ParsedItem(guid="a")),), etag="e", body_hash="h")
    )
    store.apply(
        UpdatePlan(
            fid,
            NOW,
            NOW + timedelta(hours=1),
            error="HTTP 500",
            error_kind="http",
            error_count=1,
            error_since=NOW,
        )
    )
    feed = store.get_feed(fid)
    assert feed.etag == "e" and feed.item_count == 1
    assert (feed.error_count, feed.last_error) == (1, "HTTP 500")
    assert store.due_feed_ids(NOW + timedelta(hours=2)) == [fid]
    store.apply(
        UpdatePlan(
            fid,
            NOW,
            NOW,
            error="HTTP 410 Gone",
            error_count=2,
            disabled_reason="HTTP 410 Gone: removed",
        )
    )
    assert store.get_feed(fid).disabled_reason == "HTTP 410 Gone: removed"
    assert store.due_feed_ids(NOW + timedelta(days=9)) == []


def test_apply_to_a_removed_feed_is_a_no_op(store: Store) -> None:
    fid = store.add_feed("https://e.org/feed", now=NOW)
    store.remove_feed(fid)
    assert store.apply(UpdatePlan(fid, NOW, NOW, new=(write(ParsedItem(guid="a")),))) is False


def test_hints_and_redirect_tracking_are_kept_and_failures_leave_hints(store: Store) -> None:
    fid = store.add_feed("https://e.org/f", now=NOW)
    store.apply(
        ok(
            fid,
            NOW,
            ttl_minutes=90,
            skip_hours=frozenset({0, 23}),
            skip_days=frozenset({"Sunday", "Monday"}),
            redirect_url="https://e.org/g",
            redirect_count=2,
        )
    )
    state = store.feed_state(fid)
    assert (state.ttl_minutes, state.skip_hours, state.skip_days) == (
        90,
        frozenset({0, 23}),
        frozenset({"Sunday", "Monday"}),
    )
    assert (state.redirect_url, state.redirect_count) == ("https://e.org/g", 2)
    store.apply(failed(fid, NOW + timedelta(hours=1), 1))
    after = store.feed_state(fid)
    assert after.ttl_minutes == 90 and after.skip_hours == frozenset({0, 23})
    assert (after.redirect_url, after.redirect_count) == (None, 0)  # the run was broken


def test_adopting_a_redirect_changes_the_url_unless_another_feed_has_it(store: Store) -> None:
    fid = store.add_feed("https://e.org/old", now=NOW)
    taken = store.add_feed("https://e.org/taken", now=NOW)
    store.apply(
        ok(fid, NOW, redirect_url="https://e.org/taken", redirect_count=3, adopt_redirect=True)
    )
    assert store.get_feed(fid).url == "https://e.org/old"
    assert store.feed_state(fid).redirect_count == 3  # still tracked
    store.remove_feed(taken)
    store.apply(
        ok(fid, NOW, redirect_url="https://e.org/taken", redirect_count=4, adopt_redirect=True)
    )
    state = store.feed_state(fid)
    assert state.url == "https://e.org/taken"
    assert (state.redirect_url, state.redirect_count) == (None, 0)


def test_a_group_of_plans_is_written_as_each_would_be_alone(store: Store) -> None:
    feeds = [store.add_feed(f"https://e.org/{n}", now=NOW) for n in range(3)]
    first = ParsedItem(guid="a", title="A story", summary_html="<p>About ferries</p>")
    plans = [
        ok(feeds[0], NOW, new=(write(first),), etag='"e0"'),
        replace(ok(feeds[1], NOW, etag='"e1"'), not_modified=True, status=304),
        failed(feeds[2], NOW, 1),
        ok(9_999, NOW),  # a feed removed meanwhile
    ]
    assert store.apply_many(plans) == [True, True, True, False]
    assert [store.get_feed(f).etag for f in feeds] == ['"e0"', '"e1"', None]
    assert store.get_feed(feeds[2]).error_count == 1
    assert [len(store.fetch_history(f)) for f in feeds] == [1, 1, 1]
    assert [
        h.item.title
        for h in backend_for(store.engine).search(parse_query("ferries"), limit=5, offset=0)
    ] == ["A story"]  # indexed for search in the same write


def test_a_plan_the_database_refuses_costs_the_rest_of_its_group_nothing(store: Store) -> None:
    a, b = (store.add_feed(f"https://e.org/{n}", now=NOW) for n in "ab")
    twice = write(ParsedItem(guid="same", title="Twice"))
    bad = ok(a, NOW, new=(twice, twice))  # one identity inserted twice: a unique violation
    good = ok(b, NOW, new=(write(ParsedItem(guid="g", title="Good")),))
    with pytest.raises(IntegrityError):  # the group is all or nothing ...
        store.apply_many([bad, good])
    assert store.get_feed(b).item_count == 0

    async def as_the_pipeline_writes() -> list[bool | BaseException]:
        # ... and the pipeline's batches retry a refused group plan by plan (update.batch)
        with ThreadPoolExecutor(max_workers=1) as pool:
            writes: Batched[UpdatePlan, bool] = Batched(store.apply_many, pool, limit=10)
            return list(await asyncio.gather(writes(bad), writes(good), return_exceptions=True))

    results = asyncio.run(as_the_pipeline_writes())
    assert isinstance(results[0], Exception) and results[1] is True
    assert store.get_feed(a).item_count == 0 and store.get_feed(a).last_checked is None
    assert store.get_feed(b).item_count == 1


def test_a_light_state_reads_recent_dates_and_counts_the_others(store: Store) -> None:
    fid = store.add_feed("https://e.org/f", now=NOW)
    dated = [
        ParsedItem(guid=str(n), title=str(n), published=NOW - timedelta(days=days))
        for n, days in enumerate((1, 2, 100, 200, 300))
    ]
    store.apply(ok(fid, NOW, new=tuple(write(i) for i in dated)))
    since = NOW - timedelta(days=28)
    light = store.update_states([fid], with_items=False, dates_since=since)[fid]
    assert light.item_dates is not None and len(light.item_dates) == 2
    assert light.older_items == 3
    every = store.update_states([fid], with_items=False)[fid]
    assert every.item_dates is not None and len(every.item_dates) == 5
    assert every.older_items == 0
