"""Scheduling against a real loopback server: scripted status sequences, what was fetched when.

The clock is injected: ``timeline`` moves it to each stored ``next_check`` in turn and runs the
due updates, so hours of scheduling take milliseconds and nothing sleeps.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from tests.conftest import Clock
from tests.feedserver import FeedServer, RequestRecord, Route
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator

from .test_pipeline import rss

# slow together (about 16 s here): real waits between requests to one host
pytestmark = pytest.mark.slow

MINUTE = 60.0
HOUR = 3600.0


class Script:
    """A route that answers with each route of a list in turn, then repeats the last one."""

    def __init__(self, *routes: Route) -> None:
        self.routes = list(routes)
        self.served = 0

    def __call__(self, record: RequestRecord) -> Route:
        route = self.routes[min(self.served, len(self.routes) - 1)]
        self.served += 1
        return route


@dataclass(frozen=True)
class Check:
    at: float  # seconds after the start of the timeline
    ok: bool
    status: int | None
    error_count: int


async def timeline(
    agg: Aggregator, clock: Clock, feed_id: int, *, hours: float, limit: int = 60
) -> list[Check]:
    """Jump the clock from one due time to the next for ``hours`` and run the due updates."""
    start = clock.now
    end = start + timedelta(hours=hours)
    checks: list[Check] = []
    for _ in range(limit):
        due = agg.store.next_due()
        if due is None or due > end:
            break
        clock.now = max(clock.now, due)
        results = await agg.update()
        for result in results:
            if result.feed_id != feed_id:
                continue
            record = agg.fetch_history(feed_id)[0]
            feed = agg.feed(feed_id)
            checks.append(
                Check(
                    (clock.now - start).total_seconds(),
                    result.ok,
                    record.status,
                    feed.error_count,
                )
            )
    else:
        raise AssertionError(f"more than {limit} checks in {hours} h")
    return checks


def gaps(checks: list[Check]) -> list[float]:
    return [b.at - a.at for a, b in itertools.pairwise(checks)]


def about(seconds: float, expected: float) -> bool:
    """Within the upward jitter (10 %) of ``expected``."""
    return expected - 1 <= seconds <= expected * 1.1 + 1


async def subscribe(agg: Aggregator, server: FeedServer, path: str, *routes: Route) -> int:
    """Add the feed with a plain 200, then let the script answer every later request.

    The feed gets its own interval of an hour: its two items would otherwise make the adaptive
    interval a day, and these tests are about the other rules.
    """
    server.routes[path] = Route(rss("One", "Two"))
    feed = await agg.add_feed(server.url(path), refresh_seconds=3600)
    server.routes[path] = Script(*routes)
    return feed.id


# -- status sequences ----------------------------------------------------------------------------


async def test_200_then_304_follows_the_interval(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    fid = await subscribe(agg, server, "/a.xml", Route(rss("One", "Two")))
    checks = await timeline(agg, clock, fid, hours=5)
    assert [c.status for c in checks] == [304] * len(checks)  # validators sent, 304 back
    assert 4 <= len(checks) <= 5
    assert all(about(g, HOUR) for g in gaps(checks))
    assert server.hits("/a.xml")[-1].headers.get("if-none-match")


async def test_429_with_retry_after_waits_as_asked(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    fid = await subscribe(
        agg,
        server,
        "/busy.xml",
        Route(b"slow down", status=429, headers={"Retry-After": "10800"}, validators=False),
        Route(rss("One", "Two")),
    )
    clock.now += timedelta(hours=1, minutes=10)  # the first due time after the add
    (first,) = await agg.update()
    assert first.error_kind == "http" and "429" in (first.error or "")
    feed = agg.feed(fid)
    assert feed.next_check is not None
    wait = (feed.next_check - clock.now).total_seconds()
    assert about(wait, 3 * HOUR)
    clock.now += timedelta(hours=2)
    assert await agg.update() == []  # not due yet: nothing asked of the server
    assert len(server.hits("/busy.xml")) == 2
    checks = await timeline(agg, clock, fid, hours=2)
    assert checks[0].ok and checks[0].error_count == 0


async def test_503_with_and_without_retry_after(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    fid = await subscribe(
        agg,
        server,
        "/down.xml",
        Route(b"", status=503, headers={"Retry-After": "7200"}, validators=False),
        Route(b"", status=503, validators=False),
        Route(rss("One", "Two")),
    )
    checks = await timeline(agg, clock, fid, hours=5)
    assert [c.status for c in checks[:3]] == [503, 503, 304]  # the validators were kept
    assert about(gaps(checks)[0], 2 * HOUR)  # Retry-After
    assert about(gaps(checks)[1], 30 * MINUTE)  # second failure: 15 min doubled
    assert checks[2].error_count == 0


async def test_500_five_times_then_200_backs_off_and_recovers(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    error = Route(b"oops", status=500, content_type="text/plain", validators=False)
    fid = await subscribe(agg, server, "/flaky.xml", *[error] * 5, Route(rss("Zero", "One", "Two")))
    checks = await timeline(agg, clock, fid, hours=10)
    assert [c.status for c in checks[:6]] == [500] * 5 + [200]
    assert [c.error_count for c in checks[:6]] == [1, 2, 3, 4, 5, 0]
    backoff = gaps(checks)[:5]
    for got, expected in zip(backoff, [15, 30, 60, 120, 240], strict=True):
        assert about(got, expected * MINUTE), backoff
    feed = agg.feed(fid)
    assert feed.item_count == 3 and feed.last_error is None and feed.disabled_reason is None
    assert agg.health() == []


async def test_404_keeps_being_retried_and_is_never_abandoned(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    fid = await subscribe(
        agg, server, "/lost.xml", Route(b"no", status=404, content_type="text/plain")
    )
    checks = await timeline(agg, clock, fid, hours=24 * 8)
    assert len(checks) >= 10 and all(c.status == 404 for c in checks)
    assert max(gaps(checks)) <= 48 * HOUR  # capped, never given up
    (health,) = agg.health()
    assert (health.state, health.error_count) == ("failing", len(checks))
    assert health.next_check is not None and "404" in health.reason


async def test_410_disables_until_enabled_by_hand(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    fid = await subscribe(
        agg,
        server,
        "/gone.xml",
        Route(b"", status=410, validators=False),
        Route(rss("One", "Two", "Three")),
    )
    checks = await timeline(agg, clock, fid, hours=24 * 7)
    assert [c.status for c in checks] == [410]  # and then never again
    (health,) = agg.health()
    assert health.state == "disabled" and "410 Gone" in health.reason
    assert health.next_check is None and health.since is not None
    assert len(server.hits("/gone.xml")) == 2  # the add and the 410
    feed = agg.enable_feed(fid)
    assert feed.disabled_reason is None and feed.error_count == 0
    (result,) = await agg.update()  # due at once
    assert result.ok and result.new == 1
    assert agg.health() == []


async def test_301_three_times_is_adopted(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    server.routes["/new.xml"] = Route(rss("One", "Two"))
    moved = Route(status=301, headers={"Location": "/new.xml"}, validators=False)
    fid = await subscribe(agg, server, "/old.xml", moved)
    assert agg.feed(fid).url == server.url("/old.xml")
    checks = await timeline(agg, clock, fid, hours=3.5)
    assert len(checks) == 3
    assert agg.feed(fid).url == server.url("/new.xml")  # adopted on the third 301
    old_hits = len(server.hits("/old.xml"))
    assert old_hits == 4  # the add (a plain 200) and the three 301s
    await timeline(agg, clock, fid, hours=2)
    assert len(server.hits("/old.xml")) == old_hits  # the old URL is asked no more


async def test_308_is_adopted_and_302_307_never(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    server.routes["/target.xml"] = Route(rss("One", "Two"))
    ids = {}
    for code in (302, 307, 308):
        ids[code] = await subscribe(
            agg,
            server,
            f"/r{code}.xml",
            Route(status=code, headers={"Location": "/target.xml"}, validators=False),
        )
    for _ in range(6):  # six due rounds, each an hour or so apart
        clock.now += timedelta(hours=1, minutes=10)
        await agg.update()
    assert agg.feed(ids[302]).url == server.url("/r302.xml")
    assert agg.feed(ids[307]).url == server.url("/r307.xml")
    assert agg.feed(ids[308]).url == server.url("/target.xml")


async def test_a_redirect_to_a_feed_already_subscribed_is_not_adopted(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    server.routes["/target.xml"] = Route(rss("One", "Two"))
    await agg.add_feed(server.url("/target.xml"))
    moved = Route(status=301, headers={"Location": "/target.xml"}, validators=False)
    fid = await subscribe(agg, server, "/alias.xml", moved)
    for _ in range(4):
        clock.now += timedelta(hours=1, minutes=10)
        await agg.update()
    assert agg.feed(fid).url == server.url("/alias.xml")  # two feeds never share a URL
    assert len({f.url for f in agg.feeds()}) == 2


async def test_hints_from_headers_and_document_survive_a_304(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    body = rss("One", "Two").replace(b"<description>News", b"<ttl>180</ttl><description>News")
    server.routes["/ttl.xml"] = Route(body)
    feed = await agg.add_feed(server.url("/ttl.xml"), refresh_seconds=3600)
    checks = await timeline(agg, clock, feed.id, hours=10)
    assert [c.status for c in checks] == [304] * len(checks)
    assert all(about(g, 3 * HOUR) for g in gaps(checks)), gaps(checks)
    server.routes["/cc.xml"] = Route(rss("One"), headers={"Cache-Control": "max-age=14400"})
    cached = await agg.add_feed(server.url("/cc.xml"), refresh_seconds=3600)
    assert cached.next_check is not None
    assert about((cached.next_check - clock.now).total_seconds(), 4 * HOUR)


# -- fairness and politeness ---------------------------------------------------------------------


@pytest.fixture
def hosts() -> Iterator[list[FeedServer]]:
    servers = [FeedServer(host=f"127.0.1.{n}").start() for n in (1, 2)]
    yield servers
    for srv in servers:
        srv.stop()


@pytest.fixture
async def tight(settings: Settings, clock: Clock) -> AsyncIterator[Aggregator]:
    """Three requests at once in all, two per host."""
    aggregator = make_aggregator(
        replace(settings, max_concurrency=3, per_host_concurrency=2, read_timeout=10), clock=clock
    )
    async with aggregator:
        yield aggregator
    aggregator.close()


def peak_overlap(spans: list[tuple[float, float]]) -> int:
    """The most requests being answered at the same moment, from their (start, end) times."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    peak = level = 0
    for _, step in events:  # an end sorts before a start at the same instant
        level += step
        peak = max(peak, level)
    return peak


