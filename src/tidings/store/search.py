"""Full-text search over items: the query language, its translation, and the SQLite FTS5 backend.

What is indexed: each item's title and ``items.search_text``, the plain text of its summary and
content that the store writes next to the HTML (``search_text_of``). Indexing plain text rather
than the sanitized HTML means tag names and attribute values (``<strong>``, ``href="..."``) can
never match a search for "strong" or "href", and snippets are text we escape ourselves. A
trigger could not strip tags without an application-defined SQL function, which every connection
(the sqlite3 shell included) would then need; a column written by the store needs nothing. On
SQLite an external-content FTS5 table (``items_fts``, migration 0004) is kept in step with
``items`` by triggers, so no write path can forget to index; on PostgreSQL a generated tsvector
column (``items.search_vector``, migration 0005) does the same.

The query language is the one people know from web search engines: words (all must match),
``"exact phrases"``, ``-excluded`` words or phrases, and ``OR`` between two alternatives
(``a b OR c`` means a and (b or c)). ``parse_query`` turns any string into a backend-neutral
``SearchQuery`` and each backend renders that itself. FTS5 gets every word inside a quoted
string, so user text is never FTS5 syntax; on PostgreSQL (``store/pgsearch.py``) each word or
phrase is a ``phraseto_tsquery`` of a bound parameter, joined by ``tsquery_and``, ``tsquery_or``
and ``tsquery_not``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Protocol

from sqlalchemy import Engine, Integer, bindparam, func, literal_column, select
from sqlalchemy.sql import column, table
from sqlalchemy.sql.expression import ColumnClause

from tidings.errors import StoreError
from tidings.store.schema import feeds, items
from tidings.types import SearchHit

__all__ = [
    "FTS_TABLE",
    "MAX_LIMIT",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "RANK_WINDOW",
    "Fts5Search",
    "Phrase",
    "SearchBackend",
    "SearchQuery",
    "backend_for",
    "include_name",
    "marks_to_html",
    "parse_query",
    "search_text_of",
    "to_fts5",
]

FTS_TABLE = "items_fts"
PG_VECTOR = "search_vector"  # items' generated tsvector on PostgreSQL (migration 0005)
PG_INDEX = "ix_items_search_vector"
PG_CONFIG = "tidings"  # the text search configuration made by migration 0005
MAX_QUERY_CHARS = 500  # longer queries are cut here: nobody types more, and FTS cost grows with it
MAX_TERMS = 16  # words or phrases kept from one query
MAX_LIMIT = 100  # results per call
RANK_WINDOW = 1_000  # matches ranked per query, the newest; deeper results are not reachable
MAX_TEXT_CHARS = 200_000  # plain text indexed per item

# snippet() and highlight() wrap matches in these; they are XML-illegal control characters, so
# feed text never carries them (and stray ones are dropped by marks_to_html anyway)
OPEN, CLOSE = "\x02", "\x03"


# -- plain text for the index ------------------------------------------------------------------

_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "img", "li", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_HIDDEN = frozenset({"script", "style", "template", "title", "head"})
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


class _TextCollector(HTMLParser):
    """Text nodes only: attribute values and tag names never reach the index."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _html_text(fragment: str) -> str:
    if "<" not in fragment and "&" not in fragment:
        return fragment
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return "".join(collector.parts)


