"""Full-text search on PostgreSQL: items.search_vector, a generated tsvector with a GIN index.

Revision ID: 0005
Revises: 0004

Nothing happens on SQLite, whose FTS5 index came with 0004. On PostgreSQL the vector is
computed from the same two things FTS5 indexes, ``title`` (weight A) and ``search_text``
(weight B, the plain text the store writes; ``store/search.py``), so both backends search the
same text and no write path can forget the index. Being a generated column, it is filled for
the existing rows when the column is added: that is the backfill.

The text search configuration ``tidings`` is chosen to find what SQLite's
``porter unicode61 remove_diacritics 2`` finds: English stems (Snowball, the Porter stemmer's
successor) but no stop words, since FTS5 drops none, accents removed when the ``unaccent``
extension can be had, and every run of characters other than letters and digits a word break,
as unicode61 has it (PostgreSQL's own parser keeps ``example.com`` or ``3.5`` as one token,
which a search for "example" would then miss).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The SQL is written out here, not imported, so that this migration keeps doing what it did.
# Letters, digits and the combining diacritics stay; anything else separates words.
_WORDS = r"regexp_replace(coalesce({col}, ''), '[^[:alnum:]\u0300-\u036f]+', ' ', 'g')"
VECTOR = (
    f"setweight(to_tsvector('tidings', {_WORDS.format(col='title')}), 'A') || "
    f"setweight(to_tsvector('tidings', {_WORDS.format(col='search_text')}), 'B')"
)
TOKENS = (
    "asciiword, asciihword, hword_asciipart, word, hword, hword_part, "
    "numword, numhword, hword_numpart"
)


def _unaccent_available() -> bool:
    """Create the extension if this role may (it is trusted since PostgreSQL 13)."""
    conn = op.get_bind()
    available = conn.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
    ).first()
    if available is None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except Exception:  # no privilege: search keeps the accents, the rest is the same
        return False
    return True


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    filters = "unaccent, " if _unaccent_available() else ""
    op.execute(
        "CREATE TEXT SEARCH DICTIONARY tidings_stem (TEMPLATE = snowball, Language = english)"
    )
    op.execute("CREATE TEXT SEARCH CONFIGURATION tidings (COPY = simple)")
    op.execute(
        f"ALTER TEXT SEARCH CONFIGURATION tidings ALTER MAPPING FOR {TOKENS} "
        f"WITH {filters}tidings_stem"
    )
    op.execute(
        f"ALTER TABLE items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    op.execute("CREATE INDEX ix_items_search_vector ON items USING gin (search_vector)")


def downgrade() -> None:
    """The extension ``unaccent`` stays: other things in the database may use it."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_items_search_vector")
    op.execute("ALTER TABLE items DROP COLUMN IF EXISTS search_vector")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS tidings")
    op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS tidings_stem")
