"""PostgreSQL's tsquery: user text only ever in bound parameters."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql

from tidings.store.pgsearch import to_tsquery
from tidings.store.searchquery import parse_query


def test_tsquery_carries_user_text_only_in_parameters() -> None:
    query = parse_query("""budget "ferry's timetable" OR zqx'yvw -kjh\\plm""")
    expression = to_tsquery(query)
    assert expression is not None
    # SQLAlchemy's dialect constructors carry no annotations
    compiled = expression.compile(dialect=postgresql.dialect())  # type: ignore[no-untyped-call]
    sql = str(compiled)
    for word in ("budget", "ferry", "timetable", "zqx", "yvw", "kjh", "plm"):
        assert word not in sql
    words = {v for v in compiled.params.values() if isinstance(v, str) and len(v) > 1}
    assert {"budget", "ferry s timetable", "zqx yvw", "kjh plm"} <= words
    assert "tsquery_not" in sql and "tsquery_or" in sql and "phraseto_tsquery" in sql
