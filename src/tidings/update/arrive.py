"""What happens to a feed's new items besides being stored: the steps an update runs on arrival.

Each step sees a plan twice: ``screen`` before it is written (the only time an item can still be
kept out of the store: a site rule that drops it) and ``arrived`` after it was written (a
person's rules, the article fetch queued, a notification queued). A step that fails is logged
and costs the update nothing: the items are stored either way, and nothing a step does may
block the next feed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from tidings.types import UpdatePlan

log = logging.getLogger("tidings.arrival")


class ArrivalStep(Protocol):
    """One thing done to new items as they arrive."""

    async def screen(self, plan: UpdatePlan) -> UpdatePlan:
        """The plan to write instead of ``plan`` (``plan`` itself when nothing changes)."""
        ...

    async def arrived(self, plan: UpdatePlan) -> None:
        """``plan`` was written: its new items are in the store."""
        ...


async def screen(steps: Sequence[ArrivalStep], plan: UpdatePlan) -> UpdatePlan:
    """``plan`` through every step's screen; a step that fails leaves the plan as it was. A
    plan without new items has nothing to screen."""
    if not plan.new:
        return plan
    for step in steps:
        try:
            plan = await step.screen(plan)
        except Exception:
            log.exception("feed %s: %s failed to screen", plan.feed_id, type(step).__name__)
    return plan


async def arrived(steps: Sequence[ArrivalStep], plan: UpdatePlan) -> None:
    """Tell every step that ``plan`` was written; a step's failure is logged, no more. A plan
    without new items brought nothing to tell."""
    if not plan.new:
        return
    for step in steps:
        try:
            await step.arrived(plan)
        except Exception:
            log.exception("feed %s: %s failed on arrival", plan.feed_id, type(step).__name__)
