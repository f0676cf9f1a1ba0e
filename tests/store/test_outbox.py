"""The notification targets and the outbox on both backends: owners, the sender's conditional
claims, retries and giving up, feed-health claims and the digests' reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tidings.errors import NotFoundError
from tidings.store.accounts import Accounts
from tidings.store.outbox import GAVE_UP, MAX_ATTEMPTS, Outbox
from tidings.store.schema import feeds
from tidings.store.store import Store
from tidings.types import ItemWrite, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def add_items(store: Store, url: str, titles: list[str], when: datetime) -> int:
    fid = store.add_feed(url, now=when, title=url.rsplit("/", 1)[-1])
    items = [ParsedItem(guid=t, title=t, link=f"{url}/{t}") for t in titles]
    writes = tuple(ItemWrite(identity_of(i), content_hash_of(i), i, when, when) for i in items)
    store.apply(UpdatePlan(fid, when, when, new=writes))
    return fid


def test_targets_belong_to_a_person_or_to_the_site(store: Store) -> None:
    outbox = Outbox(store.engine)
    ada = Accounts(store.engine).add_user("ada", "hash", NOW).id
    mine = outbox.add_target(ada, "phone", "ntfy://ntfy.sh/a", digest=False, now=NOW)
    site = outbox.add_target(None, "ops", "json://example.org/hook", digest=True, now=NOW)
    assert [t.name for t in outbox.targets(ada, NOW)] == ["phone"]
    assert [t.name for t in outbox.targets(None, NOW)] == ["ops"]
    assert site.digest and site.last_digest_at == NOW and mine.last_digest_at is None
    with pytest.raises(NotFoundError):
        outbox.remove_target(None, mine.id, NOW)  # not the site's
    with pytest.raises(NotFoundError):
        outbox.set_target_enabled(ada, site.id, False, NOW)
    assert not outbox.set_target_enabled(ada, mine.id, False, NOW).enabled
    assert outbox.enabled_targets(ada) == []
    outbox.queue([mine.id], kind="test", title="t", body="b", now=NOW)
    assert outbox.remove_target(ada, mine.id, NOW).name == "phone"
    assert outbox.targets(ada, NOW) == []


def test_a_turn_is_taken_by_one_process_and_comes_back_a_minute_later(store: Store) -> None:
    outbox = Outbox(store.engine)
    target = outbox.add_target(None, "ops", "json://example.org/hook", digest=False, now=NOW)
    outbox.queue([target.id], kind="item", title="a", body="", link="https://e.org/a", now=NOW)
    assert outbox.sendable(NOW, MINUTE) == [(target.id, None, 0)]
    assert outbox.take_turn(target.id, None, NOW)
    assert not outbox.take_turn(target.id, None, NOW)  # the other process read the same row
    assert outbox.sendable(NOW + timedelta(seconds=30), MINUTE) == []
    later = NOW + MINUTE
    assert outbox.sendable(later, MINUTE) == [(target.id, NOW, 0)]
    assert outbox.take_turn(target.id, NOW, later)
    assert not outbox.take_turn(target.id, NOW, later)


def test_delivered_messages_leave_the_queue_and_failures_wait_their_turn(store: Store) -> None:
    outbox = Outbox(store.engine)
    target = outbox.add_target(None, "ops", "json://example.org/hook", digest=False, now=NOW)
    for title in ("a", "b", "c"):
        outbox.queue([target.id], kind="item", title=title, body="", now=NOW)
    due = outbox.due_messages(target.id, NOW, 2)
    assert [m.title for m in due] == ["a", "b"]
    retry = NOW + timedelta(seconds=30)
    assert outbox.failed(target.id, [m.id for m in due], "HTTP 500", now=NOW, retry_at=retry) == 0
    shown = outbox.target(None, target.id, NOW)
    assert (shown.failures, shown.last_error, shown.pending) == (1, "HTTP 500", 3)
    assert [m.title for m in outbox.due_messages(target.id, NOW, 10)] == ["c"]
    everything = outbox.due_messages(target.id, retry, 10)
    assert [(m.title, m.attempts) for m in everything] == [("a", 1), ("b", 1), ("c", 0)]
    outbox.delivered(target.id, [m.id for m in everything], retry)
    shown = outbox.target(None, target.id, retry)
    assert (shown.failures, shown.last_error, shown.pending) == (0, None, 0)
    assert shown.delivered_at == retry
    assert outbox.sendable(retry + timedelta(hours=1), MINUTE) == []


def test_messages_are_given_up_after_their_attempts_with_the_reason(store: Store) -> None:
    outbox = Outbox(store.engine)
    target = outbox.add_target(None, "ops", "json://example.org/hook", digest=False, now=NOW)
    outbox.queue([target.id], kind="item", title="a", body="", now=NOW)
    (message,) = outbox.due_messages(target.id, NOW, 10)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        given_up = outbox.failed(target.id, [message.id], "refused", now=NOW, retry_at=NOW)
        assert given_up == (1 if attempt == MAX_ATTEMPTS else 0)
    shown = outbox.target(None, target.id, NOW)
    assert (shown.pending, shown.given_up) == (0, 1)
    assert outbox.due_messages(target.id, NOW, 10) == []
    assert outbox.sendable(NOW, MINUTE) == []


def test_messages_out_of_time_are_given_up_and_old_ones_deleted(store: Store) -> None:
    outbox = Outbox(store.engine)
    target = outbox.add_target(None, "ops", "json://example.org/hook", digest=False, now=NOW)
    outbox.queue([target.id], kind="item", title="old", body="", now=NOW)
    outbox.set_target_enabled(None, target.id, False, NOW)  # paused for a day and a bit
    later = NOW + timedelta(hours=25)
    assert outbox.expire(later) == 1
    assert outbox.expire(later) == 0  # said once
    shown = outbox.target(None, target.id, later)
    assert (shown.pending, shown.given_up) == (0, 1)
    with store.engine.connect() as conn:
        from tidings.store.schema import notifications

        error = conn.scalar(notifications.select().with_only_columns(notifications.c.last_error))
    assert error is not None and error.startswith(GAVE_UP) and "never tried" in error
    outbox.expire(NOW + timedelta(days=31))
    assert outbox.target(None, target.id, later).given_up == 0  # gone


def test_a_feed_failing_for_a_day_is_told_once_and_its_recovery_once(store: Store) -> None:
    outbox = Outbox(store.engine)
    target = outbox.add_target(None, "ops", "json://example.org/hook", digest=False, now=NOW)
    fid = store.add_feed("https://e.org/feed", now=NOW)
    with store.engine.begin() as conn:
        conn.execute(update(feeds).where(feeds.c.id == fid).values(error_since=NOW))
    day = NOW + timedelta(hours=24)
    assert outbox.failing_unnoticed(NOW - timedelta(seconds=1)) == []  # not a day yet
    assert outbox.failing_unnoticed(NOW) == [fid]

    def told(failing: bool, since: datetime) -> bool:
        return outbox.notice_health(
            fid,
            failing=failing,
            since=since,
            now=day,
            target_ids=[target.id],
            title="t",
            body="b",
            link=None,
        )

    assert told(True, NOW)
    assert not told(True, NOW)
    assert outbox.failing_unnoticed(NOW) == [] and outbox.recovered_unnoticed() == []
    with store.engine.begin() as conn:
        conn.execute(update(feeds).where(feeds.c.id == fid).values(error_since=None))
    assert outbox.recovered_unnoticed() == [fid]
    assert told(False, day)
    assert not told(False, day)
    assert [m.kind for m in outbox.due_messages(target.id, day, 10)] == ["health", "health"]


def test_the_digests_read_a_persons_new_unread_items_and_the_sites(store: Store) -> None:
    outbox = Outbox(store.engine)
    ada = Accounts(store.engine).add_user("ada", "hash", NOW).id
    yesterday = NOW - timedelta(days=2)
    old = add_items(store, "https://e.org/old", ["x"], yesterday)
    fid = add_items(store, "https://e.org/news", ["a", "b", "c"], NOW)
    store.add_subscription(ada, fid, now=yesterday)
    store.add_subscription(ada, old, now=yesterday)
    b_id = next(i.id for i in store.items(feed_id=fid) if i.title == "b")
    store.set_read(ada, [b_id], True, NOW)
    since = NOW - timedelta(hours=24)
    unread = outbox.new_unread(ada, since, NOW + MINUTE, 50)
    assert sorted(e.title for e in unread) == ["a", "c"]
    assert {e.feed_title for e in unread} == {"news"}
    site = outbox.new_on_site(since, NOW + MINUTE, 50)
    assert sorted(e.title for e in site) == ["a", "b", "c"]
    assert len(outbox.new_on_site(since, NOW + MINUTE, 2)) == 2


def test_a_digest_is_claimed_once_a_day(store: Store) -> None:
    outbox = Outbox(store.engine)
    target = outbox.add_target(None, "mail", "mailto://u:p@example.org", digest=True, now=NOW)
    assert outbox.digests_due(NOW - timedelta(hours=24)) == []
    day = NOW + timedelta(hours=24)
    assert outbox.digests_due(NOW) == [(target.id, None, NOW)]
    assert outbox.queue_digest(target.id, NOW, now=day, title="t", body="b")
    assert not outbox.queue_digest(target.id, NOW, now=day, title="t", body="b")
    assert not outbox.queue_digest(target.id, day, now=day, title="t", body=None)  # moved only
    assert outbox.target(None, target.id, day).last_digest_at == day
    assert [m.kind for m in outbox.due_messages(target.id, day, 10)] == ["digest"]


def test_messages_are_claimed_by_one_delivery_until_their_lease_ends(store: Store) -> None:
    outbox = Outbox(store.engine)
    target = outbox.add_target(None, "ops", "json://example.org/hook", digest=False, now=NOW)
    for title in ("a", "b"):
        outbox.queue([target.id], kind="item", title=title, body="", now=NOW)
    lease = NOW + timedelta(minutes=5)
    mine = outbox.claim_messages(target.id, NOW, limit=10, lease_until=lease)
    assert [m.title for m in mine] == ["a", "b"]
    other = lease + timedelta(microseconds=1)
    assert outbox.claim_messages(target.id, NOW, limit=10, lease_until=other) == []
    assert outbox.sendable(NOW, MINUTE) == []  # nothing due while leased
    # the delivery never reported back: after the lease, they are due again
    again = outbox.claim_messages(
        target.id, lease, limit=10, lease_until=lease + timedelta(minutes=5)
    )
    assert [m.title for m in again] == ["a", "b"]


def test_a_digest_is_claimed_alone(store: Store) -> None:
    outbox = Outbox(store.engine)
    target = outbox.add_target(None, "mail", "mailto://u:p@example.org", digest=True, now=NOW)
    outbox.queue([target.id], kind="item", title="a", body="", now=NOW)
    outbox.queue([target.id], kind="digest", title="day", body="…", now=NOW)
    lease = NOW + timedelta(minutes=5)
    first = outbox.claim_messages(target.id, NOW, limit=10, lease_until=lease)
    assert [m.kind for m in first] == ["digest"]
    second = outbox.claim_messages(target.id, NOW, limit=10, lease_until=lease)
    assert [m.title for m in second] == ["a"]
