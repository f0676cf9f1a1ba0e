"""Rules through whole updates, on SQLite and PostgreSQL: feeds served on loopback, the site's
rules screening and labelling, a person's rules marking, hiding and labelling what arrives,
a runaway regex marked failing, and a rule run over the items already stored."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tidings.arrival import RuleDraft
from tidings.core import Aggregator
from tidings.errors import TidingsError
from tidings.store.schema import item_labels, notifications, notify_targets, tombstones
from tidings.synctypes import IdQuery
from tidings.types import EntryQuery

HEAD = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Daily</title><link>http://example.org/</link>
<description>d</description>"""
ITEM = """<item><title>{title}</title><link>http://example.org/{slug}</link><guid>{slug}</guid>
<author>{author}</author><category>{category}</category>
<description>{body}</description></item>"""

FIRST = [
    ("Sponsored: buy now", "ad", "shop@example.org", "promo", "An offer"),
    ("Python 3.14 released", "py", "ann@example.org", "releases", "Fast"),
    ("Weather today", "wx", "met@example.org", "weather", "Rain"),
]
SECOND = [
    ("Sponsored: another deal", "ad2", "shop@example.org", "promo", "Offer"),
    ("Rust 2.0 released", "rust", "bob@example.org", "releases", "Safe"),
    ("Weather tomorrow", "wx2", "met@example.org", "weather", "Sun"),
    ("A boring meeting", "meet", "clerk@example.org", "misc", "so boring"),
    ("Python tips", "pytips", "ann@example.org", "howto", "Tips"),
]


