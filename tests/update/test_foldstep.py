"""The step that reads late copies, on a fake store: without folding a plan costs no query past
the first look; with it, the copies found are marked read for their person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tidings.types import ItemWrite, MarkResult, ParsedItem, UpdatePlan
from tidings.update.foldstep import FoldStep

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


class FakeStore:
    def __init__(self, folding: bool, copies: dict[int, list[int]]) -> None:
        self.folding = folding
        self.copies = copies
        self.calls: list[tuple[Any, ...]] = []

    def folding_anywhere(self) -> bool:
        self.calls.append(("folding_anywhere",))
        return self.folding

    def arrived_copies(self, feed_id: int, identities: Sequence[str]) -> dict[int, list[int]]:
        self.calls.append(("arrived_copies", feed_id, tuple(identities)))
        return self.copies

    def set_read(
        self, user_id: int, item_ids: Sequence[int], read: bool, now: datetime
    ) -> MarkResult:
        self.calls.append(("set_read", user_id, tuple(item_ids), read, now))
        return MarkResult(len(item_ids), 1)


async def direct(fn: Any, *args: Any) -> Any:
    return fn(*args)


def plan(*guids: str) -> UpdatePlan:
    new = tuple(ItemWrite(g, "h", ParsedItem(guid=g), NOW, NOW) for g in guids)
    return UpdatePlan(7, NOW, NOW, new=new)


async def test_without_folding_a_plan_costs_one_look_then_none() -> None:
    store = FakeStore(folding=False, copies={})
    step = FoldStep(store, run=direct, read=direct, clock=lambda: NOW, recheck=60)
    for _ in range(3):
        await step.arrived(plan("a"))
    assert store.calls == [("folding_anywhere",)]
    step.expire()  # a person's folding changed in this process
    store.folding, store.copies = True, {1: [10, 11]}
    await step.arrived(plan("a", "b"))
    assert store.calls[1:] == [
        ("folding_anywhere",),
        ("arrived_copies", 7, ("a", "b")),
        ("set_read", 1, (10, 11), True, NOW),
    ]


async def test_a_plan_without_new_items_asks_nothing() -> None:
    store = FakeStore(folding=True, copies={1: [10]})
    step = FoldStep(store, run=direct, read=direct, clock=lambda: NOW)
    assert await step.screen(plan()) == plan()
    await step.arrived(plan())
    assert store.calls == []
