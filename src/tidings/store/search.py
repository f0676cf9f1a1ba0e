"""Full-text search's common ground: what is indexed, the limits of a search, the match marks.

What is indexed: each item's title and ``items.search_text``, the plain text of its summary and
content that the store writes next to the HTML (``store.searchtext``). Indexing plain text rather
than the sanitized HTML means tag names and attribute values (``<strong>``, ``href="..."``) can
never match a search for "strong" or "href", and snippets are text we escape ourselves. A
trigger could not strip tags without an application-defined SQL function, which every connection
(the sqlite3 shell included) would then need; a column written by the store needs nothing. On
SQLite an external-content FTS5 table (``items_fts``, migration 0004) is kept in step with
``items``: deletes and rewrites by triggers, inserts by the one place that inserts items
(``store.planwrite``), a whole write in one statement, since FTS5 made a trigger's row-by-row
indexing eight times slower (migration 0013); on PostgreSQL a generated tsvector column
(``items.search_vector``, migration 0005) follows ``items`` by itself.

The rest of search builds on this module: the query language (``store/searchquery.py``), the
backends (``store/fts5.py``, ``store/pgsearch.py``) and the choice between them
(``store/fulltext.py``). The backends read ``RANK_WINDOW`` from here when they run, so that a
test can narrow it.
"""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import ColumnElement, Select

from tidings.store.schema import items

FTS_TABLE = "items_fts"
PG_VECTOR = "search_vector"  # items' generated tsvector on PostgreSQL (migration 0005)
PG_INDEX = "ix_items_search_vector"
PG_CONFIG = "tidings"  # the text search configuration made by migration 0005
MAX_LIMIT = 100  # results per call
RANK_WINDOW = 1_000  # matches ranked per query, the newest; deeper results are not reachable

# snippet() and highlight() wrap matches in these; they are XML-illegal control characters, so
# feed text never carries them (and stray ones are dropped by marks_to_html anyway)
OPEN, CLOSE = "\x02", "\x03"


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