def document(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    body = "".join(
        ITEM.format(title=t, slug=s, author=a, category=c, body=b) for t, s, a, c, b in rows
    )
    return (HEAD + body + "</channel></rss>").encode()


def draft(
    name: str,
    pattern: str,
    action: str,
    *,
    field: str = "title",
    label: str | None = None,
    folder: str | None = None,
    feed_id: int | None = None,
) -> RuleDraft:
    return RuleDraft(
        name=name,
        field=field,
        match="contains",
        pattern=pattern,
        action=action,
        label=label,
        folder=folder,
        feed_id=feed_id,
    )


async def test_site_and_personal_rules_on_arrival(
    backend: Aggregator, server: FeedServer, clock: Clock
) -> None:
    agg = backend
    served = {"doc": document(FIRST)}
    server.routes["/daily.xml"] = lambda _: Route(served["doc"], validators=False)
    with agg.store.engine.begin() as conn:
        conn.execute(
            insert(notify_targets).values(
                user_id=None, name="ops", url="json://127.0.0.1/", created_at=clock()
            )
        )
    agg.add_rule(draft("no ads", "sponsored", "drop"))
    agg.add_rule(replace(draft("py", r"\bpython\b", "label", label="Python"), match="regex"))
    agg.add_rule(draft("releases", "released", "notify"))
    feed = await agg.add_feed(server.url("/daily.xml"))

    titles = {i.title for i in agg.items(feed_id=feed.id)}
    assert titles == {"Python 3.14 released", "Weather today"}
    with agg.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tombstones)).scalar() == 1
        labels = conn.execute(select(item_labels.c.user_id, item_labels.c.label)).all()
        queued = conn.execute(select(notifications)).all()
    assert labels == [(None, "Python")]
    assert [(n.kind, n.title, n.body, n.link) for n in queued] == [
        ("item", "Python 3.14 released", "Daily — rule releases", "http://example.org/py")
    ]
    assert queued[0].next_attempt_at == queued[0].created_at
    site = {r.name: r for r in agg.rules()}
    assert site["no ads"].hits == 1 and site["py"].hits == 1

    alice = agg.add_user("alice", "correct horse battery", role="reader")
    await agg.subscribe(alice.id, server.url("/daily.xml"), folder="Tech")
    agg.add_rule(draft("weather", "weather", "read"), alice.id)
    agg.add_rule(draft("stars", "releases", "star", field="category"), alice.id)
    agg.add_rule(draft("boring", "boring", "drop", field="content"), alice.id)
    agg.add_rule(
        draft("mine", "/pytips", "label", field="link", label="Mine", folder="Tech"), alice.id
    )
    with pytest.raises(TidingsError, match="no folder named"):
        agg.add_rule(draft("elsewhere", "tips", "star", folder="Elsewhere"), alice.id)
    with pytest.raises(TidingsError, match="do not follow"):
        agg.add_rule(draft("another feed", "tips", "star", feed_id=feed.id + 99), alice.id)
    unread_before = agg.unread_counts(alice.id).total

    served["doc"] = document(SECOND)
    clock.now += timedelta(hours=2)
    await agg.update([feed.id])

    stored = {i.title: i for i in agg.items(feed_id=feed.id, limit=50)}
    assert "Sponsored: another deal" not in stored
    entries = {e.item.title: e for e in agg.entries(alice.id, EntryQuery(status="all", limit=50))}
    assert "A boring meeting" in stored and "A boring meeting" not in entries
    assert entries["Weather tomorrow"].read is True
    assert entries["Rust 2.0 released"].starred is True
    assert entries["Python tips"].read is False
    # arrived: boring (hidden), weather (read): two of four new items are not unread
    assert agg.unread_counts(alice.id).total == unread_before + 2
    ids = agg.item_ids(alice.id, IdQuery(status="all"))
    assert stored["A boring meeting"].id not in ids
    by_id = {e.item.title: e for e in agg.entries_by_ids(alice.id, ids)}
    assert by_id["Python tips"].labels == ("Mine", "Python")
    assert agg.entries_by_ids(alice.id, [stored["A boring meeting"].id]) == []
    labeled = agg.item_ids(alice.id, IdQuery(status="all", label="Mine"))
    assert labeled == [stored["Python tips"].id]
    mine = {r.name: r for r in agg.rules(alice.id)}
    assert mine["boring"].hits == 1 and mine["weather"].hits == 1 and mine["mine"].hits == 1

    # marking everything read keeps the hidden item hidden
    agg.mark_read(alice.id)
    all_titles = {e.item.title for e in agg.entries(alice.id, EntryQuery(status="all", limit=50))}
    assert "A boring meeting" not in all_titles and "Python tips" in all_titles

    # the next fetch of the same document brings nothing back
    clock.now += timedelta(hours=2)
    await agg.update([feed.id])
    assert len(agg.items(feed_id=feed.id, limit=50)) == len(stored)

    # a rule run over what is stored, explicitly
    star = agg.add_rule(draft("python stars", "python", "star"), alice.id)
    run = agg.apply_rule(star.id, alice.id)
    assert (run.checked, run.matched) == (6, 2)
    starred = agg.entries(alice.id, EntryQuery(status="starred", limit=50))
    assert {e.item.title for e in starred} >= {"Python tips", "Python 3.14 released"}


async def test_a_runaway_regex_is_stopped_and_marked_failing(
    backend: Aggregator, server: FeedServer, clock: Clock
) -> None:
    agg = backend
    long_body = "a" * 5000 + "!"
    server.routes["/slow.xml"] = lambda _: Route(
        document([("Plain", "p", "x@example.org", "c", long_body)]), validators=False
    )
    bad = agg.add_rule(
        RuleDraft(name="runaway", field="content", match="regex", pattern="(a|aa)+$", action="drop")
    )
    started = time.monotonic()
    feed = await agg.add_feed(server.url("/slow.xml"))
    assert time.monotonic() - started < 5
    assert [i.title for i in agg.items(feed_id=feed.id)] == ["Plain"]  # stored all the same
    failed = agg.rule(bad.id)
    assert failed.failing is not None and "took over" in failed.failing
    assert failed.failing_since == clock()
    assert not failed.active
    assert agg.enable_rule(bad.id).failing is None
