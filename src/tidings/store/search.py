"""Full-text search's common ground: what is indexed, the limits of a search, the match marks.

What is indexed: each item's title and ``items.search_text``, the plain text of its summary and
content that the store writes next to the HTML (``search_text_of``). Indexing plain text rather
than the sanitized HTML means tag names and attribute values (``<strong>``, ``href="..."``) can
never match a search for "strong" or "href", and snippets are text we escape ourselves. A
trigger could not strip tags without an application-defined SQL function, which every connection
(the sqlite3 shell included) would then need; a column written by the store needs nothing. On
SQLite an external-content FTS5 table (``items_fts``, migration 0004) is kept in step with
``items`` by triggers, so no write path can forget to index; on PostgreSQL a generated tsvector
column (``items.search_vector``, migration 0005) does the same.

The rest of search builds on this module: the query language (``store/searchquery.py``), the
backends (``store/fts5.py``, ``store/pgsearch.py``) and the choice between them
(``store/fulltext.py``). The backends read ``RANK_WINDOW`` from here when they run, so that a
test can narrow it.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import ColumnElement, Select

from tidings.store.schema import items

FTS_TABLE = "items_fts"
PG_VECTOR = "search_vector"  # items' generated tsvector on PostgreSQL (migration 0005)
PG_INDEX = "ix_items_search_vector"
PG_CONFIG = "tidings"  # the text search configuration made by migration 0005
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
# control characters, noncharacters and lone surrogates: kept out of the index and of queries
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


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
    text = CONTROLS.sub("", text)[:MAX_TEXT_CHARS]
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


# -- marks in results --------------------------------------------------------------------------


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


def ranked_page(
    query: Select[Any],
    best_first: ColumnElement[Any],
    *,
    limit: int,
    offset: int,
    newest_first: bool,
) -> Select[Any]:
    """One page of ``query``'s matches: by ``best_first`` unless ``newest_first``, then newest,
    ties by id (so that pages never overlap), the page size and offset kept in bounds."""
    return (
        query.order_by(
            *(() if newest_first else (best_first,)),
            items.c.sort_date.desc(),
            items.c.id.desc(),
        )
        .limit(max(1, min(limit, MAX_LIMIT)))
        .offset(max(0, offset))
    )
