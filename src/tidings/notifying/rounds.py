"""The notifications' turns on a clock (``schedule.chores``): send what waits in the outbox,
tell the site's targets of feeds failing for a day and back, queue the daily digests.

Each turn is one iteration, callable from tests; the store is called on worker threads and
Apprise too (``deliver``), so a turn never holds up the event loop that runs the updates.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from tidings.arrival import SendReport
from tidings.notifying import compose
from tidings.notifying.deliver import deliver
from tidings.notifying.targets import NotifyTargets

HEALTH_AFTER = timedelta(hours=24)  # failing this long is worth a notice
DIGEST_EVERY = timedelta(hours=24)
TAKEN = 500  # messages read for one batch at most; the rest wait for the next minute
PARALLEL = 8  # deliveries at once (each holds a thread)
# how long claimed messages wait for their delivery's outcome before they are due again (a
# process killed mid-delivery); a few microseconds of chance make each claim's time its own
LEASE = timedelta(minutes=5)
# how often a process looks for messages out of time and deletes old ones (a scan of the outbox)
SWEEP_EVERY = timedelta(minutes=10)


class NotifyRounds(NotifyTargets):
    """The sender, the feed-health notices and the digests."""

    _outbox_swept: datetime | None = None  # when this process last gave up and deleted

    async def send_notifications(self, only: Collection[int] | None = None) -> SendReport:
        """One turn of the sender: each target with messages due whose minute has come (and
        whose rest after failures is over) gets them in one delivery; ``only`` limits the turn
        to those targets."""
        now = self.clock()
        given_up = 0
        if self._outbox_swept is None or now - self._outbox_swept >= SWEEP_EVERY:
            given_up = await asyncio.to_thread(self.outbox.expire, now)
            self._outbox_swept = now
        ready = [
            (target_id, seen, failures)
            for target_id, seen, failures in await asyncio.to_thread(
                self.outbox.sendable, now, compose.GAP
            )
            if (only is None or target_id in only)
            and (seen is None or seen <= now - compose.backoff(failures))
        ]
        gate = asyncio.Semaphore(PARALLEL)

        async def one(target_id: int, seen: datetime | None, failures: int) -> SendReport:
            async with gate:
                return await self._send_to(target_id, seen, failures, now)

        reports = await asyncio.gather(*(one(*row) for row in ready))
        return SendReport(
            sent=sum(r.sent for r in reports),
            batches=sum(r.batches for r in reports),
            failed=sum(r.failed for r in reports),
            given_up=given_up + sum(r.given_up for r in reports),
        )

    async def _send_to(
        self, target_id: int, seen: datetime | None, failures: int, now: datetime
    ) -> SendReport:
        """Take the target's turn (one process wins it), deliver, record what happened."""
        outbox = self.outbox
        if not await asyncio.to_thread(outbox.take_turn, target_id, seen, now):
            return SendReport()
        lease = now + LEASE + timedelta(microseconds=secrets.randbelow(1_000_000))
        messages = await asyncio.to_thread(
            lambda: outbox.claim_messages(target_id, now, limit=TAKEN, lease_until=lease)
        )
        url = await asyncio.to_thread(outbox.target_url, target_id)
        if not messages or url is None:
            return SendReport()
        language = await asyncio.to_thread(self._language_of, target_id)
        title, body = compose.batch(messages, language)
        error = await deliver(url, title, body, self.notify_policy)
        ids = [m.id for m in messages]
        after = self.clock()
        if error is None:
            await asyncio.to_thread(outbox.delivered, target_id, ids, after)
            return SendReport(sent=len(ids), batches=1)
        given_up = await asyncio.to_thread(
            outbox.failed,
            target_id,
            ids,
            compose.short_error(error),
            now=after,
            retry_at=after + compose.backoff(failures + 1),
        )
        return SendReport(failed=len(ids), given_up=given_up)

    async def notify_feed_health(self) -> int:
        """Queue, for the site's targets, "failing for a day" for each feed whose errors began
        ``HEALTH_AFTER`` ago, and "works again" for each such feed that has recovered; how
        many notices were queued. Nothing is claimed while the site has no target."""
        return await asyncio.to_thread(self._health_turn)

    def _health_turn(self) -> int:
        targets = self.outbox.enabled_targets(None)
        if not targets:
            return 0
        now = self.clock()
        since = now - HEALTH_AFTER
        failing = self.outbox.failing_unnoticed(since)
        recovered = self.outbox.recovered_unnoticed()
        feeds = {feed.id: feed for feed in self.store.list_feeds(failing + recovered)}
        base = self.settings.base_url.rstrip("/")
        language = self._language_of(None)
        queued = 0
        for feed_id, is_failing in [(i, True) for i in failing] + [(i, False) for i in recovered]:
            feed = feeds.get(feed_id)
            if feed is None:  # removed meanwhile
                continue
            notice = compose.failing_notice if is_failing else compose.recovered_notice
            title, body = notice(feed, language)
            queued += self.outbox.notice_health(
                feed_id,
                failing=is_failing,
                since=since,
                now=now,
                target_ids=targets,
                title=title,
                body=body,
                link=f"{base}/admin/feeds/{feed_id}" if base else None,
            )
        return queued

    async def queue_digests(self) -> int:
        """Queue the daily digest of each digest target whose last one is a day old: the
        person's new unread items of the day (the site's new items, for the site's targets);
        how many were queued (a day without new items sends nothing, and waits a day)."""
        return await asyncio.to_thread(self._digest_turn)

    def _digest_turn(self) -> int:
        now = self.clock()
        queued = 0
        for target_id, user_id, seen in self.outbox.digests_due(now - DIGEST_EVERY):
            since = max(seen or now - DIGEST_EVERY, now - DIGEST_EVERY)
            entries = (
                self.outbox.new_on_site(since, now, compose.DIGEST_ITEMS)
                if user_id is None
                else self.outbox.new_unread(user_id, since, now, compose.DIGEST_ITEMS)
            )
            text = compose.digest(entries, self.settings.site_title, self._language_of(target_id))
            queued += self.outbox.queue_digest(
                target_id,
                seen,
                now=now,
                title=text[0] if text else "",
                body=text[1] if text else None,
            )
        return queued
