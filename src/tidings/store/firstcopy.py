"""The first to arrive of a story among a folder's feeds: what a folder that folds lists.

Apart from ``store.folding`` so that the entries' queries (``store.entries``), which folding
builds on, can use it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select

from tidings.store.schema import items, subscriptions


def first_copy(user_id: int, folder: str) -> ColumnElement[bool]:
    """The item (of the enclosing query's ``items``) is the first to arrive of its story among
    the folder's feeds: no item with its link key and a smaller id is in the folder."""
    other = items.alias("earlier")
    mates = subscriptions.alias("mates")
    earlier = (
        select(other.c.id)
        .join(
            mates,
            and_(
                mates.c.feed_id == other.c.feed_id,
                mates.c.user_id == user_id,
                mates.c.folder == folder,
            ),
        )
        .where(other.c.link_key == items.c.link_key, other.c.id < items.c.id)
        .exists()
    )
    return or_(items.c.link_key.is_(None), ~earlier)
