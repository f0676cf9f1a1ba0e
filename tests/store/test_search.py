"""Full-text search: the query language, ranking, snippets and the index, on both backends.

The ``store`` fixture (tests/store/conftest.py) is a real SQLite file and a real PostgreSQL
schema, so every case below runs on FTS5 and on the tsvector backend alike.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.pg import fresh_schema
from tidings.store import migrate, search
from tidings.store.fts5 import Fts5Search, to_fts5
from tidings.store.fulltext import SearchBackend, backend_for
from tidings.store.pgsearch import to_tsquery
from tidings.store.search import MAX_LIMIT, RANK_WINDOW, marks_to_html
from tidings.store.searchquery import parse_query
from tidings.store.searchtext import search_text_of
from tidings.store.store import Store
from tidings.types import ItemWrite, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of

# slow together (about 16 s here): both backends, random and hostile queries
pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def backend(store: Store) -> SearchBackend:
    return backend_for(store.engine)


def write(item: ParsedItem) -> ItemWrite:
    return ItemWrite(identity_of(item), content_hash_of(item), item, NOW, item.published or NOW)


def add(store: Store, *items: ParsedItem, url: str = "https://e.org/feed") -> int:
    fid = store.add_feed(url, now=NOW, title="Source")
    store.apply(UpdatePlan(fid, NOW, NOW, new=tuple(write(i) for i in items)))
    return fid


def titles(store: Store, q: str, limit: int = 50) -> list[str | None]:
    return [h.item.title for h in backend(store).search(parse_query(q), limit=limit, offset=0)]


@pytest.fixture
def news(store: Store) -> Store:
    add(
        store,
        ParsedItem(
            guid="1", title="Budget vote", summary_html="<p>The council voted on the budget.</p>"
        ),
        ParsedItem(
            guid="2",
            title="Harbour news",
            summary_html="<p>New <strong>ferry</strong> timetable</p>",
            content_html=(
                '<p>The <a href="https://budget.example/strong">ferry</a> leaves at nine.</p>'
            ),
        ),
        ParsedItem(
            guid="3", title="Weather", content_html="<p>Rain and wind; the ferry is late.</p>"
        ),
        ParsedItem(
            guid="4", title="Café opens", summary_html="<p>A new caf&eacute; near the port.</p>"
        ),
        ParsedItem(guid="5", title="Ferry ferry ferry", summary_html="<p>All about the ferry.</p>"),
    )
    return store


def test_words_must_all_match(news: Store) -> None:
    assert set(titles(news, "ferry late")) == {"Weather"}
    assert set(titles(news, "ferry")) == {"Harbour news", "Weather", "Ferry ferry ferry"}
    assert titles(news, "ferry budget") == []  # budget is only in an href of the ferry item
    assert set(titles(news, "FERRY Timetable")) == {"Harbour news"}


def test_tags_and_attribute_values_never_match(news: Store) -> None:
    for word in ("strong", "href", "https", "example", "p", "a"):
        assert "Harbour news" not in titles(news, word), word


def test_phrases(news: Store) -> None:
    assert titles(news, '"ferry timetable"') == ["Harbour news"]
    assert titles(news, '"timetable ferry"') == []
    assert titles(news, '"leaves at nine" ferry') == ["Harbour news"]
    assert titles(news, '"ferry is late') == ["Weather"]  # an unclosed quote runs to the end


def test_exclusions(news: Store) -> None:
    assert set(titles(news, "ferry -rain")) == {"Harbour news", "Ferry ferry ferry"}
    assert set(titles(news, 'ferry -"ferry timetable" -wind')) == {"Ferry ferry ferry"}
    assert titles(news, "ferry -ferry") == []
    assert set(titles(news, "ferry - rain")) == {"Weather"}  # a lone dash is not an exclusion


def test_or(news: Store) -> None:
    assert set(titles(news, "budget OR rain")) == {"Budget vote", "Weather"}
    # OR joins its two neighbours only: ferry AND (timetable OR wind)
    assert set(titles(news, "ferry timetable OR wind")) == {"Harbour news", "Weather"}
    assert set(titles(news, "budget or rain")) == set()  # lower-case "or" is a word
    assert set(titles(news, "OR budget OR")) == {"Budget vote"}  # dangling ORs are ignored


def test_stemming_and_diacritics(news: Store) -> None:
    assert titles(news, "cafe") == ["Café opens"]
    assert titles(news, "CAFÉ") == ["Café opens"]
    assert titles(news, "votes") == ["Budget vote"]  # porter: votes, voted, vote


def test_ranking_title_and_frequency_first_then_date(store: Store) -> None:
    add(
        store,
        ParsedItem(guid="a", title="Other", summary_html="<p>tram</p>", published=NOW),
        ParsedItem(guid="b", title="Tram", summary_html="<p>tram tram</p>"),
        ParsedItem(
            guid="c", title="Old", summary_html="<p>x tram</p>", published=NOW - timedelta(days=9)
        ),
        ParsedItem(
            guid="d", title="New", summary_html="<p>x tram</p>", published=NOW - timedelta(days=1)
        ),
    )
    found = titles(store, "tram")
    assert found[0] == "Tram"
    assert found.index("New") < found.index("Old")  # same score: newer first


def test_a_title_match_ranks_above_a_text_match(store: Store) -> None:
    add(
        store,
        ParsedItem(guid="t", title="Tram fares", published=NOW - timedelta(days=5)),
        ParsedItem(guid="b", title="Fares", summary_html="<p>The tram is late.</p>", published=NOW),
    )
    assert titles(store, "tram") == ["Tram fares", "Fares"]  # although the text match is newer


def test_snippets_mark_matches_and_escape(store: Store) -> None:
    add(
        store,
        ParsedItem(
            guid="x",
            title="<script>alert('ferry')</script> & co",
            summary_html='<p>&lt;b&gt;ferry&lt;/b&gt; &amp; "quotes" <em>ferry</em></p>',
        ),
    )
    (hit,) = backend(store).search(parse_query("ferry"), limit=5, offset=0)
    assert hit.title_html == (
        "&lt;script&gt;alert(&#x27;<mark>ferry</mark>&#x27;)&lt;/script&gt; &amp; co"
    )
    assert "<script>" not in hit.title_html and "<b>" not in hit.snippet_html
    assert hit.snippet_html == (
        "&lt;b&gt;<mark>ferry</mark>&lt;/b&gt; &amp; &quot;quotes&quot; <mark>ferry</mark>"
    )
    assert hit.item.title == "<script>alert('ferry')</script> & co"  # the item itself is as stored


def test_long_text_gives_a_short_snippet(store: Store) -> None:
    body = " ".join(["filler"] * 500 + ["needle"] + ["filler"] * 500)
    add(store, ParsedItem(guid="x", title="Long", content_html=f"<p>{body}</p>"))
    (hit,) = backend(store).search(parse_query("needle"), limit=5, offset=0)
    assert "<mark>needle</mark>" in hit.snippet_html
    assert hit.snippet_html.startswith("…") and hit.snippet_html.endswith("…")
    assert len(hit.snippet_html) < 400


def test_a_match_deep_in_a_long_text_is_in_its_snippet(store: Store) -> None:
    # past the part of the text PgSearch reads first (HEADLINE_CHARS), in a page with others
    deep = " ".join(["filler"] * 5_000 + ["needle", "at", "the", "end."])
    add(
        store,
        ParsedItem(guid="deep", title="Deep", content_html=f"<p>{deep}</p>"),
        ParsedItem(guid="near", title="Near", content_html="<p>A needle, first.</p>"),
    )
    hits = backend(store).search(parse_query("needle"), limit=5, offset=0)
    snippets = {h.item.title: h.snippet_html for h in hits}
    assert snippets["Deep"].startswith("…") and snippets["Deep"].endswith("at the end.")
    assert "<mark>needle</mark> at the end." in snippets["Deep"]
    assert snippets["Near"] == "A <mark>needle</mark>, first."


HOSTILE = [
    "",
    "   ",
    '"',
    '""',
    '"""',
    "*",
    "ferry*",
    "NEAR(ferry rain)",
    "NEAR",
    "AND",
    "NOT",
    "OR",
    "OR OR OR",
    "ferry AND",
    "ferry NOT rain",
    "title:ferry",
    "{title search_text}: ferry",
    ":",
    "(",
    ")",
    "(ferry",
    "^ferry",
    "+ferry",
    "-",
    "--",
    "-ferry",
    '-"ferry"',
    "- -",
    "ferry'; DROP TABLE items; --",
    "' OR 1=1 --",
    '") OR 1=1; --',
    "items_fts MATCH 'x'",
    "\x00\x01\x02\x03ferry\x7f",
    "日本語のニュース",
    "ферри",
    "🚢 ferry 🚢",
    "\U0001e900\U0001e901",  # Adlam letters: newer than FTS5's Unicode tables
    "e\u0301",
    "\ud800",
    # tsquery syntax, backslashes and placeholders are words and spaces here
    "ferry & rain",
    "ferry | rain",
    "!ferry",
    "!!ferry",
    "ferry <-> rain",
    "ferry <2> rain",
    "<->",
    "&|!():*<->",
    "ferry:*",
    "ferry:AB",
    "'ferry'",
    "''",
    "\\",
    "ferry\\",
    "\\'",
    'a\\"b',
    "E'\\x00'",
    "$1",
    "%s",
    "%(q)s",
    "::regconfig",
    "to_tsquery('ferry')",
    "\u0301",
    "-\u0301 ferry",
    "x" * 10_000,
    "ferry " * 2_000,
    '"' * 5_000,
    "-" * 10_000,
]


