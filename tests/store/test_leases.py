"""Leases on both backends: claim within the host budget, expiry, renewal, the conditional write.

The enqueue step is a fake here (it records the batches on the transaction's connection); the
real one, procrastinate's, runs in tests/update/test_workers.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, event, select

from tidings.store import leases as lease_sql
from tidings.store.leases import LeasedStore
from tidings.store.schema import feeds
from tidings.store.store import Store
from tidings.types import ItemWrite, Lease, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of
from tidings.update.dispatch import Dispatcher

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LEASE = 60.0


class Queue:
    """Records the batches a dispatch enqueues, as the real queue would in its transaction."""

    def __init__(self) -> None:
        self.batches: list[list[Lease]] = []

    def __call__(self, conn: Connection, groups: list[list[Lease]]) -> int:
        assert conn.in_transaction()
        self.batches.extend(groups)
        return len(groups)

    @property
    def leases(self) -> list[Lease]:
        return [le for batch in self.batches for le in batch]


def subscribe(store: Store, hosts: int, per_host: int) -> list[int]:
    return [
        store.add_feed(f"http://h{h}.example/feed{i}", now=NOW - timedelta(minutes=i))
        for h in range(hosts)
        for i in range(per_host)
    ]


def leased(store: Store) -> dict[int, tuple[str | None, datetime | None]]:
    with store.engine.connect() as conn:
        return lease_sql.leases_of(conn, store.feed_ids())


def run(store: Store, queue: Queue, now: datetime = NOW, **kw: object) -> int:
    dispatcher = Dispatcher(store.engine, queue, LEASE, cap=2, batch=4)
    return dispatcher(now, **kw).leased  # type: ignore[arg-type]


def item_write(guid: str) -> ItemWrite:
    item = ParsedItem(guid=guid, title=guid)
    return ItemWrite(identity_of(item), content_hash_of(item), item, NOW, NOW)


def test_claim_holds_each_host_to_its_cap_and_enqueues_every_lease(store: Store) -> None:
    subscribe(store, hosts=3, per_host=5)
    queue = Queue()
    assert run(store, queue) == 6
    hosts = [le.host for le in queue.leases]
    assert sorted(hosts) == sorted(["h0.example", "h1.example", "h2.example"] * 2)
    assert len({le.token for le in queue.leases}) == 6
    assert sum(len(b) for b in queue.batches) == 6
    assert all(0 < len(b) <= 4 for b in queue.batches)
    # the leases are stored with their tokens and expiry
    stored = leased(store)
    for le in queue.leases:
        assert stored[le.feed_id] == (le.token, NOW + timedelta(seconds=LEASE))
    # nothing more while the leases live: every host is at its cap
    assert run(store, queue, NOW + timedelta(seconds=30)) == 0


def test_the_longest_overdue_go_first_and_disabled_never(store: Store) -> None:
    ids = subscribe(store, hosts=1, per_host=4)
    with store.engine.begin() as conn:
        conn.execute(feeds.update().where(feeds.c.id == ids[3]).values(disabled_reason="gone"))
    queue = Queue()
    run(store, queue)
    assert sorted(le.feed_id for le in queue.leases) == sorted(ids[1:3])  # oldest due first


def test_an_expired_lease_makes_the_feed_due_again_with_a_new_token(store: Store) -> None:
    subscribe(store, hosts=1, per_host=2)
    first = Queue()
    run(store, first)
    later = NOW + timedelta(seconds=LEASE + 1)
    second = Queue()
    assert run(store, second, later) == 2
    assert {le.feed_id for le in second.leases} == {le.feed_id for le in first.leases}
    assert not {le.token for le in second.leases} & {le.token for le in first.leases}


def test_a_result_is_written_only_under_the_current_lease(store: Store) -> None:
    (fid,) = subscribe(store, hosts=1, per_host=1)
    worker = LeasedStore(store.engine)
    old = Queue()
    run(store, old)
    (stale,) = old.leases
    # the worker hangs past its lease; another dispatch leases the feed again
    new = Queue()
    run(store, new, NOW + timedelta(seconds=LEASE + 1))
    (current,) = new.leases

    plan = UpdatePlan(fid, NOW, NOW + timedelta(hours=1), status=200, new=(item_write("a"),))
    worker.hold([stale])
    assert worker.apply(plan) is False  # refused whole: no item, no log line, no schedule
    worker.drop([stale])
    assert worker.stale == 1
    assert store.count_items(feed_id=fid) == 0
    assert store.fetch_history(fid) == []
    assert leased(store)[fid][0] == current.token

    worker.hold([current])
    assert worker.apply(plan) is True
    worker.drop([current])
    assert store.count_items(feed_id=fid) == 1
    assert leased(store)[fid] == (None, None)  # released in the same transaction
    assert store.get_feed(fid).next_check == NOW + timedelta(hours=1)
    # a plain store (embedded mode) is unaffected by leases
    assert store.apply(UpdatePlan(fid, NOW, NOW + timedelta(hours=2), status=304)) is True


def test_renew_keeps_only_the_leases_still_current(store: Store) -> None:
    subscribe(store, hosts=2, per_host=1)
    queue = Queue()
    run(store, queue)
    a, b = queue.leases
    forged = Lease(b.feed_id, "0" * 32, b.host)
    until = NOW + timedelta(minutes=5)
    with store.engine.begin() as conn:
        assert lease_sql.renew(conn, [a, forged], until) == [a.feed_id]
    assert leased(store)[a.feed_id] == (a.token, until)
    assert leased(store)[b.feed_id] == (b.token, NOW + timedelta(seconds=LEASE))


def test_update_now_leases_named_feeds_not_due_and_not_checked_since(store: Store) -> None:
    ids = subscribe(store, hosts=1, per_host=3)
    later = NOW + timedelta(hours=2)
    with store.engine.begin() as conn:
        conn.execute(feeds.update().values(next_check=later))
        conn.execute(feeds.update().where(feeds.c.id == ids[1]).values(last_checked=NOW))
    queue = Queue()
    assert run(store, queue) == 0  # nothing due
    # by name, due or not; but not a feed already checked since the request was made
    assert run(store, queue, ids=ids[:2], since=NOW) == 1
    assert [le.feed_id for le in queue.leases] == [ids[0]]
    with store.engine.begin() as conn:
        lease_sql.make_due(conn, ids, NOW, since=NOW)
    with store.engine.connect() as conn:
        due = dict(conn.execute(select(feeds.c.id, feeds.c.next_check)).all())
    assert due == {ids[0]: NOW, ids[1]: later, ids[2]: NOW}  # forward, never for the checked


def test_the_lease_check_costs_no_statement_of_its_own(store: Store) -> None:
    """The conditional write replaces the existence check a plain update starts with."""
    plain_id, leased_id = subscribe(store, hosts=2, per_host=1)
    queue = Queue()
    run(store, queue, ids=[leased_id])
    worker = LeasedStore(store.engine)
    worker.hold(queue.leases)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]).split()[0])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        plan = UpdatePlan(plain_id, NOW, NOW + timedelta(hours=1), status=304)
        assert store.apply(plan)
        plain = list(statements)
        statements.clear()
        assert worker.apply(replace(plan, feed_id=leased_id))
        leased = list(statements)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(leased) == len(plain)
    assert (plain[0], leased[0]) == ("SELECT", "UPDATE")  # the check, then the same writes
    assert leased[1:] == plain[1:]


def test_a_dispatch_that_does_not_wait_leaves_the_work_to_the_running_one(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: there is no dispatch lock to find taken")
    subscribe(store, hosts=1, per_host=2)
    queue = Queue()
    with store.engine.begin() as conn:
        assert lease_sql.lock_dispatch(conn, wait=False)  # a dispatch in progress
        report = Dispatcher(store.engine, queue, LEASE, cap=2)(NOW, wait=False)
        assert report.busy and report.leased == 0
    assert run(store, queue) == 2  # once it is over, the next one leases
