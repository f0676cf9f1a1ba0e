"""WebSub end to end: tidings served on loopback, a hub of the tests' own (``tests/websubhub``)
verifying subscriptions and pushing content, with the real store, pipeline and guarded client."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.websubhub import Hub, Site, entry, serve_site
from tidings.arrival import PushSubscription
from tidings.core import Aggregator
from tidings.schedule.chores import run_chores

pytestmark = pytest.mark.slow


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    started = await Hub().start()
    yield started
    await started.stop()


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async with serve_site(tmp_path / "data") as served:
        yield served


def only(site: Site) -> PushSubscription:
    (sub,) = site.agg.push_subscriptions()
    return sub


async def subscribed(site: Site, hub: Hub) -> PushSubscription:
    """The feed added, the chore turned, the hub's verification answered: active."""
    feed = await site.agg.add_feed(hub.feed_url)
    report = await site.agg.push_tick()
    assert (report.created, report.requested) == (1, 1)
    await hub.settle()
    sub = only(site)
    assert sub.feed_id == feed.id and sub.state == "active", sub
    return sub


async def test_subscription_and_verification(site: Site, hub: Hub) -> None:
    sub = await subscribed(site, hub)
    (request,) = hub.requests
    token = request["hub.callback"].rsplit("/", 1)[1]
    assert request == {
        "hub.mode": "subscribe",
        "hub.topic": hub.feed_url,
        "hub.callback": f"{site.base}/websub/{token}",
        "hub.secret": request["hub.secret"],
        "hub.lease_seconds": str(10 * 24 * 3600),
    }
    assert len(request["hub.secret"]) >= 32
    (verified,) = hub.verifications
    assert verified.echoed and verified.status == 200
    assert sub.lease_seconds == hub.lease_seconds and sub.expires_at is not None
    assert sub.pending_mode is None and sub.error_count == 0
    # a second turn has nothing to do: the subscription is live until its renewal
    again = await site.agg.push_tick()
    assert (again.created, again.requested) == (0, 0)


async def test_a_pushed_item_is_stored_and_shown_without_a_poll(site: Site, hub: Hub) -> None:
    await subscribed(site, hub)
    feed_id = only(site).feed_id
    fetches = len(site.agg.fetch_history(feed_id or 0))
    hub.entries.append(entry(3, "Pushed news"))
    assert await hub.distribute(hub.feed_url, hub.document()) == [202]
    await site.agg.push_settled()
    titles = [i.title for i in site.agg.items(feed_id=feed_id)]
    assert "Pushed news" in titles
    assert "Pushed news" in (await site.get("/")).text
    sub = only(site)
    assert sub.pushes == 1 and sub.last_push_at is not None
    # a push is no fetch: the feed's fetch log did not move
    assert len(site.agg.fetch_history(feed_id or 0)) == fetches


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
async def test_every_signature_method(site: Site, hub: Hub, method: str) -> None:
    await subscribed(site, hub)
    hub.entries.append(entry(4, f"Signed with {method}"))
    assert await hub.distribute(hub.feed_url, hub.document(), method=method) == [202]
    await site.agg.push_settled()
    assert f"Signed with {method}" in [i.title for i in site.agg.items()]


