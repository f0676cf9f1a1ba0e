"""Notifications: targets (Apprise URLs) and the sender of their outbox, a part of the facade.

``Notifying`` is a part of ``core.Aggregator`` (its base class), as ``Reading`` is. The rules of
the arrival steps queue messages in the outbox (``store/outbox.py``); this part manages the
targets, and on a clock (``schedule.chores``) sends what waits, tells the site's targets of feeds
failing for a day, and queues the daily digests (``docs/arrival.md``, "Notifications").
"""

from __future__ import annotations

from tidings.notifying.rounds import NotifyRounds
from tidings.notifying.urls import TargetURLError


class Notifying(NotifyRounds):
    """Targets, the sender, feed-health notices and digests, over the store's outbox."""


__all__ = ["Notifying", "TargetURLError"]
