"""Batched: calls made together go as one, each gets its own value, and one bad key costs the
others nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tidings.update.batch import Batched


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=1)
    yield pool
    pool.shutdown()


def doubled(keys: list[int]) -> list[int | Exception]:
    return [k * 2 for k in keys]


async def test_calls_made_together_go_in_few_batches(executor: ThreadPoolExecutor) -> None:
    batched: Batched[int, int] = Batched(doubled, executor, limit=100)
    values = await asyncio.gather(*(batched(k) for k in range(1000)))
    assert values == [k * 2 for k in range(1000)]
    assert batched.batches == 10  # the limit, not one call per key


async def test_a_lone_call_goes_at_once(executor: ThreadPoolExecutor) -> None:
    batched: Batched[int, int] = Batched(doubled, executor, limit=100)
    assert await batched(4) == 8
    assert await batched(5) == 10
    assert batched.batches == 2


async def test_an_error_of_one_key_is_that_keys_alone(executor: ThreadPoolExecutor) -> None:
    def picky(keys: list[int]) -> list[int | Exception]:
        return [ValueError(f"no {k}") if k == 3 else k for k in keys]

    batched: Batched[int, int] = Batched(picky, executor, limit=10)
    results = await asyncio.gather(*(batched(k) for k in range(5)), return_exceptions=True)
    assert results[:3] == [0, 1, 2] and results[4] == 4
    assert isinstance(results[3], ValueError) and str(results[3]) == "no 3"


async def test_a_batch_that_fails_whole_is_run_key_by_key(executor: ThreadPoolExecutor) -> None:
    seen: list[list[int]] = []

    def fragile(keys: list[int]) -> list[int | Exception]:
        seen.append(keys)
        if 7 in keys:
            raise RuntimeError("a bug that one key sets off")
        return list(keys)

    batched: Batched[int, int] = Batched(fragile, executor, limit=10)
    results = await asyncio.gather(*(batched(k) for k in (5, 6, 7, 8)), return_exceptions=True)
    assert results[:2] == [5, 6] and results[3] == 8
    assert isinstance(results[2], RuntimeError)
    assert seen == [[5, 6, 7, 8], [5], [6], [7], [8]]


async def test_the_limit_must_hold_a_call(executor: ThreadPoolExecutor) -> None:
    with pytest.raises(ValueError, match="at least one"):
        Batched(doubled, executor, limit=0)


async def test_with_a_linger_calls_that_come_soon_after_share_a_batch(
    executor: ThreadPoolExecutor,
) -> None:
    batched: Batched[int, int] = Batched(doubled, executor, limit=100, linger=0.2)

    async def later(key: int, delay: float) -> int:
        await asyncio.sleep(delay)
        return await batched(key)

    values = await asyncio.gather(later(1, 0), later(2, 0.01), later(3, 0.02))
    assert list(values) == [2, 4, 6] and batched.batches == 1
