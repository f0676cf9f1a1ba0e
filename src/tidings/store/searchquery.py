"""The search query language, the one people know from web search engines.

Words (all must match), ``"exact phrases"``, ``-excluded`` words or phrases, and ``OR`` between
two alternatives (``a b OR c`` means a and (b or c)). ``parse_query`` turns any string into a
backend-neutral ``SearchQuery`` and each backend renders that itself: FTS5 gets every word inside
a quoted string (``store/fts5.py``), so user text is never FTS5 syntax; on PostgreSQL
(``store/pgsearch.py``) each word or phrase is a ``phraseto_tsquery`` of a bound parameter,
joined by ``tsquery_and``, ``tsquery_or`` and ``tsquery_not``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from tidings.store.searchtext import CONTROLS

MAX_QUERY_CHARS = 500  # longer queries are cut here: nobody types more, and FTS cost grows with it
MAX_TERMS = 16  # words or phrases kept from one query


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
    clipped = CONTROLS.sub(" ", unicodedata.normalize("NFC", text[:MAX_QUERY_CHARS]))
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
