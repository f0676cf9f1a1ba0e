"""Full-text search on SQLite: the FTS5 table of migration 0004, bm25 ranking and snippets.

Only the newest ``RANK_WINDOW`` matches are ranked: bm25 over every match of a common word costs
a second at a million items, over the newest thousand a few milliseconds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Integer, Select, bindparam, func, literal_column, select
from sqlalchemy.sql import column, table
from sqlalchemy.sql.expression import ColumnClause, ColumnElement

from tidings.store import search
from tidings.store.items import ITEM_COLUMNS, feed_title, item_of, on_site_items
from tidings.store.schema import feeds, items
from tidings.store.search import CLOSE, FTS_TABLE, OPEN, marks_to_html
from tidings.store.searchquery import Phrase, SearchQuery
from tidings.types import SearchHit

_fts = table(FTS_TABLE, column("rowid", Integer))
_fts_ref: ColumnClause[Any] = literal_column(FTS_TABLE)


def _fts5_phrase(phrase: Phrase) -> str:
    # words hold only letters, digits and marks; doubling quotes is the FTS5 escape regardless
    return '"' + " ".join(phrase.words).replace('"', '""') + '"'


def to_fts5(query: SearchQuery) -> str | None:
    """The FTS5 MATCH expression, every word inside a quoted string; None when nothing can match."""
    if not query.required:
        return None
    positive = " AND ".join(
        "(" + " OR ".join(_fts5_phrase(p) for p in clause) + ")" for clause in query.required
    )
    if not query.excluded:
        return positive
    negative = " OR ".join(_fts5_phrase(p) for p in query.excluded)
    return f"({positive}) NOT ({negative})"


class Fts5Search:
    """SQLite FTS5: bm25 ranking with titles weighing more than text, ties broken by date."""

    TITLE_WEIGHT = 5.0
    SNIPPET_TOKENS = 32

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def search(
        self, query: SearchQuery, *, limit: int, offset: int, newest_first: bool = False
    ) -> list[SearchHit]:
        expression = to_fts5(query)
        if expression is None or offset >= search.RANK_WINDOW:
            return []
        match = _fts_ref.op("MATCH")(expression)
        page = self._page(match, limit=limit, offset=offset, newest_first=newest_first)
        one = self._marked(match)
        with self.engine.connect() as conn:
            ids = list(conn.execute(page).scalars())
            rows = [conn.execute(one, {"rid": rid}).first() for rid in ids]
        return [
            SearchHit(
                item=item_of(r),
                title_html=marks_to_html(r.title_marked),
                snippet_html=marks_to_html(r.snippet_marked),
            )
            for r in rows
            if r is not None  # deleted between the two reads
        ]

    def _page(
        self, match: ColumnElement[Any], *, limit: int, offset: int, newest_first: bool
    ) -> Select[Any]:
        """The ids of one page of the newest ``RANK_WINDOW`` matches, best (or newest) first."""
        window = (
            select(
                _fts.c.rowid.label("rid"),
                func.bm25(_fts_ref, self.TITLE_WEIGHT, 1.0).label("score"),
            )
            .select_from(_fts)
            .where(match)
            .order_by(_fts.c.rowid.desc())
            .limit(search.RANK_WINDOW)
            .subquery()
        )
        joined = (
            select(window.c.rid)
            .join(items, items.c.id == window.c.rid)
            .where(on_site_items())  # not the items of feeds only people follow
        )
        return search.ranked_page(
            joined, window.c.score, limit=limit, offset=offset, newest_first=newest_first
        )

    def _marked(self, match: ColumnElement[Any]) -> Select[Any]:
        """One matching item (``rid``) with its title and snippet marked up.

        One row at a time: FTS5 answers MATCH with a rowid at once, while a join with the page
        would make it match the whole index again.
        """
        snippet = func.snippet(_fts_ref, 1, OPEN, CLOSE, "…", self.SNIPPET_TOKENS)
        return (
            select(
                *ITEM_COLUMNS,
                feed_title(),
                func.highlight(_fts_ref, 0, OPEN, CLOSE).label("title_marked"),
                snippet.label("snippet_marked"),
            )
            .select_from(
                _fts.join(items, items.c.id == _fts.c.rowid).join(
                    feeds, feeds.c.id == items.c.feed_id
                )
            )
            .where(match, _fts.c.rowid == bindparam("rid"))
        )

    def count(self, query: SearchQuery) -> int:
        """Exact up to ``RANK_WINDOW``; past it, ``RANK_WINDOW + 1`` ("more than 1,000")."""
        expression = to_fts5(query)
        if expression is None:
            return 0
        matching = (
            select(_fts.c.rowid)
            .select_from(_fts.join(items, items.c.id == _fts.c.rowid))
            .where(_fts_ref.op("MATCH")(expression), on_site_items())
            .limit(search.RANK_WINDOW + 1)
            .subquery()
        )
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(matching)).scalar() or 0)
