"""The WebSub subscriptions' room (store/push.py) on SQLite and PostgreSQL: rows made for feeds
that name a hub, claimed once, verified only while their request is pending, retired with
their feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from tidings.store.schema import feeds
from tidings.store.store import Store

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HUB, TOPIC = "https://hub.example/", "https://pub.example/feed"


def hubbed(store: Store, url: str = "https://pub.example/feed", hub: str = HUB) -> int:
    feed_id = store.add_feed(url, now=NOW)
    with store.engine.begin() as conn:
        conn.execute(
            update(feeds).where(feeds.c.id == feed_id).values(websub_hub=hub, websub_topic=TOPIC)
        )
    return feed_id


def test_a_row_per_feed_that_names_a_hub(store: Store) -> None:
    feed_id = hubbed(store)
    store.add_feed("https://other.example/feed", now=NOW)  # no hub: no row
    assert store.push_create(NOW) == 1
    assert store.push_create(NOW) == 0  # one live row a feed
    (sub,) = store.push_subscriptions()
    assert (sub.feed_id, sub.hub, sub.topic, sub.state) == (feed_id, HUB, TOPIC, "subscribing")
    (target,) = store.push_due(NOW, NOW + timedelta(hours=1))
    assert len(target.token) >= 40 and len(target.secret) >= 60
    assert store.push_target(target.token) == target
    assert store.push_target("nope") is None
    # claimed: another process finds nothing due until the claim's end
    assert store.push_due(NOW, NOW + timedelta(hours=1)) == []
    assert len(store.push_due(NOW + timedelta(hours=2), NOW + timedelta(hours=3))) == 1


def test_verification_only_of_the_pending_request(store: Store) -> None:
    hubbed(store)
    store.push_create(NOW)
    (target,) = store.push_due(NOW, NOW)
    end, renew = NOW + timedelta(seconds=100), NOW + timedelta(seconds=80)

    def verify(token: str, topic: str) -> bool:
        return store.push_verified(
            token, topic, now=NOW, lease_seconds=100, expires_at=end, renew_at=renew
        )

    assert not verify(target.token, TOPIC)  # nothing requested yet
    store.push_requested(target.id, "subscribe", NOW, NOW + timedelta(hours=1))
    assert not verify(target.token, "https://else.example/")
    assert not store.push_unsubscribed(target.token, TOPIC)  # another mode
    assert verify(target.token, TOPIC)
    assert not verify(target.token, TOPIC)  # a replay
    (sub,) = store.push_subscriptions()
    assert (sub.state, sub.pending_mode, sub.lease_seconds) == ("active", None, 100)
    assert sub.next_action_at == NOW + timedelta(seconds=80)
    store.push_counted(target.id, NOW)
    store.push_counted(target.id, NOW)
    assert store.push_subscriptions()[0].pushes == 2


def test_failures_and_denial(store: Store) -> None:
    hubbed(store)
    store.push_create(NOW)
    (target,) = store.push_due(NOW, NOW)
    store.push_requested(target.id, "subscribe", NOW, NOW)
    assert store.push_failed(target.id, "subscribe", "500", NOW + timedelta(minutes=5)) == 1
    assert store.push_unverified(target.id, "no answer") == 2
    (sub,) = store.push_subscriptions()
    assert (sub.error_count, sub.last_error, sub.pending_mode) == (2, "no answer", None)
    assert store.push_denied(target.token, TOPIC, "no thanks")
    (sub,) = store.push_subscriptions()
    assert (sub.state, sub.last_error, sub.next_action_at) == ("denied", "no thanks", None)
    assert store.push_due(NOW + timedelta(days=9), NOW) == []  # a denial is not retried
    assert store.push_create(NOW) == 0  # nor subscribed again


def test_retired_with_its_feed(store: Store) -> None:
    feed_id = hubbed(store)
    never_asked = hubbed(store, "https://pub.example/other", "https://hub2.example/")
    store.push_create(NOW)
    for target in store.push_due(NOW, NOW):
        store.push_requested(target.id, "subscribe", NOW, NOW)
    store.push_delete(  # the second one was never requested after all
        next(s.id for s in store.push_subscriptions() if s.feed_id == never_asked)
    )
    store.push_create(NOW)
    store.remove_feed(feed_id)
    store.remove_feed(never_asked)
    assert store.push_retire(NOW) == 2
    (sub,) = store.push_subscriptions()  # the one the hub never heard of is gone
    assert (sub.feed_id, sub.state, sub.next_action_at) == (None, "unsubscribing", NOW)
    (target,) = store.push_due(NOW, NOW + timedelta(hours=1))
    store.push_requested(target.id, "unsubscribe", NOW, NOW + timedelta(hours=1))
    assert store.push_unsubscribed(target.token, TOPIC)
    assert store.push_subscriptions() == []


def test_a_changed_hub_retires_the_old_subscription(store: Store) -> None:
    feed_id = hubbed(store)
    store.push_create(NOW)
    (target,) = store.push_due(NOW, NOW)
    store.push_requested(target.id, "subscribe", NOW, NOW)
    with store.engine.begin() as conn:
        conn.execute(update(feeds).where(feeds.c.id == feed_id).values(websub_hub="https://new/"))
    assert store.push_retire(NOW) == 1
    assert store.push_create(NOW) == 1
    states = sorted((s.hub, s.state) for s in store.push_subscriptions())
    assert states == [("https://hub.example/", "unsubscribing"), ("https://new/", "subscribing")]


def test_an_ended_lease_is_expired_and_subscribed_again(store: Store) -> None:
    hubbed(store)
    store.push_create(NOW)
    (target,) = store.push_due(NOW, NOW)
    store.push_requested(target.id, "subscribe", NOW, NOW)
    end = NOW + timedelta(seconds=100)
    store.push_verified(
        target.token, TOPIC, now=NOW, lease_seconds=100, expires_at=end, renew_at=end
    )
    store.push_retire(end + timedelta(seconds=1))
    (sub,) = store.push_subscriptions()
    assert sub.state == "expired"
    assert store.push_create(NOW) == 0  # the expired row is still the feed's
    assert len(store.push_due(end + timedelta(seconds=1), end)) == 1
