"""WebSub's part of the facade (``docs/arrival.md``, "Push (WebSub)").

As a subscriber: ``push_tick`` (a chore) subscribes to the hub each feed names, renews leases
before they end, retries on backoff, and unsubscribes from the hub of a feed that was removed
or changed hubs; the callback (``web/websub.py``) verifies requests with ``push_verify`` and
hands a signed push to ``push_received``, which stores it through the pipeline, in the
background. As a publisher (``TIDINGS_WEBSUB_HUB``): ``update.pings.HubPings``, an arrival
step, pings the hub when the site's own feeds change.

Subscribing needs ``TIDINGS_BASE_URL``: the hub must reach the callback at the site's public
address.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tidings.arrival import PushReport, PushSubscription, PushTarget
from tidings.config import Settings
from tidings.errors import TidingsError
from tidings.store.store import Store
from tidings.update.websub import (
    UNSUBSCRIBE_TRIES,
    VERIFY_WAIT,
    lease_of,
    renew_at,
    retry_delay,
    signature_problem,
)

if TYPE_CHECKING:
    from tidings.fetch import FetchClient
    from tidings.update.pings import HubPings
    from tidings.update.pipeline import Pipeline

log = logging.getLogger("tidings.websub")


class Pushing:
    """WebSub subscriptions (the chore, the callback's checks) and the publisher's pings."""

    store: Store
    settings: Settings
    clock: Callable[[], datetime]
    _pipeline: Pipeline | None
    _client: FetchClient | None
    _pings: HubPings | None = None
    _push_tasks: set[asyncio.Task[object]] | None = None

    # -- lifecycle (core.Aggregator's __aenter__ and __aexit__) --------------------------------

    def _start_pushing(self, pipeline: Pipeline, client: FetchClient) -> None:
        """Ping the site's hub as new items arrive, if it has one."""
        self._push_tasks = set()
        if not self.settings.websub_hub:
            return
        from tidings.update.pings import HubPings

        self._pings = HubPings(
            self.settings.websub_hub,
            self.settings.base_url,
            client,
            lambda feed_id: pipeline.read(self._feed_scopes, feed_id),
        )
        pipeline.arrivals.append(self._pings)

    def _feed_scopes(self, feed_id: int) -> list[str]:
        """The scopes of the site's feeds that show ``feed_id``'s items (none: off the site)."""
        found = self.store.list_feeds([feed_id], site_only=True)
        if not found:
            return []
        slugs = {c.name: c.slug for c in self.store.list_categories()}
        named = [f"/categories/{slugs[name]}" for name in found[0].categories if name in slugs]
        return ["", f"/sources/{feed_id}", *named]

    async def _stop_pushing(self) -> None:
        """Let the pushes being stored finish; stop pinging."""
        if self._push_tasks:
            await asyncio.gather(*self._push_tasks, return_exceptions=True)
        if self._pings is not None:
            await self._pings.aclose()
        self._pings = None

    # -- the chore -----------------------------------------------------------------------------

    async def push_tick(self) -> PushReport:
        """One turn: start, retire and send the subscriptions' due requests."""
        pipeline, client = self._pipeline, self._client
        if not self.settings.base_url or pipeline is None or client is None:
            return PushReport(pinged=self._pings.sent if self._pings else 0)
        now = self.clock()
        created = await pipeline.db(self.store.push_create, now)
        retired = await pipeline.db(self.store.push_retire, now)
        hold = now + timedelta(seconds=VERIFY_WAIT)
        due = await pipeline.db(self.store.push_due, now, hold)
        outcomes = Counter(
            await asyncio.gather(*(self._request(pipeline, client, t, now) for t in due))
        )
        return PushReport(
            created=created,
            retired=retired,
            requested=outcomes["requested"],
            failed=outcomes["failed"],
            removed=outcomes["removed"],
            pinged=self._pings.sent if self._pings else 0,
        )

    async def _request(
        self, pipeline: Pipeline, client: FetchClient, target: PushTarget, now: datetime
    ) -> str:
        """Send the subscription's due request: subscribe (or renew), or unsubscribe."""
        db = pipeline.db
        mode = "unsubscribe" if target.state == "unsubscribing" else "subscribe"
        failures = target.error_count
        if target.pending_mode is not None:  # the last request was never verified
            wait = (
                f"the hub did not verify the {target.pending_mode} within {VERIFY_WAIT // 60} min"
            )
            failures = await db(self.store.push_unverified, target.id, wait)
        if mode == "unsubscribe" and failures >= UNSUBSCRIBE_TRIES:
            return await self._give_up(pipeline, target)
        # pending before the request goes: a hub may verify before it answers
        await db(
            self.store.push_requested, target.id, mode, now, now + timedelta(seconds=VERIFY_WAIT)
        )
        form = {
            "hub.mode": mode,
            "hub.topic": target.topic,
            "hub.callback": f"{self.settings.base_url}/websub/{target.token}",
        }
        if mode == "subscribe":
            form["hub.secret"] = target.secret
            form["hub.lease_seconds"] = str(self.settings.websub_lease)
        try:
            await client.post_form(target.hub, form)
        except TidingsError as exc:
            retry = now + retry_delay(failures + 1)
            failures = await db(self.store.push_failed, target.id, mode, exc.message, retry)
            log.warning(
                "websub: %s of %s at %s failed (%d): %s",
                mode, target.topic, target.hub, failures, exc.message,
                extra={"feed_id": target.feed_id, "hub": target.hub},
            )  # fmt: skip
            if mode == "unsubscribe" and failures >= UNSUBSCRIBE_TRIES:
                return await self._give_up(pipeline, target)
            return "failed"
        log.info("websub: %s of %s sent to %s", mode, target.topic, target.hub)
        return "requested"

    async def _give_up(self, pipeline: Pipeline, target: PushTarget) -> str:
        await pipeline.db(self.store.push_delete, target.id)
        log.warning(
            "websub: gave up unsubscribing from %s at %s after %d tries",
            target.topic, target.hub, UNSUBSCRIBE_TRIES,
        )  # fmt: skip
        return "removed"

    # -- the callback --------------------------------------------------------------------------

    def push_verify(self, token: str, params: Mapping[str, str]) -> str | None:
        """The hub's verification of a request (or its denial): the text to answer with 200,
        or None for a 404 (an unknown token, another topic, a request not pending)."""
        mode, topic = params.get("hub.mode", ""), params.get("hub.topic", "")
        target = self.store.push_target(token)
        problem = _verify_problem(target, mode, topic, params.get("hub.challenge"))
        if problem is not None:
            log.warning("websub: verification refused (%s): %s", mode[:20] or "no mode", problem)
            return None
        if mode == "denied":
            reason = params.get("hub.reason") or "the hub gave no reason"
            self.store.push_denied(token, topic, reason)
            log.warning("websub: the hub denied the subscription to %s: %s", topic, reason)
            return ""
        challenge = params["hub.challenge"]
        if mode == "unsubscribe":
            done = self.store.push_unsubscribed(token, topic)
        else:
            lease = lease_of(params.get("hub.lease_seconds"), self.settings.websub_lease)
            if lease is None:
                log.warning("websub: verification refused: hub.lease_seconds is not a number")
                return None
            now = self.clock()
            done = self.store.push_verified(
                token,
                topic,
                now=now,
                lease_seconds=lease,
                expires_at=now + timedelta(seconds=lease),
                renew_at=renew_at(now, lease),
            )
        if not done:  # verified by a concurrent request just now
            log.warning("websub: verification refused: no %s is pending for %s", mode, topic)
            return None
        log.info("websub: the hub verified the %s of %s", mode, topic)
        return challenge

    def push_target(self, token: str) -> PushTarget | None:
        return self.store.push_target(token)

    def push_refusal(self, target: PushTarget | None) -> str | None:
        """Why a push to this callback is refused with 404 (None: it is taken)."""
        if target is None:
            return "unknown callback token"
        if target.feed_id is None:
            return "the feed was removed"
        if target.state != "active":
            return f"the subscription is {target.state}"
        if target.expires_at is not None and target.expires_at <= self.clock():
            return "the lease has ended"
        return None

    def push_signature_problem(
        self, target: PushTarget, header: str | None, body: bytes
    ) -> str | None:
        """Why a push's body is not the hub's (its X-Hub-Signature), or None."""
        return signature_problem(target.secret, header, body)

    def push_received(self, target: PushTarget, body: bytes, headers: Mapping[str, str]) -> None:
        """Count a signed push and store it in the background: the hub is answered at once."""
        if self._pipeline is None or self._push_tasks is None or target.feed_id is None:
            raise RuntimeError("use 'async with aggregator:' around pushes")
        task = asyncio.create_task(
            self._take(self._pipeline, target, target.feed_id, body, headers)
        )
        self._push_tasks.add(task)
        task.add_done_callback(self._push_tasks.discard)

    async def _take(
        self,
        pipeline: Pipeline,
        target: PushTarget,
        feed_id: int,
        body: bytes,
        headers: Mapping[str, str],
    ) -> object:
        await pipeline.db(self.store.push_counted, target.id, self.clock())
        return await pipeline.update_pushed(feed_id, body, headers)

    async def push_settled(self) -> None:
        """Wait for the pushes being stored (tests, and a clean stop)."""
        while self._push_tasks:
            await asyncio.gather(*list(self._push_tasks), return_exceptions=True)

    def push_subscriptions(self) -> list[PushSubscription]:
        """Every WebSub subscription with its state: the health page and ``tidings push list``."""
        return self.store.push_subscriptions()


def _verify_problem(
    target: PushTarget | None, mode: str, topic: str, challenge: str | None
) -> str | None:
    if target is None:
        return "unknown callback token"
    if topic != target.topic:
        return f"hub.topic {topic[:200]!r} is not the subscription's"
    if mode == "denied":
        return None
    if mode not in ("subscribe", "unsubscribe"):
        return f"hub.mode {mode[:20]!r} is not subscribe, unsubscribe or denied"
    if not challenge:
        return "no hub.challenge"
    if target.pending_mode != mode:
        return f"no {mode} request is pending (a replayed or forged verification)"
    return None
