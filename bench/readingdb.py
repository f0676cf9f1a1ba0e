"""A large readers' database, made fast: many people, each following many feeds.

The schema is tidings' own: ``Store.open`` runs the migrations on an empty database. Then feeds,
items, users, subscriptions and entry states go in by bulk: ``COPY`` on PostgreSQL, one
``executemany`` per batch on SQLite. The secondary indexes of the loaded tables are dropped
before and made again after from their own definitions (read back from ``pg_indexes`` or
``sqlite_master``), as are SQLite's triggers on ``items`` (its FTS5 index is rebuilt once).

What it holds (``Shape``):
- items spread over ``days`` days, ids growing with the time tidings first saw them (as an
  update writes them), over feeds of uneven size (log-normal);
- each person follows ``follows`` feeds drawn by popularity (Zipf), in a handful of folders;
- per subscription a watermark: a share never read (``read_until = 0``), the others read up to
  a tail of unread items (exponential, mean ``tail_mean``);
- state rows only where they differ from the watermark: a share of the items above it read one
  by one, a few under it kept unread, and a share of all the person's items starred.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bench.farm import sentence

NOW = datetime(2026, 6, 1)  # naive UTC, as the tables keep it
FOLDERS = ("News", "Tech", "Science", "Friends", "Blogs", "Comics", "Sport", "Music", "Work")
LOADED = ("feeds", "items", "users", "subscriptions", "entry_states")
PHRASES = 20_000


def log(msg: str) -> None:
    print(f"[reading] {msg}", file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class Shape:
    items: int = 1_000_000
    feeds: int = 2_000
    people: int = 1_000
    follows: int = 200
    days: int = 365
    all_unread: float = 0.10  # subscriptions never read: read_until = 0
    tail_mean: float = 15.0  # mean unread items past the watermark of the others
    read_above: float = 0.10  # share of those unread items read one by one (a state row each)
    kept_unread: int = 10  # per person: items under the watermark marked unread again
    starred: float = 0.01  # share of a person's items starred
    seed: int = 11


@dataclass(slots=True)
class Made:
    """What the loader made, and how long each step took."""

    shape: Shape
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    unread: dict[int, int] = field(default_factory=dict)  # person -> unread items, as loaded
    starred: dict[int, int] = field(default_factory=dict)  # person -> starred items
    feed_sizes: tuple[int, int, int] = (0, 0, 0)  # smallest, median, largest

    def to_json(self) -> dict[str, Any]:
        unread = sorted(self.unread.values())
        return {
            "rows": self.rows,
            "seconds": self.seconds,
            "feed_sizes": self.feed_sizes,
            "unread_per_person": [unread[0], unread[len(unread) // 2], unread[-1]]
            if unread
            else [],
            "starred_per_person": sum(self.starred.values()) // max(1, len(self.starred)),
        }


class Sink(Protocol):
    """Where rows go: one bulk load per table, indexes set aside around it."""

    def put(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int: ...


def _counts(feeds: int, items: int, rng: random.Random) -> list[int]:
    weights = [rng.lognormvariate(0, 0.8) for _ in range(feeds)]
    total = sum(weights)
    counts = [max(1, int(items * w / total)) for w in weights]
    counts[0] += items - sum(counts)
    return counts


class Corpus:
    """Feeds and items: which item ids each feed has, in order, and when each was seen."""

    def __init__(self, shape: Shape, rng: random.Random) -> None:
        self.shape = shape
        counts = _counts(shape.feeds, shape.items, rng)
        span = shape.days * 86400
        pairs = [(rng.random() * span, f) for f, c in enumerate(counts, 1) for _ in range(c)]
        pairs.sort()
        self.seen = [NOW - timedelta(seconds=span - t) for t, _f in pairs]  # by id - 1
        self.feed_of = [f for _t, f in pairs]
        self.ids: dict[int, list[int]] = {f: [] for f in range(1, shape.feeds + 1)}
        for i, f in enumerate(self.feed_of, 1):
            self.ids[f].append(i)
        self.titles = [sentence(rng, 3, 9).rstrip(".") for _ in range(PHRASES)]
        self.texts = [sentence(rng, 12, 30) for _ in range(PHRASES)]
        self.rng = rng
        sizes = sorted(counts)
        self.sizes = (sizes[0], sizes[len(sizes) // 2], sizes[-1])

    def feed_rows(self) -> Iterator[tuple[Any, ...]]:
        for f in range(1, self.shape.feeds + 1):
            yield (
                f,
                f"https://site{f}.example.org/feed.xml",
                f"Source {f}",
                f"https://site{f}.example.org/",
                NOW - timedelta(days=self.shape.days + 30),
                NOW,
                NOW,
                NOW + timedelta(days=3650),  # never due: nothing runs the schedule here
                0,
                0,
                f % 4 == 0,  # a quarter on the site, the rest only people follow
            )

    FEED_COLUMNS = (
        "id", "url", "title", "site_url", "added_at", "last_checked", "last_success",
        "next_check", "error_count", "redirect_count", "on_site",
    )  # fmt: skip
    ITEM_COLUMNS = (
        "id", "feed_id", "identity_hash", "content_hash", "guid", "title", "link", "published",
        "first_seen", "sort_date", "summary_html", "search_text",
    )  # fmt: skip

    def item_rows(self) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        for i, (f, seen) in enumerate(zip(self.feed_of, self.seen, strict=True), 1):
            guid = f"urn:bench:{f}:{i}"
            text = self.texts[rng.randrange(PHRASES)]
            yield (
                i,
                f,
                hashlib.sha256(guid.encode()).hexdigest(),
                hashlib.sha256(text.encode()).hexdigest(),
                guid,
                self.titles[rng.randrange(PHRASES)],
                f"https://site{f}.example.org/{i}",
                seen,
                seen,
                seen,
                f"<p>{text}</p>",
                text,
            )


class People:
    """Users, subscriptions and state rows, made person by person; keeps each person's unread
    and starred counts (what ``unread_counts`` must then answer)."""

    USER_COLUMNS = ("id", "name", "password_hash", "created_at", "role", "state_seq")
    SUB_COLUMNS = (
        "id", "user_id", "feed_id", "folder", "hide_from_all", "reader_view", "created_at",
        "read_until", "read_until_seq",
    )  # fmt: skip
    STATE_COLUMNS = (
        "user_id", "item_id", "feed_id", "read", "starred", "read_at", "starred_at", "seq",
    )  # fmt: skip

    def __init__(self, corpus: Corpus, rng: random.Random) -> None:
        self.corpus = corpus
        self.rng = rng
        shape = corpus.shape
        ranks = list(range(1, shape.feeds + 1))
        rng.shuffle(ranks)  # popularity does not follow size
        self.weights = [1.0 / r**0.8 for r in ranks]
        self.feeds = list(range(1, shape.feeds + 1))
        self.users: list[tuple[Any, ...]] = []
        self.subs: list[tuple[Any, ...]] = []
        self.states: list[tuple[Any, ...]] = []
        self.unread: dict[int, int] = {}
        self.starred: dict[int, int] = {}

    def follows(self) -> list[int]:
        want = min(self.corpus.shape.follows, len(self.feeds))
        chosen: set[int] = set()
        while len(chosen) < want:
            chosen.update(self.rng.choices(self.feeds, self.weights, k=want - len(chosen)))
        return sorted(chosen)

    def make(self, user: int) -> None:
        rng, shape = self.rng, self.corpus.shape
        folders = rng.sample(FOLDERS, 5)
        seq, unread = 0, 0
        rows: dict[int, tuple[int, bool, bool]] = {}  # item -> feed, read, starred
        marked: list[tuple[int, int]] = []  # (feed, read_until) with something under it
        for feed in self.follows():
            ids = self.corpus.ids[feed]
            if rng.random() < shape.all_unread:
                tail = len(ids)
            else:
                tail = min(len(ids), int(rng.expovariate(1 / shape.tail_mean)))
            seq += 1
            mark = ids[len(ids) - tail - 1] if tail < len(ids) else 0
            folder = None if rng.random() < 0.2 else rng.choice(folders)
            when = NOW - timedelta(days=shape.days + 1)
            self.subs.append(
                (len(self.subs) + 1, user, feed, folder, False, False, when, mark, seq)
            )
            if mark:
                marked.append((feed, len(ids) - tail))
            above = ids[len(ids) - tail :]
            read_one_by_one = rng.sample(above, int(tail * shape.read_above + rng.random()))
            for i in read_one_by_one:
                rows[i] = (feed, True, False)
            unread += tail - len(read_one_by_one)
            for i in rng.sample(ids, int(len(ids) * shape.starred + rng.random())):
                read = rows[i][1] if i in rows else i <= mark
                rows[i] = (feed, read, True)
        for feed, under in rng.sample(marked, min(shape.kept_unread, len(marked))):
            i = self.corpus.ids[feed][rng.randrange(under)]
            if i not in rows:
                rows[i] = (feed, False, False)
                unread += 1
        starred = 0
        for i, (feed, read, star) in sorted(rows.items()):
            seq += 1
            starred += star
            self.states.append(self._state(user, i, feed, read, star, seq))
        self.unread[user], self.starred[user] = unread, starred
        self.users.append((user, f"reader{user:05d}", "!", NOW, "reader", seq))

    def _state(
        self, user: int, item: int, feed: int, read: bool, star: bool, seq: int
    ) -> tuple[Any, ...]:
        seen = self.corpus.seen[item - 1]
        at = seen + timedelta(hours=1)
        return (user, item, feed, read, star, at if read else None, at if star else None, seq)


def generate(sink: Sink, shape: Shape) -> Made:
    made = Made(shape)
    rng = random.Random(shape.seed)
    t0 = time.perf_counter()
    corpus = Corpus(shape, rng)
    made.feed_sizes = corpus.sizes
    made.seconds["make items"] = time.perf_counter() - t0
    loads: list[tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]] = [
        ("feeds", Corpus.FEED_COLUMNS, corpus.feed_rows()),
        ("items", Corpus.ITEM_COLUMNS, corpus.item_rows()),
    ]
    for table, columns, rows in loads:
        t = time.perf_counter()
        made.rows[table] = sink.put(table, columns, rows)
        made.seconds[f"load {table}"] = time.perf_counter() - t
        log(f"{made.rows[table]:,} {table} in {made.seconds[f'load {table}']:.0f} s")
    t = time.perf_counter()
    people = People(corpus, rng)
    for user in range(1, shape.people + 1):
        people.make(user)
    made.seconds["make people"] = time.perf_counter() - t
    loads = [
        ("users", People.USER_COLUMNS, people.users),
        ("subscriptions", People.SUB_COLUMNS, people.subs),
        ("entry_states", People.STATE_COLUMNS, people.states),
    ]
    for table, columns, rows in loads:
        t = time.perf_counter()
        made.rows[table] = sink.put(table, columns, rows)
        made.seconds[f"load {table}"] = time.perf_counter() - t
        log(f"{made.rows[table]:,} {table} in {made.seconds[f'load {table}']:.0f} s")
    made.unread, made.starred = people.unread, people.starred
    return made


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def _ident(name: str) -> str:
    assert name.replace("_", "").isalnum(), name
    return name


class PgSink:
    """``COPY`` into PostgreSQL; foreign keys unchecked while loading (the rows are consistent
    by construction), indexes made after; ``VACUUM ANALYZE`` at the end."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.conn = psycopg.connect(url)
        self.conn.execute("SET synchronous_commit = off")
        self.conn.execute("SET maintenance_work_mem = '512MB'")
        self.conn.execute("SET session_replication_role = replica")  # no FK triggers

    def put(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        conn, table = self.conn, _ident(table)
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (table,),
        ).fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{_ident(name)}"')
        count = 0
        cols = ", ".join(_ident(c) for c in columns)
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        for _name, sql in indexes:
            conn.execute(sql)
        if "id" in columns:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
        return count

    def finish(self) -> None:
        self.conn.close()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):  # as SQLAlchemy stores a DateTime on SQLite
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