def _import(agg: Aggregator, urls: list[str]) -> None:
    outlines = "".join(f'<outline type="rss" xmlUrl="{u}"/>' for u in urls)
    report = agg.import_opml(f'<opml version="2.0"><body>{outlines}</body></opml>'.encode())
    assert len(report.added) == len(urls)


async def test_a_slow_host_never_holds_up_the_others(
    tight: Aggregator, hosts: list[FeedServer]
) -> None:
    slow, fast = hosts
    for n in range(6):
        slow.routes[f"/s{n}.xml"] = Route(rss(f"S{n}"), delay=1.0)
    for n in range(10):  # quick, but long enough that two of them overlap with no global cap
        fast.routes[f"/f{n}.xml"] = Route(rss(f"F{n}"), delay=0.05)
    # the slow host's feeds first, so that they are first in line for the global slots
    _import(tight, [slow.url(f"/s{n}.xml") for n in range(6)])
    _import(tight, [fast.url(f"/f{n}.xml") for n in range(10)])
    started = time.monotonic()
    results = await tight.update()
    assert len(results) == 16 and all(r.ok for r in results)
    fast_done = max(r.at for r in fast.requests) - started
    slow_done = max(r.at for r in slow.requests) - started
    assert slow.max_active <= 2 and fast.max_active <= 2
    assert peak_overlap([*slow.spans, *fast.spans]) <= 3  # the global cap, across hosts
    assert slow_done >= 1.9  # three waves of two: the third starts after two seconds
    # behind the slow host's waves it would be about 3 s; margins for a busy machine
    assert fast_done < 1.5, (fast_done, slow_done)


async def test_the_scheduler_keeps_a_slow_host_from_filling_its_batch(
    tight: Aggregator, hosts: list[FeedServer], clock: Clock
) -> None:
    from tidings.schedule.embedded import EmbeddedScheduler

    slow, fast = hosts
    for n in range(20):
        slow.routes[f"/s{n}.xml"] = Route(rss(f"S{n}"), delay=0.5)
    for n in range(4):
        fast.routes[f"/f{n}.xml"] = Route(rss(f"F{n}"))
    _import(tight, [slow.url(f"/s{n}.xml") for n in range(20)])
    _import(tight, [fast.url(f"/f{n}.xml") for n in range(4)])
    stop = asyncio.Event()
    scheduler = EmbeddedScheduler(
        tight.pipeline, tight.store, clock=clock, batch=6, idle=0.05, grace=0
    )
    started = time.monotonic()
    task = asyncio.create_task(scheduler.run(stop))
    for _ in range(200):
        if len(fast.requests) == 4:
            break
        await asyncio.sleep(0.02)
    fast_done = time.monotonic() - started
    stop.set()
    await task
    assert len(fast.requests) == 4
    assert fast_done < 2.5  # not behind 20 slow feeds (5 s at two at a time)
    assert slow.max_active <= 2


async def test_two_hundred_feeds_on_one_host_two_at_a_time(
    agg: Aggregator, hosts: list[FeedServer]
) -> None:
    one = hosts[0]
    for n in range(200):
        one.routes[f"/{n}.xml"] = Route(rss(f"N{n}"), delay=0.002)
    _import(agg, [one.url(f"/{n}.xml") for n in range(200)])
    results = await agg.update()
    assert len(results) == 200 and all(r.ok for r in results)
    assert one.max_active == 2  # the cap, reached and held, counted at the server
    assert len(one.requests) == 200  # each feed once
    assert len({r.path for r in one.requests}) == 200


async def test_one_feed_updated_twice_at_once_is_fetched_once(
    agg: Aggregator, server: FeedServer
) -> None:
    server.routes["/once.xml"] = Route(rss("One"))
    feed = await agg.add_feed(server.url("/once.xml"))
    server.routes["/once.xml"] = Route(rss("One", "Two"), delay=0.2)
    first, second = await asyncio.gather(agg.update([feed.id]), agg.update([feed.id, feed.id]))
    assert len(server.hits("/once.xml")) == 2  # the add, and one update
    assert first[0].new == 1 and second == first
    assert len(agg.fetch_history(feed.id)) == 2


async def test_two_spellings_of_one_url_are_one_feed(agg: Aggregator, server: FeedServer) -> None:
    from tidings.errors import DuplicateError

    server.routes["/f.xml"] = Route(rss("One"))
    await agg.add_feed(server.url("/f.xml"))
    with pytest.raises(DuplicateError):
        await agg.add_feed(server.url("/f.xml").replace("http://", "HTTP://") + "#top")
    outline = f'<outline xmlUrl="{server.url("/f.xml")}#x"/>'
    report = agg.import_opml(f'<opml version="2.0"><body>{outline}</body></opml>'.encode())
    assert report.added == ()
    server.routes["/alias.xml"] = Route(status=301, headers={"Location": "/f.xml"})
    with pytest.raises(DuplicateError, match="redirects permanently"):
        await agg.add_feed(server.url("/alias.xml"))
    assert len(agg.feeds()) == 1


async def test_a_minimum_gap_between_requests_to_one_host(
    settings: Settings, clock: Clock, hosts: list[FeedServer]
) -> None:
    one, other = hosts
    for n in range(4):
        one.routes[f"/{n}.xml"] = Route(rss(f"N{n}"))
        other.routes[f"/{n}.xml"] = Route(rss(f"N{n}"))
    gapped = make_aggregator(replace(settings, host_min_gap=0.4), clock=clock)
    async with gapped:
        _import(gapped, [s.url(f"/{n}.xml") for s in hosts for n in range(4)])
        await gapped.update()
    gapped.close()
    for srv in hosts:
        starts = sorted(r.at for r in srv.requests)
        assert len(starts) == 4
        assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.35  # 0.4, less noise
    # hosts are gapped separately: the two hosts' first requests come together
    assert abs(min(r.at for r in one.requests) - min(r.at for r in other.requests)) < 0.3


# -- the list and the history --------------------------------------------------------------------


async def test_fetch_history_records_each_fetch(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    fid = await subscribe(
        agg,
        server,
        "/h.xml",
        Route(b"x", status=500, content_type="text/plain", validators=False),
        Route(rss("Zero", "One", "Two")),
    )
    await timeline(agg, clock, fid, hours=2)
    recovered, failed, added = agg.fetch_history(fid)  # newest first
    assert (recovered.status, failed.status, added.status) == (200, 500, 200)
    assert (recovered.new_items, failed.new_items, added.new_items) == (1, 0, 2)
    assert failed.error and "500" in failed.error and recovered.error is None
    assert recovered.at > failed.at > added.at
    assert recovered.bytes > 0 and failed.bytes == 0