def test_hostile_queries_never_fail(news: Store) -> None:
    found = backend(news)
    for q in HOSTILE:  # one store for all: a fresh PostgreSQL schema per query is slow
        query = parse_query(q)
        hits = found.search(query, limit=10, offset=0)
        assert found.count(query) >= len(hits), q
        if to_fts5(query) is None:
            assert to_tsquery(query) is None, q
            assert query.problem and hits == [], q
        else:
            assert query.problem is None, q
    assert len(titles(news, "ferry")) == 3  # and nothing changed


def test_query_operators_are_plain_text(news: Store) -> None:
    both = {"Weather"}
    for q in ("ferry & rain", "ferry | rain", "ferry:* rain", "(ferry) !rain", "ferry <-> rain"):
        assert set(titles(news, q)) == both, q
    assert set(titles(news, "!!ferry")) == {"Harbour news", "Weather", "Ferry ferry ferry"}
    assert titles(news, "ferry <2> rain") == []  # "2" is a word, and no item has it
    assert titles(news, "ferry<->rain") == []  # one token: the phrase "ferry rain"


def test_random_queries_never_fail(news: Store) -> None:
    alphabet = "ferryrain \"-*():^+{}[]~,.;'\\/ORANDNOTNEAR\x00\u00e9\u0301日🚢"
    rng = random.Random(20261128)
    found = backend(news)
    for _ in range(1500 if isinstance(found, Fts5Search) else 300):
        q = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        query = parse_query(q)
        found.search(query, limit=5, offset=0)
        found.count(query)


