"""Records of what happens to items as they arrive, besides being stored: pushes from WebSub
hubs, rules and their labels, full articles, notification targets (``docs/arrival.md``).

Apart from ``types`` so that each module stays one concept; like ``types``, frozen dataclasses
named for their place in the flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tidings.i18n import N_

# -- full articles (docs/arrival.md, "Full articles") -------------------------------------------

ARTICLE_STATUSES = ("pending", "fetching", "done", "failed")


@dataclass(frozen=True, slots=True)
class ArticleJob:
    """An item whose page one process claimed: what fetching and extracting it needs."""

    item_id: int
    feed_id: int
    link: str | None
    attempt: int  # the claim's number: its result is written only while no later claim exists
    feed_html: str | None  # the feed's own content (else summary), which the article must pass
    user_agent: str | None  # the feed's own User-Agent (None: the site's)


@dataclass(frozen=True, slots=True)
class ArticleOutcome:
    """What became of one claimed item: its article, or why not (and when to try again)."""

    item_id: int
    attempt: int
    html: str | None = None  # the sanitized article: status done
    error: str | None = None  # why there is none: status failed, or pending again for a retry
    retry_at: datetime | None = None  # a transient failure: pending again from then on


@dataclass(frozen=True, slots=True)
class ArticleRun:
    """What one turn of the article fetcher did."""

    claimed: int = 0
    done: int = 0
    failed: int = 0
    retried: int = 0  # transient failures, pending again for a later turn
    lost: int = 0  # results not kept: the claim had expired and was taken over


@dataclass(frozen=True, slots=True)
class ArticleCounts:
    """A feed's items by the state of their article (what the admin's feed page shows)."""

    pending: int = 0
    fetching: int = 0
    done: int = 0
    failed: int = 0
    last_error: str | None = None  # the newest failure's reason


# -- rules (docs/arrival.md, "Rules") ------------------------------------------------------------

RULE_FIELDS = ("title", "content", "author", "link", "category", "any")
RULE_MATCHES = ("contains", "regex")
RULE_ACTIONS = ("read", "star", "drop", "label", "notify")
SITE_RULE_ACTIONS = ("drop", "label", "notify")  # the site has no read or starred state
# How the rule forms word each field and action (translated where shown, by ``tidings.i18n``)
RULE_WORDS = {
    "title": N_("title"),
    "content": N_("content"),
    "author": N_("author"),
    "link": N_("link"),
    "category": N_("category"),
    "any": N_("any field"),
    "read": N_("mark read"),
    "star": N_("star"),
    "drop": N_("drop"),
    "label": N_("label"),
    "notify": N_("notify"),
}


@dataclass(frozen=True, slots=True)
class RuleDraft:
    """A rule as someone writes it: checked (``update.rules.check_draft``) before it is kept."""

    name: str
    field: str  # one of RULE_FIELDS
    match: str  # one of RULE_MATCHES
    pattern: str
    action: str  # one of RULE_ACTIONS
    negate: bool = False
    feed_id: int | None = None  # scope: one feed
    folder: str | None = None  # scope: one of the person's folders
    label: str | None = None  # the label put on by action "label"


@dataclass(frozen=True, slots=True)
class Rule:
    """A kept rule: the site's (``user_id`` None) or a person's, with its record of use."""

    id: int
    user_id: int | None
    name: str
    field: str
    match: str
    negate: bool
    pattern: str
    feed_id: int | None
    folder: str | None
    action: str
    label: str | None
    enabled: bool
    created_at: datetime
    failing: str | None = None  # why it is skipped (a regex over its time limit)
    failing_since: datetime | None = None
    hits: int = 0
    last_hit_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.enabled and self.failing is None


@dataclass(frozen=True, slots=True)
class RuleRun:
    """What running a rule over the items already stored did."""

    rule_id: int
    checked: int  # items looked at
    matched: int  # items the rule's action was applied to
    failing: str | None = None  # the rule failed part way (it is now marked failing)


# -- notifications (docs/arrival.md, "Notifications") --------------------------------------------


@dataclass(frozen=True, slots=True)
class NotifyTarget:
    """Where notifications go: an Apprise URL, a person's or the site's (``user_id`` None).

    Out of the facade ``url`` is always redacted (passwords and tokens masked): the full URL
    stays in the database and is only read back by the sender.
    """

    id: int
    user_id: int | None
    name: str
    url: str
    digest: bool  # a daily digest too
    enabled: bool
    created_at: datetime
    last_sent_at: datetime | None  # the last batch tried: batches are a minute apart at least
    last_digest_at: datetime | None
    failures: int  # failed batches in a row (0 after a success)
    last_error: str | None
    pending: int = 0  # messages waiting in the outbox
    given_up: int = 0  # messages that were never delivered and are no longer tried
    delivered_at: datetime | None = None  # the last message that got through


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message of the outbox waiting for its target."""

    id: int
    target_id: int
    kind: str  # item | health | test | digest
    title: str
    body: str
    link: str | None
    created_at: datetime
    attempts: int


@dataclass(frozen=True, slots=True)
class SendReport:
    """What one turn of the sender did."""

    sent: int = 0  # messages delivered
    batches: int = 0  # deliveries (one per target at most)
    failed: int = 0  # messages whose delivery failed this turn (kept for a retry)
    given_up: int = 0  # messages no longer tried


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One line of a daily digest: a new item, under its feed's title."""

    feed_title: str
    title: str
    link: str | None


@dataclass(frozen=True, slots=True)
class PushSubscription:
    """A WebSub subscription at a hub, as the health page and ``tidings push list`` show it."""

    id: int
    feed_id: int | None  # None: the feed was removed (the hub is being told to stop)
    feed_title: str | None
    hub: str
    topic: str
    state: str  # subscribing | active | expired | unsubscribing | denied
    pending_mode: str | None  # the request the hub may verify now (None: none)
    lease_seconds: int | None
    expires_at: datetime | None
    next_action_at: datetime | None  # the next request (renewal, retry, unsubscribe)
    last_push_at: datetime | None
    pushes: int
    error_count: int
    last_error: str | None  # the last failure, or the hub's reason for a denial


@dataclass(frozen=True, slots=True)
class PushTarget:
    """What the chore and the callback need of one subscription (its secret: never shown)."""

    id: int
    feed_id: int | None
    hub: str
    topic: str
    token: str
    secret: str = field(repr=False)
    state: str
    pending_mode: str | None
    expires_at: datetime | None
    error_count: int


@dataclass(frozen=True, slots=True)
class PushReport:
    """What one turn of the WebSub chore did."""

    created: int = 0  # subscriptions started (feeds that name a hub)
    retired: int = 0  # subscriptions whose feed was removed or changed hubs
    requested: int = 0  # requests the hubs accepted (their verification follows)
    failed: int = 0  # requests that failed (retried on backoff)
    removed: int = 0  # unsubscribes given up after a few tries
    pinged: int = 0  # pings of this site's own feeds sent to its hub
