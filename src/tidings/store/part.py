"""The common base of the store's parts.

Each part holds the queries over one kind of record (feeds, items, categories, ...); ``Store``
joins them into one object over one engine, so callers see one store and each module stays one
concern.
"""

from __future__ import annotations

from sqlalchemy import Engine


class StorePart:
    """Queries over the store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