def search_text_of(summary_html: str | None, content_html: str | None) -> str | None:
    """The plain text indexed for an item: its summary, then its content unless that repeats it."""
    summary = " ".join(_html_text(summary_html or "").split())
    content = " ".join(_html_text(content_html or "").split())
    text = content if summary and summary in content else f"{summary} {content}".strip()
    text = _CONTROLS.sub("", text)[:MAX_TEXT_CHARS]
    return text or None


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: the search indexes are made by hand, not from metadata.

    On SQLite the FTS5 table and its shadow tables; on PostgreSQL the generated
    ``items.search_vector`` and its GIN index (migration 0005), which SQLite has no use for.
    """
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(FTS_TABLE)
    if type_ == "column":
        return not (name == PG_VECTOR and parent_names.get("table_name") == "items")
    return not (type_ == "index" and name == PG_INDEX)


# -- the query language ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phrase:
    """One word, or the words of an exact phrase, in order; only letters, digits and marks."""

    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: every clause must match (a clause is alternatives joined by OR)."""

    text: str
    required: tuple[tuple[Phrase, ...], ...] = ()
    excluded: tuple[Phrase, ...] = ()
    truncated: bool = False  # words past MAX_TERMS or characters past MAX_QUERY_CHARS were dropped

    @property
    def problem(self) -> str | None:
        """Why this query cannot find anything, in words a person can act on; None if it can."""
        if self.required:
            return None
        if self.excluded:
            return (
                "Add a word to look for: a search with only excluded words (-word) finds nothing."
            )
        if self.text.strip():
            return "Type a word to look for: this search has no letters or digits in it."
        return "Type a word to look for."


def _is_word_char(ch: str) -> bool:
    # what FTS5's unicode61 tokenizer keeps (letters, numbers, private use) plus combining marks
    cat = unicodedata.category(ch)
    return cat[0] in "LNM" or cat == "Co"


def _words(text: str) -> tuple[str, ...]:
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if _is_word_char(ch):
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return tuple(words)


_OR = object()


def _lex(text: str) -> list[tuple[bool, Phrase] | object]:
    """Split a query into (negated, phrase) terms and OR markers; anything else is dropped."""
    out: list[tuple[bool, Phrase] | object] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            raw, quoted, i = text[i + 1 : end], True, end + 1
        else:
            start = i
            while i < n and not text[i].isspace():
                i += 1
            raw, quoted = text[start:i], False
        if raw == "OR" and not quoted and not negated:
            out.append(_OR)
            continue
        words = _words(raw)
        if words:
            out.append((negated, Phrase(words)))
    return out


def parse_query(text: str) -> SearchQuery:
    """Any string to a query; never raises. Long queries are cut, not refused."""
    text = text if isinstance(text, str) else ""
    truncated = len(text) > MAX_QUERY_CHARS
    clipped = _CONTROLS.sub(" ", unicodedata.normalize("NFC", text[:MAX_QUERY_CHARS]))
    required: list[list[Phrase]] = []
    excluded: list[Phrase] = []
    joining = False  # an OR follows a positive term: the next positive term joins its clause
    after_positive = False
    kept = 0
    for token in _lex(clipped):
        if token is _OR:
            joining = joining or after_positive
            after_positive = False
            continue
        assert isinstance(token, tuple)
        negated, phrase = token
        if kept >= MAX_TERMS:
            truncated = True
            break
        kept += 1
        if negated:
            excluded.append(phrase)
            joining = after_positive = False
            continue
        if joining and phrase not in required[-1]:
            required[-1].append(phrase)
        elif not joining:
            required.append([phrase])
        joining, after_positive = False, True
    clauses = tuple(dict.fromkeys(tuple(c) for c in required))
    return SearchQuery(
        text=text[:MAX_QUERY_CHARS],
        required=clauses,
        excluded=tuple(dict.fromkeys(excluded)),
        truncated=truncated,
    )


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


def marks_to_html(marked: str | None) -> str:
    """Escape text and turn the OPEN/CLOSE markers into balanced ``<mark>`` elements."""
    if not marked:
        return ""
    out: list[str] = []
    inside = False
    for part in re.split(f"([{OPEN}{CLOSE}])", marked):
        if part == OPEN:
            if not inside:
                out.append("<mark>")
                inside = True
        elif part == CLOSE:
            if inside:
                out.append("</mark>")
                inside = False
        elif part:
            out.append(html.escape(part, quote=True))
    if inside:
        out.append("</mark>")
    return "".join(out)


# -- backends ----------------------------------------------------------------------------------


