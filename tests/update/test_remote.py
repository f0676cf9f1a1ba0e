"""Update now in worker mode, on both backends: the feeds are dispatched, and the results the
workers write are read back. The workers are played by the test, on the leased store."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.store.test_leases import LEASE, NOW, Queue, subscribe
from tidings.store.leases import LeasedStore
from tidings.store.store import Store
from tidings.types import UpdatePlan
from tidings.update.dispatch import Dispatcher
from tidings.update.remote import update_now


def test_update_now_waits_for_what_the_workers_write(store: Store) -> None:
    ids = subscribe(store, hosts=1, per_host=3)  # a cap of 2: the third waits for room
    queue = Queue()
    worker = LeasedStore(store.engine)
    written: set[int] = set()

    def a_worker_meanwhile(_seconds: float) -> None:
        for le in queue.leases:
            if le.feed_id not in written:
                written.add(le.feed_id)
                worker.hold([le])
                plan = UpdatePlan(le.feed_id, NOW, NOW + timedelta(hours=1), status=304)
                assert worker.apply(replace(plan, not_modified=True))

    results = update_now(
        Dispatcher(store.engine, queue, LEASE, cap=2),
        ids,
        clock=lambda: NOW,
        sleep=a_worker_meanwhile,
    )
    assert [(r.feed_id, r.ok, r.not_modified) for r in results] == [(i, True, True) for i in ids]
    assert len(queue.leases) == 3  # each leased once, the third after the first two were done


def test_update_now_says_when_no_worker_came(store: Store) -> None:
    ids = subscribe(store, hosts=1, per_host=2)
    queue = Queue()
    results = update_now(
        Dispatcher(store.engine, queue, LEASE, cap=2),
        ids,
        clock=lambda: NOW,
        timeout=0,
        sleep=lambda _s: None,
    )
    assert [r.error_kind for r in results] == ["timeout", "timeout"]
    assert "tidings worker" in str(results[0].error)
    assert len(queue.leases) == 2  # still queued for the workers
