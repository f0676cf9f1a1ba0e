"""Copy a whole installation from one database to another (SQLite <-> PostgreSQL).

The target is migrated to the same schema first and must be empty; tables are copied parent
first in batches, the PostgreSQL id sequences are moved past the copied ids, and every table's
row count is compared at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, Integer, func, insert, select, text

from tidings.errors import StoreError
from tidings.i18n import gettext as _
from tidings.i18n import ngettext
from tidings.store import migrate
from tidings.store.schema import metadata

BATCH = 2000


@dataclass(frozen=True, slots=True)
class CopyReport:
    counts: dict[str, int]  # rows per table, equal on both sides


def copy_database(
    source_url: str,
    target_url: str,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> CopyReport:
    """Copy every table; ``progress(table, done, total)`` is called after each batch."""
    source = migrate.create(source_url)
    target = migrate.create(target_url)
    try:
        if migrate.current_revision(source) != migrate.head_revision():
            migrate.upgrade(source)
        migrate.upgrade(target)
        tables = metadata.sorted_tables
        with target.connect() as conn:
            busy = [
                t.name for t in tables if conn.execute(select(func.count()).select_from(t)).scalar()
            ]
        if busy:
            raise StoreError(
                _("the target database is not empty (tables %(tables)s)")
                % {"tables": ", ".join(busy)}
            )
        counts: dict[str, int] = {}
        with source.connect() as src, target.begin() as dst:
            for table in tables:
                total = int(src.execute(select(func.count()).select_from(table)).scalar() or 0)
                done = 0
                order = list(table.primary_key.columns)
                result = src.execution_options(yield_per=BATCH).execute(
                    select(table).order_by(*order)
                )
                for rows in result.partitions(BATCH):
                    dst.execute(insert(table), [dict(r._mapping) for r in rows])
                    done += len(rows)
                    if progress is not None:
                        progress(table.name, done, total)
                if progress is not None and total == 0:
                    progress(table.name, 0, 0)
                counts[table.name] = total
            if dst.dialect.name == "postgresql":
                for table in tables:
                    pk = list(table.primary_key.columns)
                    if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement:
                        dst.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', "
                                f"'{pk[0].name}'), COALESCE((SELECT MAX({pk[0].name}) "
                                f"FROM {table.name}), 0) + 1, false)"
                            )
                        )
        _check_counts(target, counts)
        return CopyReport(counts)
    finally:
        source.dispose()
        target.dispose()


def _check_counts(target: Engine, counts: dict[str, int]) -> None:
    """Every table of the copy holds as many rows as its source did."""
    with target.connect() as conn:
        for table in metadata.sorted_tables:
            got = int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
            if got != counts[table.name]:
                raise StoreError(
                    ngettext(
                        "copy check failed: %(table)s has %(n)d row, expected %(expected)s",
                        "copy check failed: %(table)s has %(n)d rows, expected %(expected)s",
                        got,
                    )
                    % {"table": table.name, "n": got, "expected": counts[table.name]}
                )
