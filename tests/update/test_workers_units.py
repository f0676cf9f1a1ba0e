"""The pure parts of worker mode: the host budget, batching, the room left, and the settings."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tidings.config import Settings
from tidings.errors import ConfigError
from tidings.types import Lease
from tidings.update.dispatch import Dispatcher, batches, pick, room
from tidings.update.remote import update_now


def url(host: str, n: int) -> str:
    return f"https://{host}/feed{n}"


def test_pick_fills_each_host_up_to_its_cap_less_its_live_leases() -> None:
    candidates = [(1, url("a", 1)), (2, url("a", 2)), (3, url("b", 1)), (4, url("a", 3))]
    candidates += [(5, url("b", 2)), (6, url("c", 1)), (7, url("b", 3))]
    chosen = pick(candidates, {"a": 1}, cap=2, limit=100)
    assert chosen == [(1, "a"), (3, "b"), (5, "b"), (6, "c")]


def test_pick_keeps_order_and_the_limit() -> None:
    candidates = [(n, url(f"h{n}", n)) for n in range(10)]
    assert [fid for fid, _ in pick(candidates, {}, cap=1, limit=3)] == [0, 1, 2]
    assert pick(candidates, {}, cap=1, limit=0) == []


def test_pick_gives_nothing_to_a_host_at_or_over_its_cap() -> None:
    candidates = [(1, url("a", 1)), (2, url("A", 2))]  # one host, whatever its case
    assert pick(candidates, {"a": 2}, cap=2, limit=10) == []
    assert pick(candidates, {"a": 5}, cap=2, limit=10) == []  # after the cap was lowered
    with pytest.raises(ValueError, match="cap"):
        pick(candidates, {}, cap=0, limit=10)


@pytest.mark.parametrize(
    ("n", "size", "spread", "sizes"),
    [
        (0, 32, 8, []),
        (3, 32, 8, [1, 1, 1]),
        (12, 32, 8, [2, 2, 2, 2, 1, 1, 1, 1]),
        (64, 32, 8, [8] * 8),
        (100, 10, 2, [10] * 10),
        (33, 32, 1, [17, 16]),
    ],
)
def test_batches_are_even_bounded_and_lose_nothing(
    n: int, size: int, spread: int, sizes: list[int]
) -> None:
    leases = [Lease(i, f"t{i}", f"h{i % 3}") for i in range(n)]
    out = batches(leases, size, spread)
    assert [len(b) for b in out] == sizes
    assert sorted(le.feed_id for b in out for le in b) == list(range(n))


def test_batches_mix_hosts() -> None:
    leases = [Lease(i, "t", "a" if i < 4 else "b") for i in range(8)]
    for batch in batches(leases, size=4, spread=2):
        assert Counter(le.host for le in batch) == {"a": 2, "b": 2}


def test_room_is_what_the_ceiling_leaves() -> None:
    assert room({}, 100) == 100
    assert room({"a": 30, "b": 20}, 100) == 50
    assert room({"a": 130}, 100) == 0


def test_update_now_names_nothing_and_waits_for_nothing() -> None:
    def never(*_: object) -> int:
        raise AssertionError("nothing to enqueue")

    clock = lambda: datetime(2026, 11, 28, tzinfo=UTC)  # noqa: E731
    nowhere = Dispatcher(None, never, 60, cap=2)  # type: ignore[arg-type]
    assert update_now(nowhere, [], clock=clock) == []


def test_mode_and_lease_settings_are_checked_at_start() -> None:
    assert Settings.load({}).mode == "embedded"
    with pytest.raises(ConfigError, match="TIDINGS_MODE"):
        Settings.load({"TIDINGS_MODE": "cluster"})
    with pytest.raises(ConfigError, match=r"TIDINGS_MODE.*PostgreSQL"):
        Settings.load({"TIDINGS_MODE": "workers"})  # SQLite cannot carry the workers
    pg = {"TIDINGS_MODE": "Workers", "TIDINGS_DATABASE_URL": "postgresql://db/tidings"}
    settings = Settings.load({**pg, "TIDINGS_LEASE_SECONDS": "2m"})
    assert (settings.mode, settings.lease_seconds) == ("workers", 120)
    with pytest.raises(ConfigError, match="TIDINGS_LEASE_SECONDS"):
        Settings.load({**pg, "TIDINGS_LEASE_SECONDS": "0"})
    assert timedelta(seconds=Settings().lease_seconds) == timedelta(minutes=10)
