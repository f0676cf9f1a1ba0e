"""Notification targets of the facade: a person's, or the site's (``user_id`` None, the
admins'), each an Apprise URL checked when it is added and shown masked ever after."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from tidings.arrival import NotifyTarget
from tidings.config import Settings
from tidings.fetch.guard import AddressPolicy
from tidings.i18n import gettext as _
from tidings.i18n import normalize, speaking
from tidings.notifying.urls import (
    TargetURLError,
    check_hosts,
    plugin_of,
    redacted,
    service_name,
)
from tidings.store.outbox import Outbox
from tidings.store.store import Store

if TYPE_CHECKING:
    from tidings.site import SiteSettings

MAX_NAME = 200
MAX_TARGETS = 50  # per person, and for the site


class NotifyTargets:
    """Add, list, enable, remove and test targets, over the store's outbox."""

    store: Store
    clock: Callable[[], datetime]
    settings: Settings
    _allowed_origins: tuple[tuple[str, int], ...]

    # provided by core.Aggregator
    def site(self) -> SiteSettings:
        raise NotImplementedError

    def _language_of(self, target_id: int | None) -> str:
        """The language a target's messages are written in: its person's own, else the site's
        (always the site's for the site's targets, ``target_id`` None)."""
        own = None if target_id is None else self.outbox.owner_language(target_id)
        return normalize(own) or self.site().language

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self.store.engine)

    @cached_property
    def notify_policy(self) -> AddressPolicy:
        """The address policy of every fetch, for the hosts Apprise will dial."""
        return AddressPolicy(
            allowed_networks=self.settings.allowed_networks,
            allowed_origins=self._allowed_origins,
        )

    def notify_targets(self, user_id: int | None) -> list[NotifyTarget]:
        """A person's targets, or the site's (``user_id`` None), their URLs masked."""
        return [_shown(target) for target in self.outbox.targets(user_id, self.clock())]

    def add_notify_target(
        self,
        user_id: int | None,
        url: str,
        *,
        name: str | None = None,
        digest: bool = False,
    ) -> NotifyTarget:
        """A new target: TargetURLError (a TidingsError) for a URL Apprise cannot use or one
        that leads to a refused address, before anything is stored."""
        url = url.strip()
        plugin = plugin_of(url)
        check_hosts(plugin, self.notify_policy, unresolved_ok=True)
        name = " ".join((name or "").split()) or service_name(plugin)
        if len(name) > MAX_NAME:
            raise TargetURLError(
                _("a target's name has at most %(max_name)s characters") % {"max_name": MAX_NAME}
            )
        if self.outbox.count_targets(user_id) >= MAX_TARGETS:
            raise TargetURLError(
                _("at most %(max_targets)s notification targets each")
                % {"max_targets": MAX_TARGETS}
            )
        now = self.clock()
        target = self.outbox.add_target(user_id, name, url, digest=digest, now=now)
        return _shown(target)

    def remove_notify_target(self, user_id: int | None, target_id: int) -> NotifyTarget:
        """Remove one of ``user_id``'s targets (NotFoundError for anyone else's)."""
        return _shown(self.outbox.remove_target(user_id, target_id, self.clock()))

    def enable_notify_target(
        self, user_id: int | None, target_id: int, enabled: bool
    ) -> NotifyTarget:
        """Pause a target (nothing is queued for it, what waits ages out) or resume it."""
        found = self.outbox.set_target_enabled(user_id, target_id, enabled, self.clock())
        return _shown(found)

    def test_notify_target(self, user_id: int | None, target_id: int) -> NotifyTarget:
        """Queue a test message for one of ``user_id``'s targets: the sender's next turn
        delivers it (batched with anything else waiting), and the target's page then shows
        whether it got through."""
        now = self.clock()
        target = self.outbox.target(user_id, target_id, now)
        with speaking(self._language_of(target.id)):
            title = _("%(site)s: a test message") % {"site": self.settings.site_title}
            body = _("Notifications to “%(name)s” work.") % {"name": target.name}
        self.outbox.queue(
            [target.id],
            kind="test",
            title=title,
            body=body,
            now=now,
        )
        return _shown(self.outbox.target(user_id, target_id, now))


def _shown(target: NotifyTarget) -> NotifyTarget:
    return replace(target, url=redacted(target.url))
