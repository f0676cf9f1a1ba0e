"""A large tidings database for the page benchmark, made fast.

``tidings db upgrade`` makes the schema (so the migrations, triggers and FTS index are tidings'
own), then feeds and items go in through SQLAlchemy: feeds with a Core bulk insert, items with
the INSERT statement SQLAlchemy compiles from tidings' own ``items`` table, run as one
executemany per batch, every value passed through its tidings column type's bind processor
(so dates are stored exactly as the store stores them). ``search_text`` is derived with the
store's own function. Full-text indexes that follow ``items`` through triggers are built once at
the end with FTS5's ``rebuild`` (a trigger per row is five times slower), and the triggers are
put back exactly as the migrations wrote them. Item HTML is what the sanitizer leaves.
"""

from __future__ import annotations

import hashlib
import importlib
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.farm import VOCAB, item_html, sentence, words
from bench.tidings_side import Tidings

BATCH = 10_000
NOW = datetime(2026, 6, 1, tzinfo=UTC)
BODIES = 4_000  # distinct bodies; each item puts a sentence of its own in front of one
PHRASES = 50_000  # distinct titles, own sentences and link slugs to draw from
ITEM_COLUMNS = (
    "feed_id", "identity_hash", "content_hash", "guid", "title", "link", "author", "published",
    "updated", "first_seen", "sort_date", "summary_html", "content_html", "search_text",
)  # fmt: skip

TextFn = Callable[[str | None, str | None], str | None]


def log(msg: str) -> None:
    print(f"[pages] {msg}", file=sys.stderr, flush=True)


def _search_text_fn() -> TextFn | None:
    try:
        module = importlib.import_module("tidings.store.search")
    except ImportError:
        return None
    fn = getattr(module, "search_text_of", None)
    return fn if callable(fn) else None


def _counts(feeds: int, items: int, rng: random.Random) -> list[int]:
    """Items per feed: uneven (some feeds much bigger than others), adding up to ``items``."""
    weights = [rng.lognormvariate(0, 0.8) for _ in range(feeds)]
    total = sum(weights)
    counts = [max(1, int(items * w / total)) for w in weights]
    counts[0] += items - sum(counts)
    return counts


def _processors(table: Any, columns: list[str], dialect: Any) -> list[Callable[[Any], Any]]:
    out: list[Callable[[Any], Any]] = []
    for name in columns:
        proc = table.c[name].type.bind_processor(dialect)
        out.append(proc if proc is not None else _same)
    return out


def _same(value: Any) -> Any:
    return value


class ItemMaker:
    """Rows for ``items``: bodies and phrases are drawn from pools made once, so a million rows
    take seconds, not the minutes that per-item HTML and per-item text extraction would."""

    def __init__(self, rng: random.Random, search_text: TextFn | None) -> None:
        self.rng = rng
        self.search_text = search_text
        self.bodies = []
        for n in range(BODIES):
            html = item_html(rng, 0, n, hostile=False)
            self.bodies.append((html, search_text(html, None) if search_text else None))
        self.titles = [sentence(rng, 3, 9).rstrip(".") for _ in range(PHRASES)]
        self.own = [sentence(rng, 5, 12) for _ in range(PHRASES)]
        self.slugs = ["-".join(words(rng, 3)) for _ in range(PHRASES)]
        # an item's HTML is "<p>its own sentence</p>" + a body; check that the store's text of
        # that is the sentence + the body's text, else ask the store for every item (slower)
        self.exact = search_text is None or all(
            search_text(f"<p>{self.own[i]}</p>{h}", None) == f"{self.own[i]} {t}"
            for i, (h, t) in enumerate(self.bodies[:100])
        )

    def row(self, feed_id: int, n: int, span: int) -> dict[str, Any]:
        rng = self.rng
        guid = f"urn:bench:{feed_id}:{n}"
        when = NOW - timedelta(seconds=rng.randrange(span))
        own = self.own[rng.randrange(PHRASES)]
        body, text = self.bodies[rng.randrange(BODIES)]
        html = f"<p>{own}</p>{body}"
        row = {
            "feed_id": feed_id,
            "identity_hash": hashlib.sha256(guid.encode()).hexdigest(),
            "content_hash": hashlib.sha256(html.encode()).hexdigest(),
            "guid": guid,
            "title": self.titles[rng.randrange(PHRASES)],
            "link": f"https://site{feed_id}.example.org/{n}/{self.slugs[rng.randrange(PHRASES)]}",
            "author": f"Editor {feed_id}",
            "published": when,
            "updated": None,
            "first_seen": when,
            "sort_date": when,
            "summary_html": html,
            "content_html": None,
        }
        if self.search_text is not None:
            row["search_text"] = f"{own} {text}" if self.exact else self.search_text(html, None)
        return row


