"""The chores beside the loop: each on its own clock, a failure logged and tried again at the
next turn, a slow one holding back no other, all ended by ``stop``; and the full-articles
chore: turns while the queue fills them, then a rest, never more than ``ARTICLES_TURNS`` turns
in a row, so the other chores and the loop get their time."""

from __future__ import annotations

import asyncio
import logging
from typing import cast

import pytest

from tidings.arrival import ArticleRun
from tidings.core import Aggregator
from tidings.schedule.chores import (
    ARTICLES_TURN,
    ARTICLES_TURNS,
    CHORES,
    Chore,
    fetch_articles,
    run_chores,
)

AGG = cast(Aggregator, object())  # the chores below never touch it


async def test_a_failing_chore_is_logged_and_runs_again(caplog: pytest.LogCaptureFixture) -> None:
    stop = asyncio.Event()
    runs: list[int] = []

    async def flaky(agg: Aggregator) -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the database is away")
        if len(runs) == 3:
            stop.set()

    with caplog.at_level(logging.ERROR, logger="tidings.chores"):
        await asyncio.wait_for(run_chores(AGG, stop, [Chore("flaky", 0.01, flaky)]), 5)
    assert runs == [0, 1, 2]
    assert "chore flaky failed" in caplog.text and "the database is away" in caplog.text


async def test_a_slow_chore_holds_back_no_other() -> None:
    stop = asyncio.Event()
    quick: list[int] = []

    async def slow(agg: Aggregator) -> None:
        await stop.wait()

    async def fast(agg: Aggregator) -> None:
        quick.append(1)
        if len(quick) == 5:
            stop.set()

    chores = [Chore("slow", 0.01, slow), Chore("fast", 0.01, fast)]
    await asyncio.wait_for(run_chores(AGG, stop, chores), 5)
    assert len(quick) == 5


async def test_stop_ends_a_chore_waiting_for_its_turn() -> None:
    stop = asyncio.Event()
    runs: list[int] = []

    async def hourly(agg: Aggregator) -> None:
        runs.append(1)
        asyncio.get_running_loop().call_later(0.05, stop.set)

    await asyncio.wait_for(run_chores(AGG, stop, [Chore("hourly", 3600.0, hourly)]), 5)
    assert runs == [1]


def test_every_installation_runs_each_chore_once() -> None:
    names = [c.name for c in CHORES]
    assert len(names) == len(set(names))
    assert {"websub subscriptions", "full articles", "send notifications"} <= set(names)


class Queue:
    """A facade whose article queue holds ``waiting`` items."""

    def __init__(self, waiting: int) -> None:
        self.waiting = waiting
        self.turns: list[int] = []

    async def fetch_articles(self, limit: int = 32) -> ArticleRun:
        self.turns.append(limit)
        taken = min(limit, self.waiting)
        self.waiting -= taken
        return ArticleRun(claimed=taken, done=taken)


async def test_turns_while_the_queue_fills_them() -> None:
    queue = Queue(ARTICLES_TURN * 2 + 5)
    await fetch_articles(cast(Aggregator, queue))
    assert queue.turns == [ARTICLES_TURN] * 3 and queue.waiting == 0


async def test_an_empty_queue_costs_one_turn_and_a_full_one_is_bounded() -> None:
    empty = Queue(0)
    await fetch_articles(cast(Aggregator, empty))
    assert empty.turns == [ARTICLES_TURN]
    full = Queue(10_000)
    await fetch_articles(cast(Aggregator, full))
    assert len(full.turns) == ARTICLES_TURNS


def test_the_chore_is_one_of_every_installations() -> None:
    (chore,) = [c for c in CHORES if c.name == "full articles"]
    assert chore.run is fetch_articles and chore.every == 15.0
