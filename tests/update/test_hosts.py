"""HostGate: the per-host cap and the gap between starts, with time injected."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from tidings.fetch.canonical import canonical_url
from tidings.update.hosts import HostGate, host_of


class FakeTime:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def test_the_cap_holds_per_host_and_hosts_are_independent() -> None:
    gate = HostGate(limit=2)
    active: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}

    async def use(host: str) -> None:
        async with gate.slot(host):
            active[host] += 1
            peak[host] = max(peak[host], active[host])
            await asyncio.sleep(0.01)
            active[host] -= 1

    await asyncio.gather(*(use(h) for h in "ab" * 10))
    assert peak == {"a": 2, "b": 2}
    assert gate.active_hosts() == 0  # nothing kept once nobody uses a host


async def test_starts_on_one_host_are_a_gap_apart() -> None:
    clock = FakeTime()
    gate = HostGate(limit=2, gap=5.0, monotonic=clock.monotonic, sleep=clock.sleep)
    starts: dict[str, list[float]] = {"a": [], "b": []}

    async def use(host: str) -> None:
        async with gate.slot(host):
            starts[host].append(clock.now)

    await asyncio.gather(*(use("a") for _ in range(4)))
    assert starts["a"] == [100.0, 105.0, 110.0, 115.0]
    await use("b")  # another host does not wait for a's gap
    assert starts["b"] == [115.0]
    clock.now += 2.0  # a's last start was 2 s ago: the next waits 3 s more
    await use("a")
    assert starts["a"][-1] == 120.0


async def test_the_gap_counts_from_the_real_start_after_the_global_slot() -> None:
    clock = FakeTime()
    gate = HostGate(limit=2, gap=5.0, monotonic=clock.monotonic, sleep=clock.sleep)
    starts: list[float] = []
    waits = iter([3.0, 0.0])  # the first request waits 3 s for a global slot, the second not

    @contextlib.asynccontextmanager
    async def global_slot() -> AsyncIterator[None]:
        await clock.sleep(next(waits))
        yield

    async def use() -> None:
        async with gate.slot("a", then=global_slot()):
            starts.append(clock.now)

    await asyncio.gather(use(), use())
    assert starts == [103.0, 108.0]  # not 100 and 105: the wait for the global slot is not gap


async def test_no_gap_means_no_sleeping() -> None:
    clock = FakeTime()
    gate = HostGate(limit=1, monotonic=clock.monotonic, sleep=clock.sleep)
    for _ in range(3):
        async with gate.slot("a"):
            pass
    assert clock.slept == []


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        HostGate(limit=0)
    with pytest.raises(ValueError, match="negative"):
        HostGate(gap=-1)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://Example.ORG:8080/feed", "example.org"),
        ("https://[::1]/x", "::1"),
        ("http://127.0.1.5/f.xml", "127.0.1.5"),
        ("not a url", ""),
        ("http://[bad/", ""),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://Example.ORG/feed", "http://example.org/feed"),
        ("http://example.org:80/feed", "http://example.org/feed"),
        ("https://example.org:443/feed", "https://example.org/feed"),
        ("https://example.org:8443/feed", "https://example.org:8443/feed"),
        ("http://example.org", "http://example.org/"),
        ("http://example.org/feed#latest", "http://example.org/feed"),
        ("  http://example.org/Feed?A=B  ", "http://example.org/Feed?A=B"),  # paths kept as written
        ("http://User:Pw@Example.org/f", "http://User:Pw@Example.org/f"),
        ("ftp://Example.org/f", "ftp://Example.org/f"),
        ("http://[bad/", "http://[bad/"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
