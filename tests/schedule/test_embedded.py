"""The embedded scheduler: it outlives every error, stops cleanly, and resumes from the store."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tests.update.test_pipeline import rss
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator
from tidings.logs import KeyValueFormatter
from tidings.schedule.embedded import EmbeddedScheduler
from tidings.types import UpdateResult

# slow together (about 4 to 5 s here): the scheduler loop running in real time
pytestmark = pytest.mark.slow


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


class Run:
    """A scheduler running in the background, collecting its results."""

    def __init__(self, agg: Aggregator, *, grace: float = 5.0) -> None:
        self.results: list[UpdateResult] = []
        self.stop = asyncio.Event()
        self.scheduler = EmbeddedScheduler(
            agg.pipeline,
            agg.store,
            clock=agg.clock,
            batch=16,
            idle=0.05,
            grace=grace,
            on_results=self.results.extend,
        )
        self.task = asyncio.create_task(self.scheduler.run(self.stop))

    def of(self, feed_id: int) -> list[UpdateResult]:
        return [r for r in self.results if r.feed_id == feed_id]

    async def finish(self) -> float:
        started = time.monotonic()
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=15)
        return time.monotonic() - started


def opml(*urls: str) -> bytes:
    return (
        '<opml version="2.0"><body>'
        + "".join(f'<outline xmlUrl="{u}"/>' for u in urls)
        + "</body></opml>"
    ).encode()


async def test_the_loop_outlives_every_kind_of_error(
    agg: Aggregator, server: FeedServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/good.xml"] = Route(rss("One"))
    server.routes["/bad.xml"] = Route(b"no", status=500, content_type="text/plain")
    server.routes["/junk.xml"] = Route(b"\x00\x01 not a feed", content_type="text/plain")
    server.routes["/bug.xml"] = Route(rss("Two"))
    agg.import_opml(
        opml(*(server.url(p) for p in ("/good.xml", "/bad.xml", "/junk.xml", "/bug.xml")))
    )
    bug_id = agg.feed(server.url("/bug.xml")).id
    real_states = agg.store.update_states
    real_due = agg.store.due_feeds
    broken = {"due": 2}

    def update_states(feed_ids, **kw):  # type: ignore[no-untyped-def]
        if bug_id in feed_ids:
            raise RuntimeError("a bug in one feed's path")
        return real_states(feed_ids, **kw)

    def due_feeds(now, limit=10_000):  # type: ignore[no-untyped-def]
        if broken["due"]:
            broken["due"] -= 1
            raise OSError("database is locked")  # the loop's own work fails, twice
        return real_due(now, limit)

    monkeypatch.setattr(agg.store, "update_states", update_states)
    monkeypatch.setattr(agg.store, "due_feeds", due_feeds)
    run = Run(agg)
    await until(lambda: len(run.results) >= 4)
    assert broken["due"] == 0
    kinds = {r.url or r.feed_id: r.error_kind for r in run.results}
    assert kinds[server.url("/good.xml")] is None
    assert kinds[server.url("/bad.xml")] == "http"
    assert kinds[server.url("/junk.xml")] == "not_a_feed"
    assert kinds[bug_id] == "internal"
    # the bug could not even read its feed, so its failure is not stored: the loop holds the
    # feed back rather than fetching it again and again; everything else goes on
    assert bug_id in run.scheduler.held
    clock.now += timedelta(days=2)  # past every interval: adaptive (a day) and backoff
    await until(lambda: len(run.of(agg.feed(server.url("/good.xml")).id)) == 2)
    await until(lambda: len(run.of(agg.feed(server.url("/bad.xml")).id)) == 2)
    await run.finish()
    assert not run.task.cancelled() and run.task.exception() is None
    assert len(run.of(bug_id)) == 1


async def test_a_bug_after_the_fetch_is_stored_as_a_failure_that_backs_off(
    agg: Aggregator, server: FeedServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/f.xml"] = Route(rss("One"))
    agg.import_opml(opml(server.url("/f.xml")))
    real_apply_many = agg.store.apply_many

    def apply_many(plans):  # type: ignore[no-untyped-def]
        if any(plan.ok for plan in plans):
            raise RuntimeError("a bug while writing items")
        return real_apply_many(plans)

    monkeypatch.setattr(agg.store, "apply_many", apply_many)
    (result,) = await agg.update()
    assert result.error_kind == "internal" and "a bug while writing" in (result.error or "")
    feed = agg.feeds()[0]
    assert feed.error_count == 1 and feed.next_check and feed.next_check > clock.now
    assert feed.item_count == 0 and agg.due_feed_ids() == []
    assert len(server.hits("/f.xml")) == 1


async def test_stop_abandons_a_slow_fetch_cleanly_and_a_restart_resumes(
    settings: Settings, server: FeedServer, clock: Clock
) -> None:
    server.routes["/slow.xml"] = Route(rss("Slow"), delay=3.0)
    server.routes["/fast.xml"] = Route(rss("Fast"))
    agg = make_aggregator(settings, clock=clock)
    agg.import_opml(opml(server.url("/slow.xml"), server.url("/fast.xml")))
    slow = agg.feed(server.url("/slow.xml"))
    async with agg:
        run = Run(agg, grace=0.1)
        await until(lambda: len(run.results) == 1 and len(server.hits("/slow.xml")) == 1)
        took = await run.finish()
    assert took < 2.0  # the grace, not the slow answer
    assert run.scheduler.in_flight == {}
    after = agg.feed(slow.id)
    assert after.last_checked is None and after.item_count == 0  # nothing half-written
    assert after.next_check == slow.next_check  # still due
    assert agg.store.fetch_history(slow.id) == []
    agg.close()
    # a new process over the same database picks up exactly what is due
    server.routes["/slow.xml"] = Route(rss("Slow"))  # (within the read timeout this time)
    again = make_aggregator(settings, clock=clock)
    async with again:
        run = Run(again)
        await until(lambda: len(run.results) == 1)
        await run.finish()
    assert [r.feed_id for r in run.results] == [slow.id]
    assert again.feed(slow.id).item_count == 1
    assert len(server.hits("/fast.xml")) == 1  # not fetched again: it was not due
    again.close()


async def test_stop_lets_fetches_in_flight_finish_within_the_grace(
    agg: Aggregator, server: FeedServer
) -> None:
    server.routes["/slowish.xml"] = Route(rss("One", "Two"), delay=0.4)
    agg.import_opml(opml(server.url("/slowish.xml")))
    run = Run(agg, grace=5)
    await until(lambda: len(server.hits("/slowish.xml")) == 1)
    await run.finish()
    assert [r.new for r in run.results] == [2]
    assert agg.feeds()[0].item_count == 2


async def test_feeds_start_as_they_come_due(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    server.routes["/now.xml"] = Route(rss("Now"))
    server.routes["/later.xml"] = Route(rss("Later"))
    now_id = agg.store.add_feed(server.url("/now.xml"), now=clock.now)
    later_id = agg.store.add_feed(
        server.url("/later.xml"), now=clock.now, next_check=clock.now + timedelta(minutes=20)
    )
    run = Run(agg)
    await until(lambda: len(run.results) == 1)
    await asyncio.sleep(0.2)
    assert [r.feed_id for r in run.results] == [now_id]
    clock.now += timedelta(minutes=21)
    await until(lambda: len(run.results) == 2)
    await run.finish()
    assert [r.feed_id for r in run.results] == [now_id, later_id]


async def test_every_log_line_about_a_feed_carries_its_id(
    agg: Aggregator, server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/a.xml"] = Route(rss("A"))
    server.routes["/b.xml"] = Route(b"", status=503)
    agg.import_opml(opml(server.url("/a.xml"), server.url("/b.xml")))
    with caplog.at_level(logging.DEBUG, logger="tidings"):
        await agg.update()
    about_feeds = [r for r in caplog.records if r.name == "tidings.update"]
    assert len(about_feeds) == 2
    for record in about_feeds:
        fid = getattr(record, "feed_id", None)
        assert isinstance(fid, int)
        line = KeyValueFormatter().format(record)
        assert f"feed_id={fid} " in line and "outcome=" in line and "url=http" in line
    failed = next(r for r in about_feeds if r.levelno == logging.WARNING)
    assert 'msg="feed ' in KeyValueFormatter().format(failed)
    assert getattr(failed, "status", None) == 503
