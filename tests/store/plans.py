"""Writes and plans as the update pipeline hands them to the store, for the store's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tidings.types import ItemWrite, ParsedItem, UpdatePlan
from tidings.update.decide import content_hash_of, identity_of

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def write(item: ParsedItem, *, first_seen: datetime = NOW) -> ItemWrite:
    date = item.published or first_seen
    return ItemWrite(identity_of(item), content_hash_of(item), item, first_seen, date)


def ok(fid: int, at: datetime, **kw: object) -> UpdatePlan:
    return UpdatePlan(fid, at, at + timedelta(hours=1), status=200, **kw)  # type: ignore[arg-type]


def failed(fid: int, at: datetime, count: int, **kw: object) -> UpdatePlan:
    return UpdatePlan(
        fid,
        at,
        at + timedelta(minutes=15),
        status=500,
        error_kind="http",
        error="HTTP 500 Internal Server Error",
        error_count=count,
        error_since=kw.pop("since", at),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )
