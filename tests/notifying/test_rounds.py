"""The sender, the feed-health notices and the digests, end to end: Apprise's json:// target
pointed at a real webhook receiver on loopback, a real SQLite file, a test clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tests.notifying.receiver import receiving
from tests.test_reading import rss
from tidings.arrival import RuleDraft
from tidings.core import Aggregator
from tidings.schedule.chores import CHORES, run_chores

SECOND = timedelta(seconds=1)


def queue_item(agg: Aggregator, target_id: int, title: str) -> None:
    """What a rule's "notify" action does: one row in the outbox, due now."""
    agg.outbox.queue(
        [target_id],
        kind="item",
        title=title,
        body="",
        link=f"https://e.org/{title}",
        now=agg.clock(),
    )


async def test_a_queued_item_arrives_at_the_webhook(agg: Aggregator) -> None:
    async with receiving() as hook:
        target = agg.add_notify_target(None, hook.url, name="hook")
        queue_item(agg, target.id, "Ferries resume")
        report = await agg.send_notifications()
        assert (report.sent, report.batches, report.failed) == (1, 1, 0)
        (message,) = hook.received
        assert message["title"] == "Ferries resume"
        assert "https://e.org/Ferries resume" in message["message"]
        (shown,) = agg.notify_targets(None)
        assert (shown.pending, shown.failures, shown.delivered_at) == (0, 0, agg.clock())


async def test_items_queued_within_the_minute_arrive_in_one_message(
    agg: Aggregator, clock: Clock
) -> None:
    async with receiving() as hook:
        target = agg.add_notify_target(None, hook.url)
        queue_item(agg, target.id, "first")
        await agg.send_notifications()
        for title in ("a", "b", "c"):
            clock.now += 10 * SECOND
            queue_item(agg, target.id, title)
            assert (await agg.send_notifications()).batches == 0  # its minute is not over
        clock.now += 30 * SECOND
        report = await agg.send_notifications()
        assert (report.sent, report.batches) == (3, 1)
        assert [m["title"] for m in hook.received] == ["first", "3 new items"]
        body = hook.received[1]["message"]
        assert [line for line in body.splitlines() if line.startswith("•")] == [
            "• a",
            "• b",
            "• c",
        ]
        assert "https://e.org/b" in body


async def test_a_long_batch_lists_twenty_and_counts_the_rest(agg: Aggregator) -> None:
    async with receiving() as hook:
        target = agg.add_notify_target(None, hook.url)
        for number in range(25):
            queue_item(agg, target.id, f"item{number}")
        assert (await agg.send_notifications()).sent == 25
        (message,) = hook.received
        assert message["title"] == "25 new items"
        assert message["message"].endswith("… and 5 more")
        assert "item19" in message["message"] and "item20" not in message["message"]


async def test_a_refused_connection_is_retried_with_backoff_until_it_arrives(
    agg: Aggregator, clock: Clock
) -> None:
    async with receiving() as hook:
        port = hook.port
        target = agg.add_notify_target(None, hook.url)
    queue_item(agg, target.id, "waiting")  # the receiver is gone: connection refused
    report = await agg.send_notifications()
    assert (report.sent, report.failed) == (0, 1)
    (shown,) = agg.notify_targets(None)
    assert shown.failures == 1 and shown.last_error and shown.pending == 1
    # the rest after n failures: 1 min (the gap between batches), 1 min, 2 min, 4 min ...
    for rest, failures in ((60, 2), (60, 3), (120, 4), (240, 5)):
        clock.now += (rest - 1) * SECOND
        assert (await agg.send_notifications()).failed == 0
        clock.now += SECOND
        assert (await agg.send_notifications()).failed == 1
        assert agg.notify_targets(None)[0].failures == failures
    queue_item(agg, target.id, "later")
    async with receiving(port) as hook:
        clock.now += 480 * SECOND
        report = await agg.send_notifications()
        assert (report.sent, report.batches) == (2, 1)
        assert hook.received[0]["title"] == "2 new items"
    (shown,) = agg.notify_targets(None)
    assert (shown.failures, shown.last_error, shown.pending) == (0, None, 0)


async def test_a_failing_service_keeps_the_message_and_records_why(
    agg: Aggregator, clock: Clock
) -> None:
    async with receiving() as hook:
        hook.status = 500
        target = agg.add_notify_target(None, hook.url)
        queue_item(agg, target.id, "x")
        assert (await agg.send_notifications()).failed == 1
        assert hook.refused == 1
        (shown,) = agg.notify_targets(None)
        assert shown.last_error is not None and "500" in shown.last_error
        hook.status = 200
        clock.now += 60 * SECOND
        assert (await agg.send_notifications()).sent == 1


async def test_a_receiver_that_hangs_does_not_hold_up_an_update(
    agg: Aggregator, server: FeedServer
) -> None:
    server.routes["/f.xml"] = Route(rss("One", "Two"))
    feed = await agg.add_feed(server.url("/f.xml"))
    server.routes["/f.xml"] = Route(rss("One", "Two", "Three"))
    async with receiving() as hook:
        hook.delay = 3.0
        target = agg.add_notify_target(None, hook.url)
        queue_item(agg, target.id, "slow")
        sending = asyncio.create_task(agg.send_notifications())
        await asyncio.wait_for(hook.arrived.wait(), 10)
        (result,) = await asyncio.wait_for(agg.update([feed.id]), 10)
        assert result.new == 1 and not sending.done()  # updated while the webhook hangs
        assert (await asyncio.wait_for(sending, 20)).sent == 1


async def test_the_chore_delivers_beside_the_loop(agg: Aggregator) -> None:
    chores = [c for c in CHORES if c.name == "send notifications"]
    async with receiving() as hook:
        target = agg.add_notify_target(None, hook.url)
        queue_item(agg, target.id, "by the chore")
        stop = asyncio.Event()
        running = asyncio.create_task(run_chores(agg, stop, chores))
        for _ in range(100):
            if hook.received:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(running, 10)
    assert [m["title"] for m in hook.received] == ["by the chore"]


async def test_a_feed_failing_for_a_day_is_told_to_the_sites_targets(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    server.routes["/f.xml"] = Route(rss("One"))
    feed = await agg.add_feed(server.url("/f.xml"), title="Ferries")
    server.routes["/f.xml"] = Route(b"down", status=500)
    async with receiving() as hook:
        agg.add_notify_target(None, hook.url)
        person = agg.add_user("bob", "correct horse battery")
        agg.add_notify_target(person.id, hook.url)  # a person's target hears nothing of it
        await agg.update([feed.id])
        assert await agg.notify_feed_health() == 0
        clock.now += timedelta(hours=23)
        await agg.update([feed.id])
        assert await agg.notify_feed_health() == 0
        clock.now += timedelta(hours=1)
        assert await agg.notify_feed_health() == 1
        assert await agg.notify_feed_health() == 0  # told once
        await agg.send_notifications()
        assert [m["title"] for m in hook.received] == ["Feed failing for a day: Ferries"]
        assert "500" in hook.received[0]["message"]
        server.routes["/f.xml"] = Route(rss("One", "Two"))
        clock.now += timedelta(hours=1)
        await agg.update([feed.id])
        assert await agg.notify_feed_health() == 1
        await agg.send_notifications()
        assert hook.received[-1]["title"] == "Feed works again: Ferries"
        assert len(hook.received) == 2


async def test_the_daily_digest_lists_the_days_new_items(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    async with receiving() as hook:
        site = agg.add_notify_target(None, hook.url, digest=True)
        bob = agg.add_user("bob", "correct horse battery")
        mine = agg.add_notify_target(bob.id, hook.url, digest=True)
        assert await agg.queue_digests() == 0  # the first one in a day
        clock.now += timedelta(hours=1)
        server.routes["/f.xml"] = Route(rss("One", "Two", "Three"))
        feed = await agg.add_feed(server.url("/f.xml"), title="Ferries")
        await agg.subscribe(bob.id, server.url("/f.xml"))
        two = next(i.id for i in agg.items(feed_id=feed.id) if i.title == "Two")
        agg.set_read(bob.id, [two])
        clock.now += timedelta(hours=23)
        assert await agg.queue_digests() == 2
        assert await agg.queue_digests() == 0
        await agg.send_notifications()
        titles = sorted(m["title"] for m in hook.received)
        assert titles == ["tidings: 2 new items today", "tidings: 3 new items today"]
        for message in hook.received:
            assert message["message"].startswith("Ferries (")
        bobs = next(m for m in hook.received if m["title"].startswith("tidings: 2"))
        assert "Two" not in bobs["message"] and "One" in bobs["message"]
        assert feed.id and site.id != mine.id


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("bogus://x", "unknown notification service bogus://"),
        ("json://", "malformed json:// URL"),
        ("example.org/hook", "not an Apprise URL"),
        ("", "a notification URL is needed"),
    ],
)
def test_a_url_apprise_cannot_use_is_refused_with_the_reason(
    agg: Aggregator, url: str, says: str
) -> None:
    from tidings.notifying import TargetURLError

    with pytest.raises(TargetURLError, match=says):
        agg.add_notify_target(None, url)
    assert agg.notify_targets(None) == []


async def test_a_message_is_given_up_after_a_day_with_the_reason(
    agg: Aggregator, clock: Clock
) -> None:
    async with receiving() as hook:
        hook.status = 500
        target = agg.add_notify_target(None, hook.url)
        queue_item(agg, target.id, "never")
        assert (await agg.send_notifications()).failed == 1
        clock.now += timedelta(hours=24)
        report = await agg.send_notifications()
        assert (report.failed, report.given_up) == (0, 1)
        (shown,) = agg.notify_targets(None)
        assert (shown.pending, shown.given_up) == (0, 1)
        assert hook.refused == 1


async def test_a_rule_that_notifies_reaches_the_webhook_through_an_update(
    agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    server.routes["/f.xml"] = Route(rss("Calm seas"))
    feed = await agg.add_feed(server.url("/f.xml"), title="Ferries")
    agg.add_rule(RuleDraft("storms", "title", "contains", "storm", "notify"))
    async with receiving() as hook:
        agg.add_notify_target(None, hook.url)
        server.routes["/f.xml"] = Route(rss("Calm seas", "Storm warning", "Storm over"))
        clock.now += timedelta(hours=2)
        (result,) = await agg.update([feed.id])
        assert result.new == 2
        report = await agg.send_notifications()
        assert (report.sent, report.batches) == (2, 1)
        (message,) = hook.received
        assert message["title"] == "2 new items"
        assert "• Storm warning" in message["message"] and "Calm" not in message["message"]