def test_sql_fragments_match_nothing_and_change_nothing(news: Store) -> None:
    assert titles(news, "' OR 1=1 --") == []
    assert titles(news, "ferry'; DELETE FROM items; --") == []
    assert len(titles(news, "ferry")) == 3


def test_limits_are_clamped(store: Store) -> None:
    add(store, *(ParsedItem(guid=str(n), title=f"tram {n}") for n in range(MAX_LIMIT + 20)))
    found = backend(store)
    query = parse_query("tram")
    assert len(found.search(query, limit=10**9, offset=0)) == MAX_LIMIT
    assert len(found.search(query, limit=0, offset=0)) == 1
    assert len(found.search(query, limit=-5, offset=-5)) == 1
    assert len(found.search(query, limit=50, offset=MAX_LIMIT)) == 20
    assert found.search(query, limit=10, offset=RANK_WINDOW) == []
    assert found.count(query) == MAX_LIMIT + 20


def test_marks_to_html_is_always_balanced() -> None:
    assert marks_to_html(None) == ""
    assert marks_to_html("a \x02b\x03 c") == "a <mark>b</mark> c"
    assert marks_to_html("\x03x\x02y") == "x<mark>y</mark>"
    assert marks_to_html("\x02\x02<i>\x03\x03") == "<mark>&lt;i&gt;</mark>"


def test_search_text_is_the_visible_text() -> None:
    assert search_text_of(None, None) is None
    assert search_text_of("<p>a</p><p>b</p>", None) == "a b"
    assert search_text_of("<p>Intro</p>", "<p>Intro</p><p>More</p>") == "Intro More"
    assert search_text_of("<p>Summary</p>", "<p>Body</p>") == "Summary Body"
    assert search_text_of('<img alt="x" src="https://e/y"><a title="t">link</a>', None) == "link"
    assert search_text_of("a &amp; b &lt;c&gt;", None) == "a & b <c>"
    assert search_text_of("<script>hidden()</script>shown", None) == "shown"


def test_the_index_follows_updates_and_deletes(store: Store) -> None:
    old = ParsedItem(guid="1", title="Tram strike", summary_html="<p>Trams stop.</p>")
    fid = add(store, old, ParsedItem(guid="2", title="Bus", summary_html="<p>Buses run.</p>"))
    new = ParsedItem(guid="1", title="Ferry strike", summary_html="<p>Ferries stop.</p>")
    store.apply(UpdatePlan(fid, NOW, NOW, changed=(write(new),)))
    assert titles(store, "tram") == []
    assert titles(store, "ferry") == ["Ferry strike"]
    # retention deletes an item
    store.apply(UpdatePlan(fid, NOW, NOW, expired=(identity_of(new),)))
    assert titles(store, "ferry") == []
    assert titles(store, "bus") == ["Bus"]
    # removing the feed cascades to its items, and the cascade reaches the index too
    store.remove_feed(fid)
    assert titles(store, "bus") == []
    if store.engine.dialect.name == "sqlite":
        assert store.engine.url.database
        raw = sqlite3.connect(store.engine.url.database)
        assert raw.execute("SELECT count(*) FROM items_fts_docsize").fetchone() == (0,)
        raw.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")
        raw.close()


