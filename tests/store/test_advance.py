"""Marking many items read by id: the watermark moves over the covered prefix, rows only past
the first gap."""

from __future__ import annotations

from datetime import timedelta

from tests.store.plans import NOW
from tests.store.test_entries import rows, setup
from tests.store.test_subscriptions import add_items, everything
from tidings.store.advance import Row, plan_marks
from tidings.store.store import Store


def test_the_watermark_moves_over_the_covered_run_and_stops_at_the_first_gap() -> None:
    rows_ = {
        11: Row(1, read=True, starred=False),  # read one by one before: covered, redundant
        13: Row(1, read=False, starred=True),  # starred, marked now
        20: Row(2, read=False, starred=False),  # kept unread, not marked: a gap at once
        5: Row(2, read=False, starred=False),  # under the watermark, marked: turns read
    }
    firsts = {1: 10, 2: 20, 3: 31, 4: None}
    ranges = [(1, 10), (1, 11), (1, 12), (1, 13), (1, 14), (1, 15), (2, 20), (2, 21), (3, 31)]
    plan = plan_marks({5, 10, 12, 13, 15, 21, 31}, rows_, firsts, ranges)
    assert plan.moves == {1: 13, 3: 31}
    assert plan.flip == [5, 13] and plan.drop == [11]  # the starred row stays
    assert plan.new_rows == [(15, 1), (21, 2)]
    assert plan.changed == 2 + 5  # two rows turned read, five items without a row


def test_a_run_that_does_not_start_at_the_first_unread_item_moves_nothing() -> None:
    plan = plan_marks({12}, {}, {1: 10}, [(1, 12)])
    assert plan.moves == {} and plan.new_rows == [(12, 1)] and plan.changed == 1


def test_marking_the_oldest_moves_the_watermark_without_rows(store: Store) -> None:
    ada, bob, feed, ids = setup(store, 6)
    other = store.add_feed("https://e.org/g", now=NOW)
    add_items(store, other, ["g0", "g1"], NOW + timedelta(hours=1))
    store.add_subscription(ada, other, now=NOW)
    g0, g1 = everything(store, ada)[-2:]
    done = store.set_read(ada, [*ids[:3], g0, g1], True, NOW)
    assert done.marked == 5 and rows(store) == 0
    assert everything(store, ada, "unread") == ids[3:]
    assert store.unread_counts(ada).by_feed == {feed: 3, other: 0}
    _, marks, _ = store.changes(ada, 0)
    assert marks == [(feed, ids[2]), (other, g1)]
    # past a gap, rows; the gap filled later, the watermark moves up to the marked ones (the
    # row past them stays until a watermark passes it)
    assert store.set_read(ada, [ids[5]], True, NOW).marked == 1 and rows(store) == 1
    assert store.set_read(ada, [ids[3], ids[4]], True, NOW).marked == 2
    assert rows(store) == 1 and everything(store, ada, "unread") == []
    assert store.changes(ada, 0)[1] == [(feed, ids[4]), (other, g1)]
    store.mark_read(ada, now=NOW)
    assert rows(store) == 0
    assert everything(store, bob, "unread") == ids  # bob's own