def generate(data_dir: Path, *, feeds: int, items: int, seed: int = 3) -> dict[str, Any]:
    """Make the database in ``data_dir``; return what was made and how long it took."""
    from sqlalchemy import bindparam, create_engine, event, insert

    start = time.perf_counter()
    tidings = Tidings(data_dir)
    tidings.run("db", "upgrade", timeout=300).check()
    schema = importlib.import_module("tidings.store.schema")
    engine = create_engine(f"sqlite:///{tidings.db}")

    @event.listens_for(engine, "connect")
    def _fast(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-524288")  # 512 MB while loading
        cur.close()

    rng = random.Random(seed)
    feed_cols = set(schema.feeds.c.keys())
    feed_rows = []
    for i in range(1, feeds + 1):
        row = {
            "id": i,
            "url": f"http://127.0.1.{i % 50 + 1}:9/feeds/{i}.xml",  # never fetched (no scheduler)
            "title": f"Source {i}: {' '.join(rng.choice(VOCAB) for _ in range(2))}",
            "site_url": f"https://site{i}.example.org/",
            "description": f"<p>{sentence(rng)}</p>",
            "added_at": NOW - timedelta(days=1000),
            "etag": f'"{i:x}-abc"',
            "last_modified": "Mon, 01 Jun 2026 00:00:00 GMT",
            "last_checked": NOW,
            "last_success": NOW,
            "next_check": NOW + timedelta(days=3650),
            "error_count": 0,
        }
        feed_rows.append({k: v for k, v in row.items() if k in feed_cols})
    counts = _counts(feeds, items, rng)
    item_cols = set(schema.items.c.keys())
    columns = [c for c in ITEM_COLUMNS if c in item_cols]
    statement = str(
        insert(schema.items)
        .values({c: bindparam(c) for c in columns})
        .compile(dialect=engine.dialect)
    )
    procs = _processors(schema.items, columns, engine.dialect)
    maker = ItemMaker(rng, _search_text_fn() if "search_text" in item_cols else None)
    span = 3 * 365 * 24 * 3600  # items over three years
    done = 0
    with engine.begin() as conn:
        triggers = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'items'"
        ).all()
        fts = [
            name
            for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE "
                "'%USING fts5%' AND sql LIKE '%content=%items%'"
            ).all()
        ]
        for name, _sql in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        conn.execute(insert(schema.feeds), feed_rows)
        batch: list[tuple[Any, ...]] = []
        for feed_id, count in zip(range(1, feeds + 1), counts, strict=True):
            for n in range(count):
                row = maker.row(feed_id, n, span)
                batch.append(tuple(p(row.get(c)) for c, p in zip(columns, procs, strict=True)))
                if len(batch) == BATCH:
                    conn.exec_driver_sql(statement, batch)
                    done += len(batch)
                    batch = []
                    if done % 200_000 == 0:
                        log(f"{done} items ({time.perf_counter() - start:.0f} s)")
        if batch:
            conn.exec_driver_sql(statement, batch)
            done += len(batch)
        for name in fts:
            log(f"building the full-text index {name} ({time.perf_counter() - start:.0f} s)")
            conn.exec_driver_sql(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.commit()
    engine.dispose()
    took = time.perf_counter() - start
    size = sum(p.stat().st_size for p in data_dir.glob("tidings.db*"))
    return {
        "feeds": feeds,
        "items": done,
        "seconds": round(took, 1),
        "db_mb": round(size / 1e6),
        "biggest_feed": max(counts),
        "smallest_feed": min(counts),
        "search_text": "search_text" in item_cols,
        "search_text_exact": maker.exact,
        "fts_rebuilt": fts,
        "triggers_restored": [name for name, _sql in triggers],
    }