class SearchBackend(Protocol):
    """What a full-text index offers the facade; one per database kind."""

    def search(
        self, query: SearchQuery, *, limit: int, offset: int, newest_first: bool = False
    ) -> list[SearchHit]:
        """Best matches first (or newest first), each with its title and a snippet marked up."""
        ...

    def count(self, query: SearchQuery) -> int:
        """How many items match in all."""
        ...


_fts = table(FTS_TABLE, column("rowid", Integer))
_fts_ref: ColumnClause[Any] = literal_column(FTS_TABLE)
_feed_title = func.coalesce(feeds.c.user_title, feeds.c.title, feeds.c.url).label("feed_title")


class Fts5Search:
    """SQLite FTS5: bm25 ranking with titles weighing more than text, ties broken by date."""

    TITLE_WEIGHT = 5.0
    SNIPPET_TOKENS = 32

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def search(
        self, query: SearchQuery, *, limit: int, offset: int, newest_first: bool = False
    ) -> list[SearchHit]:
        # the one Row -> Item conversion (imported here: store.py imports this module)
        from tidings.store.store import ITEM_COLUMNS, Store

        expression = to_fts5(query)
        if expression is None or offset >= RANK_WINDOW:
            return []
        match = _fts_ref.op("MATCH")(expression)
        # Rank the newest RANK_WINDOW matches only: bm25 over every match of a common word costs
        # a second at a million items, over the newest thousand a few milliseconds.
        window = (
            select(
                _fts.c.rowid.label("rid"),
                func.bm25(_fts_ref, self.TITLE_WEIGHT, 1.0).label("score"),
            )
            .select_from(_fts)
            .where(match)
            .order_by(_fts.c.rowid.desc())
            .limit(RANK_WINDOW)
            .subquery()
        )
        page = (
            select(window.c.rid)
            .join(items, items.c.id == window.c.rid)
            .order_by(
                *(() if newest_first else (window.c.score,)),
                items.c.sort_date.desc(),
                items.c.id.desc(),
            )
            .limit(max(1, min(limit, MAX_LIMIT)))
            .offset(max(0, offset))
        )
        # snippets one row at a time: FTS5 answers MATCH with a rowid at once, while a join
        # with the page would make it match the whole index again
        one = (
            select(
                *ITEM_COLUMNS,
                _feed_title,
                func.highlight(_fts_ref, 0, OPEN, CLOSE).label("title_marked"),
                func.snippet(_fts_ref, 1, OPEN, CLOSE, "…", self.SNIPPET_TOKENS).label(
                    "snippet_marked"
                ),
            )
            .select_from(
                _fts.join(items, items.c.id == _fts.c.rowid).join(
                    feeds, feeds.c.id == items.c.feed_id
                )
            )
            .where(match, _fts.c.rowid == bindparam("rid"))
        )
        with self.engine.connect() as conn:
            ids = list(conn.execute(page).scalars())
            rows = [conn.execute(one, {"rid": rid}).first() for rid in ids]
        return [
            SearchHit(
                item=Store._item(r),
                title_html=marks_to_html(r.title_marked),
                snippet_html=marks_to_html(r.snippet_marked),
            )
            for r in rows
            if r is not None  # deleted between the two reads
        ]

    def count(self, query: SearchQuery) -> int:
        """Exact up to ``RANK_WINDOW``; past it, ``RANK_WINDOW + 1`` ("more than 1,000")."""
        expression = to_fts5(query)
        if expression is None:
            return 0
        matching = (
            select(_fts.c.rowid)
            .select_from(_fts)
            .where(_fts_ref.op("MATCH")(expression))
            .limit(RANK_WINDOW + 1)
            .subquery()
        )
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(matching)).scalar() or 0)


def backend_for(engine: Engine) -> SearchBackend:
    """The search backend for this database: FTS5 on SQLite, tsvector + GIN on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        return Fts5Search(engine)
    if engine.dialect.name == "postgresql":
        from tidings.store.pgsearch import PgSearch  # it builds on this module

        return PgSearch(engine)
    raise StoreError(f"full-text search is not available on {engine.dialect.name}", kind="search")
