"""Fetch counters kept in the database, so that ``/metrics`` counts the fetches of every
process that writes to it (the server, ``tidings update``, the workers), not only the server's.

Each stored update adds to its outcome's counters in the transaction that stores it. A process
adds to a shard of its own (by process id), so that concurrent writers on PostgreSQL rarely wait
for one another's row; a scrape sums the shards.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from tidings.store.part import StorePart
from tidings.store.schema import fetch_counts
from tidings.types import UpdatePlan

SHARDS = 16


@dataclass(frozen=True, slots=True)
class FetchTotals:
    """Every stored fetch of one outcome, by all processes."""

    fetches: int
    bytes: int
    new_items: int
    changed_items: int


def outcome_of(plan: UpdatePlan) -> str:
    """ok, not_modified, or the error's kind (as the pipeline's own counters say it)."""
    return plan.error_kind or ("not_modified" if plan.not_modified else "ok")


def count_fetches(conn: Connection, plans: Sequence[UpdatePlan]) -> None:
    """Add the updates to their outcomes' counters: one upsert per outcome, in the updates'
    transaction."""
    sums: dict[str, list[int]] = {}
    for plan in plans:
        total = sums.setdefault(outcome_of(plan)[:32], [0, 0, 0, 0])
        total[0] += 1
        total[1] += max(plan.bytes, 0)
        total[2] += len(plan.new)
        total[3] += len(plan.changed)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    shard = os.getpid() % SHARDS
    for outcome, (fetches, size, new, changed) in sums.items():
        statement = dialect.insert(fetch_counts).values(
            outcome=outcome,
            shard=shard,
            fetches=fetches,
            bytes=size,
            new_items=new,
            changed_items=changed,
        )
        added = {
            name: getattr(fetch_counts.c, name) + getattr(statement.excluded, name)
            for name in _SUMMED
        }
        conn.execute(
            statement.on_conflict_do_update(index_elements=["outcome", "shard"], set_=added)
        )


_SUMMED = ("fetches", "bytes", "new_items", "changed_items")


class CountersPart(StorePart):
    def fetch_totals(self) -> dict[str, FetchTotals]:
        """The counters by outcome, summed over every process."""
        c = fetch_counts.c
        query = select(
            c.outcome,
            func.sum(c.fetches),
            func.sum(c.bytes),
            func.sum(c.new_items),
            func.sum(c.changed_items),
        ).group_by(c.outcome)
        with self.engine.connect() as conn:
            return {
                row[0]: FetchTotals(*(int(v or 0) for v in row[1:])) for row in conn.execute(query)
            }