async def test_a_forged_signature_is_ignored_and_logged(
    site: Site, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    await subscribed(site, hub)
    hub.entries.append(entry(5, "Forged"))
    with caplog.at_level(logging.WARNING, logger="tidings.websub"):
        assert await hub.distribute(hub.feed_url, hub.document(), secret="guessed") == [202]
        assert await hub.distribute(hub.feed_url, hub.document(), signature="") == [202]
        assert await hub.distribute(hub.feed_url, hub.document(), signature="md5=00") == [202]
    await site.agg.push_settled()
    assert "Forged" not in [i.title for i in site.agg.items()]
    assert only(site).pushes == 0
    messages = [r.getMessage() for r in caplog.records]
    assert any("does not match the body" in m for m in messages)
    assert any("no X-Hub-Signature" in m for m in messages)
    assert any("'md5' is not one of" in m for m in messages)


async def test_a_replayed_challenge_is_refused(
    site: Site, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    await subscribed(site, hub)
    (verified,) = hub.verifications
    path = verified.callback.removeprefix(site.base)
    with caplog.at_level(logging.WARNING, logger="tidings.websub"):
        replay = await site.get(path, params=verified.query)
        other_topic = await site.get(path, params={**verified.query, "hub.topic": "http://x/"})
    assert (replay.status_code, other_topic.status_code) == (404, 404)
    assert any("no subscribe request is pending" in r.getMessage() for r in caplog.records)
    assert any("is not the subscription's" in r.getMessage() for r in caplog.records)
    assert only(site).state == "active"


async def test_an_unknown_token_is_refused(
    site: Site, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tidings.websub"):
        pushed = await site.post("/websub/not-a-token", content=hub.document())
        verified = await site.get(
            "/websub/not-a-token",
            params={"hub.mode": "subscribe", "hub.topic": hub.feed_url, "hub.challenge": "x"},
        )
    assert (pushed.status_code, verified.status_code) == (404, 404)
    assert sum("unknown callback token" in r.getMessage() for r in caplog.records) == 2


async def test_an_oversized_body_is_refused(
    tmp_path: Path, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve_site(tmp_path / "small", websub_max_body="4000") as site:
        await subscribed(site, hub)
        hub.entries.extend(entry(n, "x" * 500) for n in range(10, 20))
        body = hub.document()
        assert len(body) > 4000
        with caplog.at_level(logging.WARNING, logger="tidings.websub"):
            assert await hub.distribute(hub.feed_url, body) == [413]
            # no Content-Length: the cap holds as the body streams in
            sub_path = hub.verifications[0].callback.removeprefix(site.base)

            async def chunks() -> AsyncIterator[bytes]:
                for at in range(0, len(body), 1000):
                    yield body[at : at + 1000]

            streamed = await site.post(sub_path, content=chunks())
        assert streamed.status_code == 413
        assert sum("(413)" in r.getMessage() for r in caplog.records) == 2
        assert only(site).pushes == 0


async def test_the_lease_is_renewed_before_it_ends(tmp_path: Path) -> None:
    hub = await Hub(lease_seconds=1000).start()
    try:
        async with serve_site(tmp_path / "data") as site:
            first = await subscribed(site, hub)
            assert first.next_action_at is not None and first.expires_at is not None
            # renewed at 80 % of the lease (a short lease: a day before would be before now)
            assert first.next_action_at - (first.expires_at - timedelta(seconds=1000)) == (
                timedelta(seconds=800)
            )
            site.clock.offset = timedelta(seconds=801)
            report = await site.agg.push_tick()
            assert report.requested == 1
            await hub.settle()
            renewed = only(site)
            assert [r["hub.mode"] for r in hub.requests] == ["subscribe", "subscribe"]
            assert renewed.state == "active" and renewed.expires_at is not None
            assert renewed.expires_at > first.expires_at + timedelta(seconds=800)
    finally:
        await hub.stop()


async def test_a_denied_subscription(site: Site, hub: Hub) -> None:
    hub.denied[hub.feed_url] = "not for you"
    await site.agg.add_feed(hub.feed_url)
    await site.agg.push_tick()
    await hub.settle()
    sub = only(site)
    assert (sub.state, sub.last_error, sub.next_action_at) == ("denied", "not for you", None)
    assert (await site.agg.push_tick()).requested == 0  # not asked again


async def test_removing_the_feed_unsubscribes(site: Site, hub: Hub) -> None:
    sub = await subscribed(site, hub)
    site.agg.remove_feed(sub.feed_id or 0)
    assert only(site).feed_id is None
    report = await site.agg.push_tick()
    assert (report.retired, report.requested) == (1, 1)
    await hub.settle()
    assert hub.requests[-1]["hub.mode"] == "unsubscribe"
    assert hub.verifications[-1].mode == "unsubscribe" and hub.verifications[-1].echoed
    assert site.agg.push_subscriptions() == [] and hub.subscribers == {}


async def test_a_push_to_a_subscription_no_longer_active_is_refused(
    site: Site, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    sub = await subscribed(site, hub)
    site.clock.offset = timedelta(seconds=hub.lease_seconds + 1)  # the lease has ended
    with caplog.at_level(logging.WARNING, logger="tidings.websub"):
        assert await hub.distribute(hub.feed_url, hub.document()) == [404]
    assert any("the lease has ended" in r.getMessage() for r in caplog.records)
    assert sub.feed_id is not None


def test_the_chore_runs_beside_the_scheduler() -> None:
    chores = inspect.signature(run_chores).parameters["chores"].default
    (websub,) = [c for c in chores if c.name == "websub subscriptions"]
    assert websub.run is Aggregator.push_tick and websub.every == 10.0


async def test_a_hub_that_verifies_before_it_answers(tmp_path: Path) -> None:
    hub = await Hub(verify_first=True).start()
    try:
        async with serve_site(tmp_path / "data") as site:
            await subscribed(site, hub)
            assert hub.verifications[0].echoed
    finally:
        await hub.stop()


async def test_a_failing_hub_is_retried_on_backoff(
    site: Site, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    hub.failing = 1
    await site.agg.add_feed(hub.feed_url)
    with caplog.at_level(logging.WARNING, logger="tidings.websub"):
        report = await site.agg.push_tick()
    assert (report.requested, report.failed) == (0, 1)
    sub = only(site)
    assert sub.state == "subscribing" and sub.error_count == 1 and sub.pending_mode is None
    assert sub.last_error is not None and "500" in sub.last_error
    assert any("failed" in r.getMessage() for r in caplog.records)
    assert sub.next_action_at is not None
    assert (await site.agg.push_tick()).requested == 0  # not before its backoff
    site.clock.offset = sub.next_action_at - site.clock() + timedelta(seconds=1)
    assert (await site.agg.push_tick()).requested == 1
    await hub.settle()
    sub = only(site)
    assert (sub.state, sub.error_count, sub.last_error) == ("active", 0, None)


async def test_a_flood_of_pushes_is_refused_past_the_rate(
    site: Site, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    await subscribed(site, hub)
    path = hub.verifications[0].callback.removeprefix(site.base)
    answers = []
    with caplog.at_level(logging.WARNING, logger="tidings.websub"):
        for _ in range(60):  # the bucket refills by one a second meanwhile
            answers.append(await site.post(path, content=b"x"))
            if answers[-1].status_code == 429:
                break
    statuses = [a.status_code for a in answers]
    assert statuses[:20] == [202] * 20  # unsigned: acknowledged, ignored
    assert statuses[-1] == 429 and int(answers[-1].headers["retry-after"]) >= 1
    assert any("(429)" in r.getMessage() for r in caplog.records)
