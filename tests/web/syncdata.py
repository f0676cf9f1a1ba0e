"""What the tests of the apps' APIs write: items straight to the store as a fetch would, and a
jump of the item ids past 2^31 (ids must round-trip exactly however large)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from tidings.core import Aggregator
from tidings.types import ItemWrite, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of


def item(n: int, prefix: str, now: datetime, **extra: Any) -> ParsedItem:
    return ParsedItem(
        guid=f"{prefix}-{n}",
        title=f"{prefix} {n}",
        link=f"https://{prefix}.example/{n}",
        published=now - timedelta(hours=n),
        content_html=f"<p>{prefix} story {n}</p>",
        **extra,
    )


def arrive(agg: Aggregator, feed_id: int, now: datetime, *new: ParsedItem) -> None:
    """Items a fetch of ``feed_id`` at ``now`` found new (first seen then)."""
    writes = tuple(
        ItemWrite(identity_of(i), content_hash_of(i), i, now, i.published or now) for i in new
    )
    agg.store.apply(UpdatePlan(feed_id, now, now, new=writes))


def jump_item_ids(agg: Aggregator, past: int) -> None:
    """The next item stored gets an id above ``past`` (as on a site that has stored billions)."""
    with agg.store.engine.begin() as conn:
        if agg.store.engine.dialect.name == "sqlite":
            conn.execute(text("DELETE FROM sqlite_sequence WHERE name = 'items'"))
            conn.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES ('items', :n)"), {"n": past}
            )
        else:
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('items', 'id'), :n)"), {"n": past}
            )
