"""Update plans written many at a time: a group of feeds' results in one transaction.

A commit costs more than most updates' statements (a 304 writes one feed row and one fetch-log
line), so the pipeline hands the store whole groups (``UpdatesPart.apply_many``). Each kind of
row is written for the whole group with one statement run over many parameter sets
(``executemany``), not one statement per feed. Within a group the order of ``store.updates``
holds: items first, the feed rows (with their validators) last.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, insert, select, text, update

from tidings.store.articles import PENDING, pending_feeds
from tidings.store.counters import count_fetches
from tidings.store.keep import protected
from tidings.store.schema import feeds, fetch_log, items, tombstones
from tidings.store.search import FTS_TABLE
from tidings.store.searchtext import search_text_of
from tidings.types import ItemWrite, UpdatePlan

EXPIRE_CHUNK = 500  # identities per statement: well under every database's bound-parameter cap
# PostgreSQL advisory lock key: one transaction at a time inserts items, from id to commit
ITEMS_LOCK = 0x7469_6474
FETCH_LOG_KEEP = 100  # the last fetches kept per feed: enough for a chart, bounded for a million


def write_plans(conn: Connection, plans: Sequence[UpdatePlan]) -> None:
    """Write the plans (of distinct feeds, each allowed to be written) in ``conn``'s
    transaction."""
    if not plans:  # every feed of the group removed meanwhile, or its lease given away
        return
    _insert_items(conn, plans)
    _update_items(conn, plans)
    for plan in plans:
        if plan.expired:
            _expire(conn, plan.feed_id, plan.expired, plan.checked_at)
    # a push from a WebSub hub is no fetch: its items only, nor the log nor the feed's row
    fetched = [plan for plan in plans if not plan.pushed]
    if fetched:
        _log_fetches(conn, fetched)
        # the feed rows last: validators only count once the items are in
        _update_feeds(conn, fetched)


# -- items -------------------------------------------------------------------------------------


def _item_values(write: ItemWrite) -> dict[str, Any]:
    it = write.item
    link, titled, text = it.keys()
    return {
        "content_hash": write.content_hash,
        "link_key": link,
        "title_key": titled,
        "content_key": text,
        "guid": it.guid,
        "title": it.title,
        "link": it.link,
        "author": it.author,
        "published": it.published,
        "updated": it.updated,
        "sort_date": write.sort_date,
        "summary_html": it.summary_html,
        "content_html": it.content_html,
        "enclosures": json.dumps(
            [{"url": e.url, "type": e.type, "length": e.length} for e in it.enclosures]
        )
        if it.enclosures
        else None,
        "categories": json.dumps(list(it.categories)) if it.categories else None,
        "image_url": it.image,
        "search_text": (
            it.search_text
            if it.search_text is not None
            else search_text_of(it.summary_html, it.content_html)
        )
        or None,
    }


_LAST_ITEM_ID = text("SELECT seq FROM sqlite_sequence WHERE name = 'items'")
_INDEX_NEW_ITEMS = text(
    f"INSERT INTO {FTS_TABLE}(rowid, title, search_text)"
    " SELECT id, title, search_text FROM items WHERE id > :last"
)


def _insert_items(conn: Connection, plans: Sequence[UpdatePlan]) -> None:
    rows = [
        {"feed_id": p.feed_id, "identity_hash": w.identity, "first_seen": w.first_seen}
        | _item_values(w)
        for p in plans
        for w in p.new
    ]
    if not rows:
        return
    articles = pending_feeds(conn, {p.feed_id for p in plans if p.new})
    if articles:  # their pages are to be fetched for the article (store/articles.py)
        for row in rows:
            row["article_status"] = PENDING if row["feed_id"] in articles else None
    if conn.dialect.name == "postgresql":
        # Sync apps page by id ("everything after the last id I saw"): an id must never
        # become visible after a larger one, as it could if two workers' transactions
        # committed out of order. SQLite has one writer anyway.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ITEMS_LOCK})
        conn.execute(insert(items), rows)
        return
    # SQLite: the rows, then their index entries in one statement (migration 0013 says why);
    # AUTOINCREMENT ids only grow, so the new rows are those past the last id handed out
    last = conn.execute(_LAST_ITEM_ID).scalar() or 0
    conn.execute(insert(items), rows)
    conn.execute(_INDEX_NEW_ITEMS, {"last": last})


def _update_items(conn: Connection, plans: Sequence[UpdatePlan]) -> None:
    """Rewrite the changed items; their first-seen time stays. The same story under a new
    identity (``ItemWrite.previous``) takes it in its row: id, first-seen time and people's
    state stay, the old identity is not tombstoned."""
    rows = [
        {"b_feed": p.feed_id, "b_identity": w.previous or w.identity, "identity_hash": w.identity}
        | _item_values(w)
        for p in plans
        for w in p.changed
    ]
    if rows:
        names = [name for name in rows[0] if not name.startswith("b_")]
        statement = (
            update(items)
            .where(
                and_(
                    items.c.feed_id == bindparam("b_feed"),
                    items.c.identity_hash == bindparam("b_identity"),
                )
            )
            .values({name: bindparam(name) for name in names})
        )
        conn.execute(statement, rows)


def _expire(conn: Connection, feed_id: int, expired: tuple[str, ...], at: datetime) -> None:
    """Delete the expired items and tombstone their identities, so they never come back new;
    the items people starred or still have unread stay (``store.keep``)."""
    doomed = list(dict.fromkeys(expired))
    for chunk in range(0, len(doomed), EXPIRE_CHUNK):
        part = doomed[chunk : chunk + EXPIRE_CHUNK]
        found = conn.execute(
            select(items.c.id, items.c.identity_hash, items.c.first_seen).where(
                and_(items.c.feed_id == feed_id, items.c.identity_hash.in_(part))
            )
        ).all()
        keep = protected(conn, feed_id, [(r.id, r.first_seen) for r in found], at)
        going = [r.id for r in found if r.id not in keep]
        if going:
            conn.execute(delete(items).where(items.c.id.in_(going)))
        kept = {r.identity_hash for r in found if r.id in keep}
        part = [i for i in part if i not in kept]
        known = set(
            conn.execute(
                select(tombstones.c.identity_hash).where(
                    and_(tombstones.c.feed_id == feed_id, tombstones.c.identity_hash.in_(part))
                )
            ).scalars()
        )
        fresh = [i for i in part if i not in known]
        if fresh:
            conn.execute(
                insert(tombstones),
                [{"feed_id": feed_id, "identity_hash": i, "deleted_at": at} for i in fresh],
            )


# -- the fetch log -----------------------------------------------------------------------------

# the fetches of one feed past its last hundred (``offset`` without a limit)
_PAST_KEEP = (
    select(fetch_log.c.id)
    .where(fetch_log.c.feed_id == bindparam("b_feed"))
    .order_by(fetch_log.c.at.desc(), fetch_log.c.id.desc())
    .offset(FETCH_LOG_KEEP)
)
_TRIM = delete(fetch_log).where(fetch_log.c.id.in_(_PAST_KEEP))


def _log_fetches(conn: Connection, plans: Sequence[UpdatePlan]) -> None:
    """Each update's line in its feed's fetch log, past the last hundred dropped; the group
    counted in the installation's fetch counters."""
    count_fetches(conn, plans)
    conn.execute(
        insert(fetch_log),
        [
            {
                "feed_id": plan.feed_id,
                "at": plan.checked_at,
                "status": plan.status,
                "duration_ms": plan.duration_ms,
                "bytes": plan.bytes,
                "new_items": len(plan.new),
                "changed_items": len(plan.changed),
                "error": plan.error,
            }
            for plan in plans
        ],
    )
    conn.execute(_TRIM, [{"b_feed": plan.feed_id} for plan in plans])


# -- the feed rows -----------------------------------------------------------------------------


def _update_feeds(conn: Connection, plans: Sequence[UpdatePlan]) -> None:
    """One statement per shape of change (a 304, a success with meta, a failure ...)."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for plan in plans:
        values = _feed_values(conn, plan)
        shapes[tuple(values)].append({"b_id": plan.feed_id, **values})
    for names, rows in shapes.items():
        statement = (
            update(feeds)
            .where(feeds.c.id == bindparam("b_id"))
            .values({name: bindparam(f"v_{name}") for name in names})
        )
        conn.execute(
            statement, [{"b_id": r["b_id"], **{f"v_{n}": r[n] for n in names}} for r in rows]
        )


def _feed_values(conn: Connection, plan: UpdatePlan) -> dict[str, Any]:
    """The feed row's changes: the schedule always; the rest on success or on failure."""
    values: dict[str, Any] = {
        "last_checked": plan.checked_at,
        "next_check": plan.next_check,
        "redirect_url": plan.redirect_url,
        "redirect_count": plan.redirect_count,
    }
    if not plan.ok:
        return values | _failure_values(plan)
    values |= _success_values(plan)
    if plan.adopt_redirect and plan.redirect_url:
        values |= _adopt(conn, plan.feed_id, plan.redirect_url)
    return values


def _success_values(plan: UpdatePlan) -> dict[str, Any]:
    """A success clears the failure, keeps the validators and hints, and the feed's meta."""
    values: dict[str, Any] = {
        "last_success": plan.checked_at,
        "error_count": 0,
        "error_kind": None,
        "last_error": None,
        "error_since": None,
        "etag": plan.etag,
        "last_modified": plan.last_modified,
        "body_hash": plan.body_hash,
        "ttl_minutes": plan.ttl_minutes,
        "skip_hours": ",".join(str(h) for h in sorted(plan.skip_hours)) or None,
        "skip_days": ",".join(sorted(plan.skip_days)) or None,
        "notice": plan.notice,
    }
    if plan.meta is not None:
        values |= {
            "title": plan.meta.title,
            "site_url": plan.meta.site_url,
            "description": plan.meta.description,
            "image_url": plan.meta.image_url,
            "websub_hub": plan.meta.websub_hub,
            "websub_topic": plan.meta.websub_topic,
        }
    return values


def _failure_values(plan: UpdatePlan) -> dict[str, Any]:
    """A failure leaves validators, hints and meta as they were (an error page has none)."""
    values: dict[str, Any] = {
        "error_count": plan.error_count,
        "error_kind": plan.error_kind,
        "last_error": plan.error,
        "error_since": plan.error_since,
    }
    if plan.disabled_reason:
        values["disabled_reason"] = plan.disabled_reason
    return values


def _adopt(conn: Connection, feed_id: int, url: str) -> dict[str, Any]:
    """The feed row's changes to adopt ``url``; none when another feed already has it.

    Two subscriptions to one URL would be one feed fetched twice: the redirect stays tracked
    instead, and the feed keeps its URL until the other subscription is removed.
    """
    taken = conn.execute(
        select(feeds.c.id).where(and_(feeds.c.url == url, feeds.c.id != feed_id))
    ).first()
    if taken is not None:
        return {}
    return {"url": url, "redirect_url": None, "redirect_count": 0}
