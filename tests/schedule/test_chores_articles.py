"""The full-articles chore: turns while the queue fills them, then a rest; never more than
``ARTICLES_TURNS`` turns in a row, so the other chores and the loop get their time."""

from __future__ import annotations

from typing import cast

from tidings.arrival import ArticleRun
from tidings.core import Aggregator
from tidings.schedule.chores import ARTICLES_TURN, ARTICLES_TURNS, CHORES, fetch_articles


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