class SqliteSink:
    """``executemany`` into SQLite, indexes and the triggers on ``items`` set aside while
    loading; the FTS5 index that follows ``items`` is rebuilt once."""

    BATCH = 10_000

    def __init__(self, path: str) -> None:
        import sqlite3

        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("synchronous=OFF", "foreign_keys=OFF", "cache_size=-524288"):
            self.conn.execute(f"PRAGMA {pragma}")

    def _schema(self, kind: str, table: str) -> list[tuple[str, str]]:
        return self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = ? AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (kind, table),
        ).fetchall()

    def put(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        conn, table = self.conn, _ident(table)
        indexes, triggers = self._schema("index", table), self._schema("trigger", table)
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{_ident(name)}"')
        for name, _sql in triggers:
            conn.execute(f'DROP TRIGGER "{_ident(name)}"')
        marks = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table} ({', '.join(map(_ident, columns))}) VALUES ({marks})"
        count = 0
        conn.execute("BEGIN")
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) == self.BATCH:
                conn.executemany(statement, batch)
                count, batch = count + len(batch), []
        conn.executemany(statement, batch)
        count += len(batch)
        for _name, sql in indexes + triggers:
            conn.execute(sql)
        if triggers:
            fts = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE "
                "'%USING fts5%' AND sql LIKE ?",
                (f"%content=%{table}%",),
            ).fetchall()
            for (name,) in fts:
                conn.execute(f'INSERT INTO "{_ident(name)}"("{name}") VALUES (\'rebuild\')')
        conn.execute("COMMIT")
        return count

    def finish(self) -> None:
        self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()