def test_migration_backfills_and_downgrades(tmp_path: Path) -> None:  # SQLite
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = migrate.create(url)
    migrate.upgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO feeds (id, url, added_at, error_count, redirect_count)"
                " VALUES (1, 'https://e.org/f', :now, 0, 0)"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
        conn.execute(
            text(
                "INSERT INTO items (feed_id, identity_hash, content_hash, title, first_seen,"
                " sort_date, summary_html) VALUES (1, 'i', 'c', 'Old item', :now, :now,"
                " '<p>An <em>archived</em> story</p>')"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
    migrate.upgrade(engine)
    store = Store(engine)
    assert titles(store, "archived story") == ["Old item"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT search_text FROM items")).scalar() == "An archived story"
    migrate.upgrade(engine)  # at head: nothing to do
    _downgrade(engine, "0003")
    with engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
        assert not {n for n in names if n.startswith("items_fts")}
        columns = {r[1] for r in conn.execute(text("PRAGMA table_info(items)"))}
        assert "search_text" not in columns and "title" in columns
    migrate.upgrade(engine)
    assert titles(store, "archived") == ["Old item"]
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_migration_backfills_and_downgrades(pg_database: str) -> None:
    fresh_schema(pg_database)
    engine = migrate.create(pg_database)
    migrate.upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO feeds (id, url, added_at) VALUES (1, 'https://e.org/f', :now)"),
            {"now": NOW.replace(tzinfo=None)},
        )
        conn.execute(
            text(
                "INSERT INTO items (feed_id, identity_hash, content_hash, title, first_seen,"
                " sort_date, search_text) VALUES (1, 'i', 'c', 'Old ferries', :now, :now,"
                " 'An archived story, see example.com')"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
    migrate.upgrade(engine)  # 0005 and on: the store's queries are the head's
    store = Store(engine)
    assert titles(store, "archived story") == ["Old ferries"]
    assert titles(store, "ferry example") == ["Old ferries"]  # stems; "example.com" is 2 words
    _downgrade(engine, "0004")
    with engine.connect() as conn:
        columns = set(
            conn.execute(
                text("SELECT column_name FROM information_schema.columns WHERE table_name='items'")
            ).scalars()
        )
        assert "search_vector" not in columns and "search_text" in columns
        assert (
            conn.execute(text("SELECT count(*) FROM pg_ts_config WHERE cfgname='tidings'")).scalar()
            == 0
        )
    migrate.upgrade(engine)
    assert titles(store, "archived") == ["Old ferries"]
    engine.dispose()


def _downgrade(engine: Any, revision: str) -> None:
    from alembic import command

    cfg = migrate._alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_newest_first_ignores_relevance(store: Store) -> None:
    add(
        store,
        ParsedItem(guid="a", title="Tram tram", published=NOW - timedelta(days=3)),
        ParsedItem(guid="b", title="Other", summary_html="<p>a tram</p>", published=NOW),
    )
    found = backend(store)
    query = parse_query("tram")
    ranked = [h.item.title for h in found.search(query, limit=5, offset=0)]
    newest = [h.item.title for h in found.search(query, limit=5, offset=0, newest_first=True)]
    assert ranked == ["Tram tram", "Other"] and newest == ["Other", "Tram tram"]


def test_only_the_newest_matches_are_ranked(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the window, older matches are out of reach and the count says "more than"."""
    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    # the oldest items match best (the word in the title); the newest only in their text
    add(store, *(ParsedItem(guid=f"t{n}", title="ferry ferry") for n in range(3)))
    add(
        store,
        *(
            ParsedItem(guid=f"b{n}", title=f"News {n}", summary_html="<p>ferry</p>")
            for n in range(6)
        ),
        url="https://e.org/other",
    )
    found = backend(store)
    query = parse_query("ferry")
    hits = found.search(query, limit=50, offset=0)
    assert len(hits) == 5 and all(h.item.title.startswith("News") for h in hits if h.item.title)
    assert found.count(query) == 6  # RANK_WINDOW + 1: "more than 5"
    assert found.count(parse_query("ferry -news")) == 3
    assert found.search(query, limit=10, offset=5) == []
