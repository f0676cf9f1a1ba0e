"""Opening a database: the migrations give the schema, SQLite gets its pragmas."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from tests.pg import fresh_schema
from tests.store.plans import NOW, write
from tidings.store import migrate
from tidings.store.fulltext import backend_for
from tidings.store.schema import metadata
from tidings.store.search import include_name
from tidings.store.searchquery import parse_query
from tidings.store.store import Store
from tidings.types import ParsedItem, UpdatePlan


def test_migrations_match_the_schema(store: Store) -> None:
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, metadata)
        assert diff == []
    Store.open(str(store.engine.url.render_as_string(hide_password=False))).close()  # no-op


def test_head_is_the_newest_migration() -> None:
    """``HEAD``, what a start compares the database with (read from the scripts' file names,
    without Alembic), is Alembic's own head."""
    scripts = ScriptDirectory.from_config(migrate._alembic_config())
    assert scripts.get_current_head() == migrate.HEAD
    assert migrate.head_revision() == migrate.HEAD


def _version(url: str, revision: str) -> None:
    engine = migrate.create(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_at_head_is_one_query_that_says_no_to_anything_else(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tidings.db'}"
    engine = migrate.create(url)
    assert not migrate.at_head(engine)  # no tables yet
    migrate.upgrade(engine, "0011")
    assert not migrate.at_head(engine)
    migrate.upgrade(engine)
    assert migrate.at_head(engine)
    engine.dispose()
    _version(url, "9999")
    engine = migrate.create(url)
    assert not migrate.at_head(engine)
    engine.dispose()


def test_a_database_at_head_opens_without_alembic(tmp_path: Path) -> None:
    """Every start checks the schema; only a database that needs migrating loads Alembic."""
    url = f"sqlite:///{tmp_path / 'tidings.db'}"
    Store.open(url).close()  # made and migrated
    code = (
        "import sys; from tidings.store.store import Store; "
        f"Store.open({url!r}).close(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_an_outdated_database_is_upgraded_on_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tidings.db'}"
    engine = migrate.create(url)
    migrate.upgrade(engine, "0011")
    engine.dispose()
    store = Store.open(url)
    assert migrate.current_revision(store.engine) == migrate.HEAD
    store.close()


def test_a_database_newer_than_this_tidings_is_refused(tmp_path: Path) -> None:
    """As Alembic always refused it: a revision it does not know is an error, nothing changes."""
    url = f"sqlite:///{tmp_path / 'tidings.db'}"
    Store.open(url).close()
    _version(url, "9999")
    with pytest.raises(CommandError, match="Can't locate revision identified by '9999'"):
        Store.open(url)
    engine = migrate.create(url)
    assert migrate.current_revision(engine) == "9999"
    engine.dispose()


def test_sqlite_pragmas_and_integrity(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'db' / 'tidings.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    store.close()
    raw = sqlite3.connect(tmp_path / "db" / "tidings.db")
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _engine_at(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, revision: str
) -> Engine:
    """An empty database of ``backend`` migrated up to ``revision``."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("pg_database")
        fresh_schema(url)
    engine = migrate.create(url)
    migrate.upgrade(engine, revision)
    return engine


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_old_sample_urls_move_to_the_bundled_ones(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Sample feeds once subscribed at the server's own loopback address are renamed to the
    URLs read from the package, their failures forgotten; other loopback feeds stay as they are."""
    engine = _engine_at(backend, tmp_path, request, "0006")
    old = [
        "http://127.0.0.1:8000/samples/tidings-news.xml",
        "http://127.0.0.1:8123/samples/feed-formats.atom",
        "http://127.0.0.1:8000/samples/unknown.xml",
        "http://127.0.0.1:8000/tidings-news.xml",
    ]
    with engine.begin() as conn:
        for n, feed_url in enumerate(old, 1):
            conn.execute(
                text(
                    "INSERT INTO feeds (id, url, added_at, error_count, last_error, next_check)"
                    " VALUES (:id, :url, :now, 4, 'private/loopback address not allowed', :later)"
                ),
                {
                    "id": n,
                    "url": feed_url,
                    "now": datetime(2026, 11, 1),
                    "later": datetime(2027, 1, 1),
                },
            )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT url, error_count, last_error, next_check FROM feeds ORDER BY id")
        ).all()
    engine.dispose()
    assert [r[0] for r in rows] == [
        "http://samples.tidings.invalid/samples/tidings-news.xml",
        "http://samples.tidings.invalid/samples/feed-formats.atom",
        *old[2:],
    ]
    assert [(r[1], r[2], r[3]) for r in rows[:2]] == [(0, None, None)] * 2
    assert rows[2][1] == 4


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_0008_adds_a_feed_s_user_agent_and_notice_and_takes_them_back(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from alembic import command

    engine = _engine_at(backend, tmp_path, request, "0007")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO feeds (id, url, added_at) VALUES (1, 'https://e.org/f', :now)"),
            {"now": datetime(2026, 11, 1)},
        )
    migrate.upgrade(engine)
    with engine.begin() as conn:
        row = conn.execute(text("SELECT url, user_agent, notice FROM feeds")).one()
        assert tuple(row) == ("https://e.org/f", None, None)
        conn.execute(text("UPDATE feeds SET user_agent = 'UA/1', notice = 'n'"))
    cfg = migrate._alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    with engine.connect() as conn:
        columns = (
            [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(feeds)")]
            if (backend == "sqlite")
            else list(conn.execute(text("SELECT * FROM feeds")).keys())
        )
        assert "user_agent" not in columns and "notice" not in columns
        assert conn.execute(text("SELECT url FROM feeds")).scalar() == "https://e.org/f"
    engine.dispose()


def _item(conn: Connection, identity: str, title: str) -> int:
    conn.execute(
        text(
            "INSERT INTO items (feed_id, identity_hash, content_hash, title, first_seen,"
            " sort_date, search_text) VALUES (1, :i, 'c', :t, :now, :now, :t)"
        ),
        {"i": identity, "t": title, "now": datetime(2026, 11, 1)},
    )
    return int(conn.execute(text("SELECT max(id) FROM items")).scalar_one())


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_0010_readers_up_and_down_and_item_ids_never_reused(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Existing users become admins and existing feeds the site's; the reading tables come and
    go; an item id is never given again, even after the newest item is deleted."""
    from alembic import command

    engine = _engine_at(backend, tmp_path, request, "0009")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO feeds (id, url, added_at) VALUES (1, 'https://e.org/f', :now)"),
            {"now": datetime(2026, 11, 1)},
        )
        conn.execute(
            text("INSERT INTO users (name, password_hash, created_at) VALUES ('ada', 'h', :now)"),
            {"now": datetime(2026, 11, 1)},
        )
        first = [_item(conn, f"i{n}", f"ferry {n}") for n in range(3)]
    migrate.upgrade(engine, "0012")  # 0013 leaves the indexing of inserts to the store
    with engine.begin() as conn:
        assert conn.execute(text("SELECT role, state_seq FROM users")).one() == ("admin", 0)
        assert bool(conn.execute(text("SELECT on_site FROM feeds")).scalar())
        conn.execute(text("DELETE FROM items WHERE id = :id"), {"id": first[-1]})
        again = _item(conn, "i9", "ferry again")
    assert again > first[-1]
    migrate.upgrade(engine)  # the store reads the schema of today
    store = Store(engine)
    assert store.count_items() == 3
    if backend == "sqlite":  # the search triggers came back with the rebuilt table
        found = backend_for(engine).search(parse_query("again"), limit=5, offset=0)
        assert [h.item.id for h in found] == [again]
    cfg = migrate._alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM items")).scalar() == 3
        tables = set(inspect(conn).get_table_names())
        assert "subscriptions" not in tables and "entry_states" not in tables
        assert "role" not in {c["name"] for c in inspect(conn).get_columns("users")}
    migrate.upgrade(engine)
    engine.dispose()


def test_0013_leaves_indexing_inserts_to_the_store_up_and_down(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """SQLite: no insert trigger from 0013 on, and items stored through the store are found;
    down to 0012, the trigger indexes raw inserts again."""
    from alembic import command

    engine = _engine_at("sqlite", tmp_path, request, migrate.HEAD)
    store = Store(engine)
    fid = store.add_feed("https://e.org/f", now=NOW)
    store.apply(UpdatePlan(fid, NOW, NOW, new=(write(ParsedItem(guid="a", title="ferry")),)))
    with engine.connect() as conn:
        triggers = set(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        )
    assert triggers == {"items_fts_delete", "items_fts_update"}
    assert _titles(store, "ferry") == ["ferry"]
    cfg = migrate._alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0012")
    with engine.begin() as conn:
        _item(conn, "b", "lighthouse")
    assert _titles(store, "lighthouse") == ["lighthouse"]
    migrate.upgrade(engine)
    engine.dispose()


def _titles(store: Store, q: str) -> list[str | None]:
    found = backend_for(store.engine).search(parse_query(q), limit=5, offset=0)
    return [h.item.title for h in found]


def _item_indexes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {str(i["name"]) for i in inspect(conn).get_indexes("items")}


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_0011_puts_sort_date_in_the_per_feed_index_up_and_down(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from alembic import command

    engine = _engine_at(backend, tmp_path, request, "0010")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO feeds (id, url, added_at) VALUES (1, 'https://e.org/f', :now)"),
            {"now": datetime(2026, 11, 1)},
        )
        first = _item(conn, "a", "A")
    assert "ix_items_feed_id" in _item_indexes(engine)
    migrate.upgrade(engine)
    indexes = _item_indexes(engine)
    assert "ix_items_feed_id_date" in indexes and "ix_items_feed_id" not in indexes
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM items WHERE feed_id = 1")).scalar() == first
    cfg = migrate._alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    indexes = _item_indexes(engine)
    assert "ix_items_feed_id" in indexes and "ix_items_feed_id_date" not in indexes
    engine.dispose()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_0017_fills_in_the_story_keys_of_stored_items(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Items stored before 0017 get their link, title and text keys, as the store writes them."""
    from tidings.storykeys import content_key, link_key, title_key

    engine = _engine_at(backend, tmp_path, request, "0014")
    published = datetime(2026, 11, 1, 9, 30)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO feeds (id, url, added_at) VALUES (1, 'https://e.org/f', :now)"),
            {"now": published},
        )
        keyed = _item(conn, "a", "Fed Holds")
        bare = _item(conn, "b", "")
        conn.execute(
            text(
                "UPDATE items SET link = 'https://e.org/a?utm_source=x', published = :p,"
                " summary_html = '<p>x</p>' WHERE id = :id"
            ),
            {"p": published, "id": keyed},
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = {
            r.id: (r.link_key, r.title_key, r.content_key)
            for r in conn.execute(text("SELECT id, link_key, title_key, content_key FROM items"))
        }
    assert rows[keyed] == (
        link_key("https://e.org/a"),
        title_key("Fed Holds", published.replace(tzinfo=UTC)),
        content_key("<p>x</p>", None),
    )
    assert rows[bare] == (None, None, None)
    engine.dispose()
