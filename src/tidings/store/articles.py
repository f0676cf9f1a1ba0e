"""Full articles: the queue of items whose page is to be fetched, kept in the items table.

An item of a feed with ``full_articles`` is written 'pending' (``pending_feeds``, by the plan's
write). A process claims it with a conditional update that moves it to 'fetching' only if it is
still claimable, so two processes never both get it; the claim expires (``article_due_at``) so
that one dying with its process comes back. A result is written only while the claim is the
last one made (``article_attempts`` unchanged): a late finisher whose claim was taken over
changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from tidings.arrival import ArticleCounts, ArticleJob, ArticleOutcome
from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.store.part import StorePart
from tidings.store.schema import feeds, items

PENDING, FETCHING, DONE, FAILED = "pending", "fetching", "done", "failed"
CLAIM_ROUNDS = 3  # a claimer whose candidates another took first looks again, this many times


def pending_feeds(conn: Connection, feed_ids: Collection[int]) -> set[int]:
    """Those of ``feed_ids`` whose new items are to have their page fetched."""
    if not feed_ids:
        return set()
    return set(
        conn.execute(
            select(feeds.c.id).where(feeds.c.id.in_(list(feed_ids)), feeds.c.full_articles)
        ).scalars()
    )


def _claimable(now: datetime) -> Any:
    """Pending and due, or fetching under a claim that expired."""
    due = or_(items.c.article_due_at.is_(None), items.c.article_due_at <= now)
    return and_(items.c.article_status.in_((PENDING, FETCHING)), due)


class ArticlesPart(StorePart):
    def claim_articles(
        self, *, now: datetime, limit: int, lease: timedelta, max_attempts: int
    ) -> list[ArticleJob]:
        """Claim up to ``limit`` items, oldest first; each claim holds for ``lease``.

        An item claimed ``max_attempts`` times already (its fetches died with their process,
        or kept failing for a while) is failed here instead of claimed again.
        """
        claimed: list[int] = []
        for _round in range(CLAIM_ROUNDS):
            taken, lost = self._claim_round(now, limit - len(claimed), lease)
            claimed += taken
            if not lost or len(claimed) >= limit:
                break
        return self._jobs(claimed, now, max_attempts)

    def _claim_round(self, now: datetime, limit: int, lease: timedelta) -> tuple[list[int], int]:
        """Candidates from the two small partial indexes, then one conditional update each:
        the ids claimed, and how many candidates another claimer took first (PostgreSQL skips
        the rows another claimer has locked; SQLite's candidates may be taken meanwhile)."""
        claimed: list[int] = []
        with self.engine.begin() as conn:
            candidates: list[int] = []
            for status in (PENDING, FETCHING):
                candidates += conn.execute(
                    select(items.c.id)
                    .where(items.c.article_status == status, _claimable(now))
                    .order_by(items.c.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                ).scalars()
            chosen = sorted(candidates)[:limit]
            for item_id in chosen:
                taken = conn.execute(
                    update(items)
                    .where(items.c.id == item_id, _claimable(now))
                    .values(
                        article_status=FETCHING,
                        article_due_at=now + lease,
                        article_attempts=items.c.article_attempts + 1,
                    )
                )
                if taken.rowcount == 1:
                    claimed.append(item_id)
        return claimed, len(chosen) - len(claimed)

    def _jobs(self, claimed: list[int], now: datetime, max_attempts: int) -> list[ArticleJob]:
        if not claimed:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    items.c.id,
                    items.c.feed_id,
                    items.c.link,
                    items.c.article_attempts,
                    func.coalesce(items.c.content_html, items.c.summary_html).label("feed_html"),
                    feeds.c.user_agent,
                )
                .join(feeds, feeds.c.id == items.c.feed_id)
                .where(items.c.id.in_(claimed))
                .order_by(items.c.id)
            ).all()
        jobs: list[ArticleJob] = []
        spent: list[ArticleJob] = []
        for r in rows:
            job = ArticleJob(r.id, r.feed_id, r.link, r.article_attempts, r.feed_html, r.user_agent)
            (spent if r.article_attempts > max_attempts else jobs).append(job)
        for job in spent:
            self.finish_article(
                ArticleOutcome(
                    job.item_id,
                    job.attempt,
                    error=f"gave up after {max_attempts} attempts that did not finish",
                ),
                now=now,
            )
        return jobs

    def finish_article(self, outcome: ArticleOutcome, *, now: datetime) -> bool:
        """Write what became of a claimed item; False when the claim is no longer the last."""
        if outcome.html is not None:
            values: dict[str, Any] = {
                "article_status": DONE,
                "article_html": outcome.html,
                "article_error": None,
                "article_due_at": None,
            }
        elif outcome.retry_at is not None:
            values = {
                "article_status": PENDING,
                "article_error": outcome.error,
                "article_due_at": outcome.retry_at,
            }
        else:
            values = {
                "article_status": FAILED,
                "article_error": outcome.error or "failed",
                "article_due_at": None,
            }
        with self.engine.begin() as conn:
            written = conn.execute(
                update(items)
                .where(
                    items.c.id == outcome.item_id,
                    items.c.article_status == FETCHING,
                    items.c.article_attempts == outcome.attempt,
                )
                .values(values)
            )
        return written.rowcount == 1

    def get_item_article(self, item_id: int) -> tuple[str | None, str | None, str | None]:
        """An item's article as (status, HTML, error)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(items.c.article_status, items.c.article_html, items.c.article_error).where(
                    items.c.id == item_id
                )
            ).first()
        if row is None:
            raise NotFoundError(_("no item with id %(item_id)s") % {"item_id": item_id})
        return row.article_status, row.article_html, row.article_error

    def set_full_articles(self, feed_id: int, on: bool) -> None:
        """Turn a feed's article fetches on or off; off leaves its pending items unfetched."""
        with self.engine.begin() as conn:
            done = conn.execute(update(feeds).where(feeds.c.id == feed_id).values(full_articles=on))
            if done.rowcount != 1:
                raise NotFoundError(_("no feed with id %(feed_id)s") % {"feed_id": feed_id})
            if not on:
                conn.execute(
                    update(items)
                    .where(items.c.feed_id == feed_id, items.c.article_status == PENDING)
                    .values(article_status=None, article_error=None, article_due_at=None)
                )

    def queue_articles(self, feed_id: int, latest: int) -> int:
        """Queue the pages of a feed's ``latest`` newest items that have no article (none
        asked, or failed); how many were queued."""
        with self.engine.begin() as conn:
            newest = (
                select(items.c.id)
                .where(items.c.feed_id == feed_id)
                .order_by(items.c.sort_date.desc(), items.c.id.desc())
                .limit(max(0, latest))
            )
            ids = list(conn.execute(newest).scalars())
            if not ids:
                return 0
            queued = conn.execute(
                update(items)
                .where(
                    items.c.id.in_(ids),
                    or_(items.c.article_status.is_(None), items.c.article_status == FAILED),
                )
                .values(
                    article_status=PENDING,
                    article_error=None,
                    article_due_at=None,
                    article_attempts=0,
                )
            )
            return int(queued.rowcount)

    def article_counts(self, feed_ids: Sequence[int]) -> dict[int, ArticleCounts]:
        """Each feed's items by the state of their article, with its newest failure."""
        if not feed_ids:
            return {}
        counts: dict[int, dict[str, int]] = {}
        errors: dict[int, str] = {}
        with self.engine.connect() as conn:
            for fid, status, n in conn.execute(
                select(items.c.feed_id, items.c.article_status, func.count())
                .where(items.c.feed_id.in_(list(feed_ids)), items.c.article_status.is_not(None))
                .group_by(items.c.feed_id, items.c.article_status)
            ):
                counts.setdefault(fid, {})[status] = int(n)
            for fid in [f for f, c in counts.items() if c.get(FAILED)]:
                error = conn.execute(
                    select(items.c.article_error)
                    .where(items.c.feed_id == fid, items.c.article_status == FAILED)
                    .order_by(items.c.id.desc())
                    .limit(1)
                ).scalar()
                if error:
                    errors[fid] = error
        return {
            fid: ArticleCounts(
                pending=c.get(PENDING, 0),
                fetching=c.get(FETCHING, 0),
                done=c.get(DONE, 0),
                failed=c.get(FAILED, 0),
                last_error=errors.get(fid),
            )
            for fid, c in counts.items()
        }
