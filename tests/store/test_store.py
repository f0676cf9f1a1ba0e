"""The store on a real SQLite file: migrations, feeds, the one-transaction update, items."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tidings.errors import DuplicateError, NotFoundError
from tidings.store import migrate
from tidings.store.categories import slugify
from tidings.store.schema import metadata
from tidings.store.search import include_name
from tidings.store.store import Store
from tidings.types import Enclosure, FeedMeta, ItemWrite, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def write(item: ParsedItem, *, first_seen: datetime = NOW) -> ItemWrite:
    date = item.published or first_seen
    return ItemWrite(identity_of(item), content_hash_of(item), item, first_seen, date)


def test_migrations_match_the_schema(store: Store) -> None:
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, metadata)
        assert diff == []
    Store.open(str(store.engine.url.render_as_string(hide_password=False))).close()  # no-op


def test_sqlite_pragmas_and_integrity(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'db' / 'tidings.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    store.close()
    raw = sqlite3.connect(tmp_path / "db" / "tidings.db")
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_add_find_list_remove(store: Store) -> None:
    fid = store.add_feed("https://e.org/feed", now=NOW, title="Mine", categories_=["Tech", "News"])
    with pytest.raises(DuplicateError, match="already subscribed"):
        store.add_feed("https://e.org/feed", now=NOW)
    feed = store.get_feed(fid)
    assert feed.title == "Mine" and feed.categories == ("News", "Tech")
    assert feed.next_check == NOW and feed.item_count == 0
    assert store.find_feed("https://e.org/feed") == feed
    assert store.find_feed("https://e.org/other") is None
    assert [c.slug for c in store.list_categories()] == ["news", "tech"]
    store.remove_feed(fid)
    with pytest.raises(NotFoundError):
        store.get_feed(fid)
    with pytest.raises(NotFoundError):
        store.remove_feed(fid)


def test_slugs_are_unique_and_readable(store: Store) -> None:
    assert slugify("Čudoviti svet & más") == "cudoviti-svet-mas"
    assert slugify("???") == "category"
    store.add_feed("https://e.org/1", now=NOW, categories_=["C++"])
    store.add_feed("https://e.org/2", now=NOW, categories_=["C"])
    assert sorted(c.slug for c in store.list_categories()) == ["c", "c-2"]


def test_apply_writes_items_meta_validators_and_log(store: Store) -> None:
    fid = store.add_feed("https://e.org/feed", now=NOW)
    a = ParsedItem(
        guid="a",
        title="A",
        link="https://e.org/a",
        published=NOW - timedelta(days=1),
        summary_html="<p>a</p>",
        enclosures=(Enclosure("https://e.org/a.mp3", "audio/mpeg", 123),),
        categories=("x",),
    )
    b = ParsedItem(guid="b", title="B", published=NOW - timedelta(days=2))
    plan = UpdatePlan(
        feed_id=fid,
        checked_at=NOW,
        next_check=NOW + timedelta(hours=1),
        status=200,
        duration_ms=12,
        bytes=345,
        new=(write(a), write(b)),
        meta=FeedMeta("Feed title", "https://e.org/", "About", None),
        etag='"v1"',
        last_modified="Sat, 28 Nov 2026 10:00:00 GMT",
        body_hash="h1",
    )
    assert store.apply(plan)
    feed = store.get_feed(fid)
    assert (feed.title, feed.site_url, feed.description) == (
        "Feed title",
        "https://e.org/",
        "About",
    )
    assert (feed.etag, feed.last_modified) == ('"v1"', "Sat, 28 Nov 2026 10:00:00 GMT")
    assert feed.item_count == 2 and feed.last_success == NOW and feed.error_count == 0
    got = store.items(feed_id=fid)
    assert [i.title for i in got] == ["A", "B"]
    assert got[0].enclosures == (Enclosure("https://e.org/a.mp3", "audio/mpeg", 123),)
    assert got[0].categories == ("x",) and got[0].feed_title == "Feed title"
    state = store.feed_state(fid)
    assert set(state.items) == {identity_of(a), identity_of(b)} and state.body_hash == "h1"
    light = store.feed_state(fid, with_items=False)  # what a 304 needs
    assert light.items == {} and light.body_hash == "h1" and light.etag == '"v1"'
    assert light.item_dates is not None
    assert sorted(light.item_dates) == sorted(s.sort_date for s in state.items.values())
    log = store.fetch_history(fid)
    assert len(log) == 1 and log[0].new_items == 2 and log[0].bytes == 345


def test_changed_items_keep_first_seen_and_expired_leave_tombstones(store: Store) -> None:
    fid = store.add_feed("https://e.org/feed", now=NOW)
    a = ParsedItem(guid="a", title="A")
    first = NOW - timedelta(days=3)
    store.apply(UpdatePlan(fid, first, NOW, new=(write(a, first_seen=first),)))
    edited = ParsedItem(guid="a", title="A, edited")
    store.apply(UpdatePlan(fid, NOW, NOW, changed=(write(edited, first_seen=first),)))
    (item,) = store.items(feed_id=fid)
    assert item.title == "A, edited" and item.first_seen == first
    store.apply(UpdatePlan(fid, NOW, NOW, expired=(identity_of(a), identity_of(a))))
    assert store.items(feed_id=fid) == []
    assert store.feed_state(fid).tombstones == frozenset({identity_of(a)})
    store.apply(UpdatePlan(fid, NOW, NOW, expired=(identity_of(a),)))  # idempotent


def test_failure_keeps_validators_and_items_and_410_disables(store: Store) -> None:
    fid = store.add_feed("https://e.org/feed", now=NOW)
    store.apply(
        UpdatePlan(fid, NOW, NOW, new=(write(ParsedItem(guid="a")),), etag="e", body_hash="h")
    )
    store.apply(
        UpdatePlan(
            fid,
            NOW,
            NOW + timedelta(hours=1),
            error="HTTP 500",
            error_kind="http",
            error_count=1,
            error_since=NOW,
        )
    )
    feed = store.get_feed(fid)
    assert feed.etag == "e" and feed.item_count == 1
    assert (feed.error_count, feed.last_error) == (1, "HTTP 500")
    assert store.due_feed_ids(NOW + timedelta(hours=2)) == [fid]
    store.apply(
        UpdatePlan(
            fid,
            NOW,
            NOW,
            error="HTTP 410 Gone",
            error_count=2,
            disabled_reason="HTTP 410 Gone: removed",
        )
    )
    assert store.get_feed(fid).disabled_reason == "HTTP 410 Gone: removed"
    assert store.due_feed_ids(NOW + timedelta(days=9)) == []


def test_apply_to_a_removed_feed_is_a_no_op(store: Store) -> None:
    fid = store.add_feed("https://e.org/feed", now=NOW)
    store.remove_feed(fid)
    assert store.apply(UpdatePlan(fid, NOW, NOW, new=(write(ParsedItem(guid="a")),))) is False


def test_items_newest_first_paged_and_by_category(store: Store) -> None:
    f1 = store.add_feed("https://e.org/1", now=NOW, categories_=["Tech"])
    f2 = store.add_feed("https://e.org/2", now=NOW)
    for n in range(5):
        store.apply(
            UpdatePlan(
                f1 if n % 2 else f2,
                NOW,
                NOW,
                new=(
                    write(
                        ParsedItem(guid=f"i{n}", title=f"i{n}", published=NOW - timedelta(hours=n))
                    ),
                ),
            )
        )
    assert [i.title for i in store.items()] == ["i0", "i1", "i2", "i3", "i4"]
    assert [i.title for i in store.items(limit=2, offset=2)] == ["i2", "i3"]
    assert [i.title for i in store.items(category="tech")] == ["i1", "i3"]
    assert [i.title for i in store.items(category="Tech")] == ["i1", "i3"]
    assert store.count_items() == 5 and store.count_items(feed_id=f1) == 2


def test_list_feeds_by_id_in_one_call(store: Store) -> None:
    a = store.add_feed("https://e.org/a", now=NOW)
    b = store.add_feed("https://e.org/b", now=NOW)
    store.add_feed("https://e.org/c", now=NOW)
    assert [f.id for f in store.list_feeds([b, a, 999])] == [a, b]
    assert store.list_feeds([]) == []
    assert len(store.list_feeds()) == 3
