"""Full-text search on PostgreSQL: the tsvector of migration 0005, ts_rank_cd and ts_headline.

The same ``SearchQuery`` as on SQLite becomes a tsquery built only from functions over bound
parameters: each word or phrase is ``phraseto_tsquery`` of its words (so a phrase is
``a <-> b``), clauses are joined with ``tsquery_and``, alternatives with ``tsquery_or``, and
exclusions with ``tsquery_not``. User text is never tsquery syntax, nor SQL. The words go through
the same ``regexp_replace`` as the indexed text did, so query and index break words alike, and
the ``tidings`` configuration stems both the same way.

Ranking mirrors ``Fts5Search``: only the newest ``RANK_WINDOW`` matches are scored (the GIN index
finds them, ts_rank_cd weighs a title match (A) above a text match (B)), ties go to the newer
item, and the headlines are computed for the returned page only.

Where the two backends may still differ: word forms (Porter on SQLite, Snowball here), accents
when the ``unaccent`` extension could not be had, a phrase running from the end of a title into
the start of the text (one vector here, two columns in FTS5), and phrases past the 16,383rd word
of a text (tsvector positions stop there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Row, Text, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY, TSVECTOR
from sqlalchemy.sql import FromClause, Select, Subquery
from sqlalchemy.sql.elements import ColumnElement

from tidings.store import search
from tidings.store.items import ITEM_COLUMNS, feed_title, item_of, on_site_items
from tidings.store.schema import feeds, items
from tidings.store.search import CLOSE, OPEN, PG_CONFIG, PG_VECTOR, marks_to_html
from tidings.store.searchquery import Phrase, SearchQuery
from tidings.types import SearchHit

__all__ = ["PgSearch", "to_tsquery"]

# what migration 0005 indexes: letters, digits and combining diacritics; anything else a break
WORD_BREAKS = "[^[:alnum:]\u0300-\u036f]+"

_vector: ColumnElement[Any] = literal_column(f"items.{PG_VECTOR}", TSVECTOR)
_config: ColumnElement[Any] = literal_column(f"'{PG_CONFIG}'::regconfig", REGCONFIG)  # constant
MARKS = f'StartSel="{OPEN}", StopSel="{CLOSE}"'  # ts_headline's options, as FTS5's markers
SNIPPET_WORDS = 32


def _phrase(phrase: Phrase) -> ColumnElement[Any]:
    words = func.regexp_replace(literal(" ".join(phrase.words), Text), WORD_BREAKS, " ", "g")
    return func.phraseto_tsquery(_config, words, type_=TSQUERY)


def _any(phrases: tuple[Phrase, ...]) -> ColumnElement[Any]:
    out = _phrase(phrases[0])
    for phrase in phrases[1:]:
        out = func.tsquery_or(out, _phrase(phrase), type_=TSQUERY)
    return out


def _positive(query: SearchQuery) -> ColumnElement[Any] | None:
    if not query.required:
        return None
    out = _any(query.required[0])
    for clause in query.required[1:]:
        out = func.tsquery_and(out, _any(clause), type_=TSQUERY)
    return out


def to_tsquery(query: SearchQuery) -> ColumnElement[Any] | None:
    """The tsquery for ``query``, every word a bound parameter; None when nothing can match."""
    positive = _positive(query)
    if positive is None or not query.excluded:
        return positive
    return func.tsquery_and(positive, func.tsquery_not(_any(query.excluded)), type_=TSQUERY)


def _matches(tsquery: ColumnElement[Any]) -> ColumnElement[bool]:
    return _vector.op("@@", is_comparison=True)(tsquery)


class PgSearch:
    """PostgreSQL: ts_rank_cd with titles weighing more than text, ties broken by date."""

    HEADLINE_CHARS = 20_000  # text read for a snippet; the rest only when no match is in it

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def search(
        self, query: SearchQuery, *, limit: int, offset: int, newest_first: bool = False
    ) -> list[SearchHit]:
        tsquery = to_tsquery(query)
        positive = _positive(query)
        if tsquery is None or positive is None or offset >= search.RANK_WINDOW:
            return []
        page = _page(tsquery, limit=limit, offset=offset, newest_first=newest_first)
        title_options = literal(f"{MARKS}, HighlightAll=true", Text)
        title_marked = func.ts_headline(
            _config, _spaced(func.coalesce(items.c.title, "")), positive, title_options
        ).label("title_marked")
        rows, inner = _with_snippet(
            (page.c.score, page.c.sd, *ITEM_COLUMNS, feed_title(), title_marked),
            page.join(items, items.c.id == page.c.rid).join(feeds, feeds.c.id == items.c.feed_id),
            positive,
            cap=self.HEADLINE_CHARS,
        )
        rows = rows.order_by(
            *(() if newest_first else (inner.c.score.desc(),)),
            inner.c.sd.desc(),
            inner.c.id.desc(),
        )
        with self.engine.connect() as conn:
            found = conn.execute(rows).all()
            snippets = self._snippets(conn, found, positive)
        return [
            SearchHit(
                item=item_of(r),
                title_html=marks_to_html(_restore(r.title_marked, r.title or "")),
                snippet_html=marks_to_html(snippets[r.id]),
            )
            for r in found
        ]

    def _snippets(
        self, conn: Connection, found: Sequence[Row[Any]], positive: ColumnElement[Any]
    ) -> dict[int, str | None]:
        """The snippet of each item found, from the whole text for a long text whose first
        ``HEADLINE_CHARS`` hold no match."""
        snippets = {r.id: _snippet(r.marked, r.part, r.at, r.size) for r in found}
        late = [
            r.id for r in found if r.size > self.HEADLINE_CHARS and OPEN not in (r.marked or OPEN)
        ]
        if late:
            again, _ = _with_snippet(
                (items.c.id,), items, positive, cap=None, where=items.c.id.in_(late)
            )
            for r in conn.execute(again):
                snippets[r.id] = _snippet(r.marked, r.part, r.at, r.size)
        return snippets

    def count(self, query: SearchQuery) -> int:
        """Exact up to ``RANK_WINDOW``; past it, ``RANK_WINDOW + 1`` ("more than 1,000")."""
        tsquery = to_tsquery(query)
        if tsquery is None:
            return 0
        matching = (
            select(items.c.id)
            .where(_matches(tsquery), on_site_items())
            .limit(search.RANK_WINDOW + 1)
        )
        with self.engine.connect() as conn:
            counted = select(func.count()).select_from(matching.subquery())
            return int(conn.execute(counted).scalar() or 0)


def _page(tsquery: ColumnElement[Any], *, limit: int, offset: int, newest_first: bool) -> Subquery:
    """One page of the newest ``RANK_WINDOW`` matches, best (or newest) first, with each one's
    ``score`` and sort date (``sd``); the GIN index finds the window."""
    window = (
        select(items.c.id.label("rid"))
        .where(_matches(tsquery), on_site_items())  # not the items of feeds only people follow
        .order_by(items.c.id.desc())
        .limit(search.RANK_WINDOW)
        .subquery()
    )
    score = func.ts_rank_cd(_vector, tsquery).label("score")
    joined = select(window.c.rid, score, items.c.sort_date.label("sd")).join(
        items, items.c.id == window.c.rid
    )
    page = search.ranked_page(
        joined, score.desc(), limit=limit, offset=offset, newest_first=newest_first
    )
    return page.subquery()


def _with_snippet(
    columns: tuple[ColumnElement[Any], ...],
    from_: FromClause,
    positive: ColumnElement[Any],
    *,
    cap: int | None,
    where: ColumnElement[bool] | None = None,
) -> tuple[Select[Any], Subquery]:
    """``columns`` and a snippet of the item's text (the first ``cap`` characters of it).

    The headline is made from the text with every non-word character a space, as it was
    indexed: PostgreSQL's parser would otherwise read tags, URLs or "3.5" as tokens of their own
    and miss the words inside. The spaced text has the same length, so the headline is found in
    it and the original characters are put back. OFFSET 0 keeps the planner from inlining the
    subquery, which would compute the headline once for each use of it.
    """
    text = func.coalesce(items.c.search_text, "")
    normal = _spaced(text if cap is None else func.left(text, cap))
    options = literal(f"{MARKS}, MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}", Text)
    inner = (
        select(
            *columns,
            func.ts_headline(_config, normal, positive, options).label("marked"),
            normal.label("normal"),
            text.label("original"),
        )
        .select_from(from_)
        .where(*(() if where is None else (where,)))
        .offset(0)
        .subquery()
    )
    plain = func.translate(inner.c.marked, OPEN + CLOSE, "")
    at = func.strpos(inner.c.normal, plain)
    outer = select(
        *(inner.c[c.key] for c in columns if c.key is not None),
        inner.c.marked,
        at.label("at"),
        func.length(inner.c.original).label("size"),
        func.substr(inner.c.original, at, func.length(plain)).label("part"),
    )
    return outer, inner


def _spaced(text: ColumnElement[Any]) -> ColumnElement[Any]:
    """Every character but letters, digits and combining marks a space, one for one."""
    return func.regexp_replace(text, WORD_BREAKS.removesuffix("+"), " ", "g")


def _restore(marked: str | None, original: str) -> str:
    """The marks of a headline over the spaced text, put into the original characters."""
    if not marked:
        return original
    if len(marked.replace(OPEN, "").replace(CLOSE, "")) != len(original):
        return marked  # cannot happen; the spaced text is still the right words
    out: list[str] = []
    at = 0
    for ch in marked:
        if ch in (OPEN, CLOSE):
            out.append(ch)
        else:
            out.append(original[at])
            at += 1
    return "".join(out)


def _snippet(marked: str | None, part: str | None, at: int | None, size: int) -> str | None:
    """The headline in the original text, with an ellipsis where it stops short, as in FTS5."""
    if not marked or not part or not at:
        return marked
    out = _restore(marked, part)
    if at > 1:
        out = "…" + out
    if at - 1 + len(part) < size:
        out += "…"
    return out
