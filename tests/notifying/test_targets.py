"""The targets part of the facade: names, the cap, owners, the test message, masking."""

from __future__ import annotations

import pytest

from tidings.core import Aggregator
from tidings.errors import NotFoundError
from tidings.notifying import TargetURLError
from tidings.notifying.targets import MAX_TARGETS

HOOK = "json://ops:s3cret@127.0.0.1:9/hook"


def test_a_target_is_named_after_its_service_unless_named(agg: Aggregator) -> None:
    assert agg.add_notify_target(None, HOOK).name == "JSON (127.0.0.1)"
    assert agg.add_notify_target(None, HOOK, name="  Ops   room ").name == "Ops room"
    with pytest.raises(TargetURLError, match="at most 200 characters"):
        agg.add_notify_target(None, HOOK, name="x" * 201)


def test_targets_are_capped_per_owner_paused_ones_included(agg: Aggregator) -> None:
    first = agg.add_notify_target(None, HOOK)
    agg.enable_notify_target(None, first.id, False)
    for _ in range(MAX_TARGETS - 1):
        agg.add_notify_target(None, HOOK)
    with pytest.raises(TargetURLError, match=f"at most {MAX_TARGETS}"):
        agg.add_notify_target(None, HOOK)
    bob = agg.add_user("bob", "correct horse battery")
    assert agg.add_notify_target(bob.id, HOOK).user_id == bob.id  # his own count


def test_a_persons_target_is_theirs_alone(agg: Aggregator) -> None:
    bob = agg.add_user("bob", "correct horse battery")
    eve = agg.add_user("eve", "correct horse battery")
    mine = agg.add_notify_target(bob.id, HOOK)
    for owner in (eve.id, None):
        with pytest.raises(NotFoundError):
            agg.test_notify_target(owner, mine.id)
        with pytest.raises(NotFoundError):
            agg.remove_notify_target(owner, mine.id)
    assert agg.notify_targets(eve.id) == [] and agg.notify_targets(None) == []


def test_the_test_message_is_queued_and_nothing_shows_the_secret(agg: Aggregator) -> None:
    target = agg.add_notify_target(None, HOOK, name="ops")
    assert "s3cret" not in target.url and target.url.startswith("json://ops:****@")
    assert agg.test_notify_target(None, target.id).pending == 1
    (message,) = agg.outbox.due_messages(target.id, agg.clock(), 10)
    assert (message.kind, message.title) == ("test", "tidings: a test message")
    assert "s3cret" not in repr(agg.notify_targets(None))
    assert agg.outbox.target_url(target.id) == HOOK  # the sender's, in full
