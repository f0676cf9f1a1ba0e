"""Notifications are written in the language of the one who receives them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tests.notifying.test_compose import NOW, message
from tests.test_reading import rss
from tidings.arrival import DigestEntry, RuleDraft
from tidings.core import Aggregator
from tidings.i18n import current
from tidings.notifying import compose
from tidings.store import ruleacts
from tidings.store.schema import users
from tidings.types import Feed


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each composed text names the language it was written in."""
    monkeypatch.setattr(compose, "_", lambda text: f"[{current()}] {text}")
    monkeypatch.setattr(
        compose, "ngettext", lambda one, many, n: f"[{current()}] {one if n == 1 else many}"
    )


@pytest.mark.usefixtures("marked")
def test_the_words_of_a_batch_and_a_digest_are_in_the_language_asked() -> None:
    items = [message("a"), message("b")]
    assert compose.batch(items, "de")[0] == "[de] 2 new items"
    made = compose.digest([DigestEntry("Ferries", "t", None)], "tidings", "fr")
    assert made is not None and made[0] == "[fr] tidings: 1 new item today"
    assert compose.batch(items)[0] == "[en] 2 new items"
    assert current() == "en"  # the language ends with the message


@pytest.mark.usefixtures("marked")
def test_a_health_notice_is_in_the_language_asked() -> None:
    feed = Feed(
        1, "https://e.org/f", "Ferries", None, None, None, NOW, None, None, None, 3, "HTTP 500",
        None, None, None,
    )  # fmt: skip
    assert compose.failing_notice(feed, "ja")[0] == "[ja] Feed failing for a day: Ferries"
    assert compose.recovered_notice(feed, "uk")[0] == "[uk] Feed works again: Ferries"


async def test_a_targets_language_is_its_persons_else_the_sites(agg: Aggregator) -> None:
    agg.save_site(replace(agg.site(), language="fr"))
    bob = agg.add_user("bob", "correct horse battery")
    ann = agg.add_user("ann", "correct horse battery")
    with agg.store.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == bob.id).values(language="de"))
    bobs = agg.add_notify_target(bob.id, "json://127.0.0.1:9/hook")
    anns = agg.add_notify_target(ann.id, "json://127.0.0.1:9/hook")
    sites = agg.add_notify_target(None, "json://127.0.0.1:9/hook")
    assert agg._language_of(bobs.id) == "de"
    assert agg._language_of(anns.id) == "fr"
    assert agg._language_of(sites.id) == agg._language_of(None) == "fr"


async def test_a_rules_notice_of_an_item_is_in_its_owners_language(
    agg: Aggregator, server: FeedServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ruleacts, "_", lambda text: f"[{current()}] {text}")
    agg.save_site(replace(agg.site(), language="it"))
    server.routes["/f.xml"] = Route(rss("Calm seas"))
    feed = await agg.add_feed(server.url("/f.xml"), title="Ferries")
    agg.add_rule(RuleDraft("storms", "title", "contains", "storm", "notify"))
    target = agg.add_notify_target(None, "json://127.0.0.1:9/hook")
    server.routes["/f.xml"] = Route(rss("Calm seas", "Storm warning"))
    clock.now += timedelta(hours=2)
    await agg.update([feed.id])
    (queued,) = agg.outbox.due_messages(target.id, clock.now, 10)
    assert (queued.title, queued.body) == ("Storm warning", "[it] Ferries — rule storms")
