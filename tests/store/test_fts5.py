"""FTS5's MATCH expressions: every word inside a quoted string, the query's structure kept."""

from __future__ import annotations

from tidings.store.fts5 import to_fts5
from tidings.store.searchquery import parse_query


def test_fts5_quotes_every_word_and_keeps_the_structure() -> None:
    assert to_fts5(parse_query("a b OR c -d")) == '(("a") AND ("b" OR "c")) NOT ("d")'
    assert to_fts5(parse_query('NEAR(x y) "z:w"')) == '("NEAR x") AND ("y") AND ("z w")'
    assert to_fts5(parse_query("x OR y OR z")) == '("x" OR "y" OR "z")'
    assert to_fts5(parse_query("x OR -y OR z")) == '(("x") AND ("z")) NOT ("y")'
