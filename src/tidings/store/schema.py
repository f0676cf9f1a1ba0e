"""The one schema, for SQLite and PostgreSQL alike.

Times are stored as naive UTC and handed back aware (``UTCDateTime``), so both backends sort and
compare them the same way. Migrations in ``migrations/versions`` must produce exactly this schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.sql.expression import false, true
from sqlalchemy.types import TypeDecorator

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identities.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, naive UTC in the column."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQL paths on SQLite
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text),
    Column("user_title", Text),  # a title the user chose; wins over the feed's own
    Column("site_url", Text),
    Column("description", Text),
    Column("image_url", Text),
    Column("added_at", UTCDateTime, nullable=False),
    # validators and body hash of the last good answer
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_hash", String(64)),
    # health and schedule
    Column("last_checked", UTCDateTime),
    Column("last_success", UTCDateTime),
    Column("next_check", UTCDateTime),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("error_kind", String(32)),
    Column("last_error", Text),
    Column("error_since", UTCDateTime),
    Column("disabled_reason", Text),
    # per-feed overrides (NULL: the site default)
    Column("refresh_seconds", Integer),
    Column("retention_days", Integer),
    # scheduling hints kept from the last parse, so they also apply after a 304
    Column("ttl_minutes", Integer),
    Column("skip_hours", Text),  # comma-separated hours 0-23
    Column("skip_days", Text),  # comma-separated day names
    # a permanent redirect seen on consecutive fetches; adopted as the URL after 3
    Column("redirect_url", Text),
    Column("redirect_count", Integer, nullable=False, server_default="0"),
    # the User-Agent sent for this feed (NULL: the site's)
    Column("user_agent", Text),
    # a note for the feed's health that is not a failure, rewritten by every successful update
    Column("notice", Text),
    # a worker's claim on the feed (store/leases.py): its result is written only while the
    # token is current; past lease_until the feed is due again; lease_host counts the host's
    # requests in flight across all workers
    Column("lease_token", String(32)),
    Column("lease_until", UTCDateTime),
    Column("lease_host", Text),
    # in the site's collection (public pages, site feeds, OPML, embed, the admin's feed table);
    # false: a feed only people follow, fetched because they do
    Column("on_site", Boolean, nullable=False, server_default=true()),
    # the admin's cap on the unread items kept per feed by retention (NULL: no cap)
    Column("unread_cap", Integer),
    # WebSub: the hub and the topic (its rel="self") the feed's last parse declared
    Column("websub_hub", Text),
    Column("websub_topic", Text),
    # fetch each new item's page and keep the article extracted from it (docs/arrival.md)
    Column("full_articles", Boolean, nullable=False, server_default=false()),
    # when "failing for a day" was sent for the current run of failures (NULL: not sent)
    Column("health_notified_at", UTCDateTime),
    Index("ix_feeds_next_check", "next_check"),
    Index("ix_feeds_lease_until", "lease_until"),
    # the few feeds off the site, which public reads leave out (store/items.on_site_items)
    Index(
        "ix_feeds_off_site",
        "id",
        sqlite_where=text("on_site = 0"),
        postgresql_where=text("on_site = false"),
    ),
)

items = Table(
    "items",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("feed_id", BigId, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("identity_hash", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("guid", Text),
    Column("title", Text),
    Column("link", Text),
    Column("author", Text),
    Column("published", UTCDateTime),
    Column("updated", UTCDateTime),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("sort_date", UTCDateTime, nullable=False),
    Column("summary_html", Text),
    Column("content_html", Text),
    Column("enclosures", Text),  # JSON list of {url, type, length}
    Column("categories", Text),  # JSON list of strings
    Column("image_url", Text),
    # plain text of summary + content, written by the store, indexed for search (store/search.py).
    # On SQLite the FTS5 table items_fts follows items: the store indexes what it inserts
    # (store/planwrite.py), triggers the deletes and rewrites (migrations 0004, 0013); a
    # migration that recreates items (batch mode) must create those triggers again.
    Column("search_text", Text),
    # the same story under another guid (update/duplicates.py): the hash of the item's link
    # with tracking parameters removed, of its (title, published), and of its text (0017)
    Column("link_key", String(64)),
    Column("title_key", String(64)),
    Column("content_key", String(32)),
    # the article fetched from the item's page (feeds.full_articles): pending, done or failed
    Column("article_html", Text),
    Column("article_status", String(16)),
    Column("article_error", Text),
    # the queue's clock (0018): when the row may be claimed next (a retry's earliest time, or
    # when a claim that died with its process expires), and the claims made so far
    Column("article_due_at", UTCDateTime),
    Column("article_attempts", Integer, nullable=False, server_default="0"),
    UniqueConstraint("feed_id", "identity_hash"),
    Index("ix_items_sort", "sort_date", "id"),
    Index("ix_items_feed_sort", "feed_id", "sort_date", "id"),
    # a person's unread count of a feed is a range count above their watermark on this index;
    # sort_date in it sorts their unread page without reading table rows (migration 0011)
    Index("ix_items_feed_id_date", "feed_id", "id", "sort_date"),
    # one story in many feeds (a person's folder may fold them into one)
    Index("ix_items_link_key", "link_key"),
    # the articles waiting to be fetched: a queue in the table
    Index(
        "ix_items_article_pending",
        "id",
        sqlite_where=text("article_status = 'pending'"),
        postgresql_where=text("article_status = 'pending'"),
    ),
    # the articles being fetched, whose claims may have died with their process
    Index(
        "ix_items_article_fetching",
        "id",
        sqlite_where=text("article_status = 'fetching'"),
        postgresql_where=text("article_status = 'fetching'"),
    ),
    # ids are never reused, also after the newest item is deleted: a person's state and
    # watermark name items by id (SQLite: AUTOINCREMENT; PostgreSQL: an identity never repeats)
    sqlite_autoincrement=True,
)

categories = Table(
    "categories",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("slug", String(200), nullable=False, unique=True),
)

feed_categories = Table(
    "feed_categories",
    metadata,
    Column("feed_id", BigId, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", BigId, ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_feed_categories_category", "category_id"),
)

# identities of items removed by retention, so that they never come back as new
tombstones = Table(
    "tombstones",
    metadata,
    Column("feed_id", BigId, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("identity_hash", String(64), primary_key=True),
    Column("deleted_at", UTCDateTime, nullable=False),
)

fetch_log = Table(
    "fetch_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("feed_id", BigId, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("status", Integer),
    Column("duration_ms", Integer, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("new_items", Integer, nullable=False),
    Column("changed_items", Integer, nullable=False),
    Column("error", Text),
    Index("ix_fetch_log_feed_at", "feed_id", "at"),
)

users = Table(
    "users",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("role", String(16), nullable=False, server_default="reader"),  # admin | reader
    # unread items older than this many days may go with retention (NULL: kept forever)
    Column("keep_unread_days", Integer),
    # private feed URLs carry an HMAC of (id, version): rotating bumps the version
    Column("feed_token_version", Integer, nullable=False, server_default="0"),
    # the person's change counter: every change of their reading state bumps it once
    Column("state_seq", BigInteger, nullable=False, server_default="0"),
    Column("mark_read_on_scroll", Boolean, nullable=False, server_default=false()),
    # the sync APIs' own password (argon2), and the SHA-256 of its Fever key, to look it up
    Column("api_password_hash", Text),
    Column("fever_key_hash", String(64), index=True),
    # the language the person reads tidings in (tidings.i18n.LANGUAGES); NULL: as asked by the
    # browser or app, else the site's
    Column("language", String(16)),
)

# server-side sessions: the cookie carries a random token, the table only its hash
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# settings changed from the admin pages; they override the defaults of Settings
site_settings = Table(
    "site_settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

# fetches counted by outcome for /metrics, by every process that writes (store/counters.py);
# each process adds to its own shard, so that workers do not queue on one row
fetch_counts = Table(
    "fetch_counts",
    metadata,
    Column("outcome", String(32), primary_key=True),
    Column("shard", Integer, primary_key=True, autoincrement=False),
    Column("fetches", BigInteger, nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("new_items", BigInteger, nullable=False),
    Column("changed_items", BigInteger, nullable=False),
)

# -- reading: a person's subscriptions and the state of their items ---------------------------

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("feed_id", BigId, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("title", Text),  # the person's own title (NULL: the feed's)
    Column("folder", Text),  # one folder, free text (NULL: none)
    Column("hide_from_all", Boolean, nullable=False, server_default=false()),
    Column("reader_view", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime, nullable=False),
    # the watermark: the feed's items with id <= read_until are read unless a state row says
    # otherwise; read_until_seq is the person's seq when it last moved
    Column("read_until", BigInteger, nullable=False, server_default="0"),
    Column("read_until_seq", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("user_id", "feed_id"),
    Index("ix_subscriptions_feed_id", "feed_id"),
    Index("ix_subscriptions_user_id_folder", "user_id", "folder"),
)

# a row only where a person's state of an item differs from their watermark, or it is starred
# (or an explicit change since the watermark last passed it, for sync clients)
entry_states = Table(
    "entry_states",
    metadata,
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("feed_id", BigId, nullable=False),  # the item's, for per-feed updates and counts
    Column("read", Boolean, nullable=False),
    Column("starred", Boolean, nullable=False),
    Column("read_at", UTCDateTime),
    Column("starred_at", UTCDateTime),
    Column("seq", BigInteger, nullable=False),  # the person's seq of the last change
    # dropped by one of the person's rules: never shown to them, never counted unread
    Column("hidden", Boolean, nullable=False, server_default=false()),
    Index("ix_entry_states_user_id_seq", "user_id", "seq"),
    Index("ix_entry_states_user_id_starred", "user_id", "starred"),
    Index("ix_entry_states_user_id_feed_id", "user_id", "feed_id", "item_id"),
    # deleting an item (retention, a feed removed) finds its rows; "starred by anyone"
    Index("ix_entry_states_item_id", "item_id"),
)


# -- sync: the apps' credentials and the folders' stable ids ------------------------------------

# a person's API keys for /v1 (X-Auth-Token): only the SHA-256 of the secret is kept
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("description", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Index("ix_api_keys_user_id", "user_id"),
)

# the ids that the sync APIs give a person's folders (subscriptions.folder stays the name; the
# name "" is the group of the feeds without a folder)
folders = Table(
    "folders",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    # the person's choice: items with the same canonical link in this folder's feeds are one
    Column("fold_duplicates", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("user_id", "name"),
    sqlite_autoincrement=True,  # an app keeps a folder's id: a deleted one is never reused
)


# -- on arrival: push, rules, labels, notifications (docs/arrival.md) ---------------------------

# a WebSub subscription at a hub: the callback is /websub/{token}; rows outlive their feed
# (feed_id NULL) until the hub has been asked to unsubscribe
push_subscriptions = Table(
    "push_subscriptions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("feed_id", BigId, ForeignKey("feeds.id", ondelete="SET NULL")),
    Column("hub", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("secret", String(128), nullable=False),
    # subscribing | active | unsubscribing | denied | failed | gone
    Column("state", String(16), nullable=False),
    Column("pending_mode", String(16)),  # the request the hub may verify (NULL: none)
    Column("requested_at", UTCDateTime),
    Column("verified_at", UTCDateTime),
    Column("lease_seconds", Integer),
    Column("expires_at", UTCDateTime),
    Column("next_action_at", UTCDateTime),  # renew, retry or unsubscribe from then
    Column("last_push_at", UTCDateTime),
    Column("pushes", BigInteger, nullable=False, server_default="0"),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Index("ix_push_subscriptions_feed_id", "feed_id"),
    Index("ix_push_subscriptions_next_action_at", "next_action_at"),
)

# a rule run on each new item: the site's (user_id NULL, the admin's) or a person's
rules = Table(
    "rules",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE")),
    Column("name", Text, nullable=False),
    Column("field", String(16), nullable=False),  # title | content | author | link | category | any
    Column("match", String(16), nullable=False),  # contains | regex
    Column("negate", Boolean, nullable=False, server_default=false()),
    Column("pattern", Text, nullable=False),
    Column("feed_id", BigId, ForeignKey("feeds.id", ondelete="CASCADE")),  # scope (NULL: all)
    Column("folder", Text),  # scope: a person's folder (NULL: all)
    Column("action", String(16), nullable=False),  # read | star | drop | label | notify
    Column("label", Text),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    Column("created_at", UTCDateTime, nullable=False),
    Column("failing", Text),  # why the rule failed last (a regex over its limit), NULL: fine
    Column("failing_since", UTCDateTime),
    Column("hits", BigInteger, nullable=False, server_default="0"),
    Column("last_hit_at", UTCDateTime),
    Index("ix_rules_user_id", "user_id"),
)

# labels put on items by rules: a person's (user_id) or the site's (user_id NULL)
item_labels = Table(
    "item_labels",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE")),
    Column("item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("label", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("user_id", "item_id", "label"),
    Index("ix_item_labels_item_id", "item_id"),
    Index("ix_item_labels_user_id_label", "user_id", "label"),
)

# where notifications go: Apprise URLs, a person's or the site's (user_id NULL: the admins')
notify_targets = Table(
    "notify_targets",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE")),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("digest", Boolean, nullable=False, server_default=false()),  # a daily digest too
    Column("enabled", Boolean, nullable=False, server_default=true()),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_sent_at", UTCDateTime),
    Column("last_digest_at", UTCDateTime),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Index("ix_notify_targets_user_id", "user_id"),
)

# the outbox: messages waiting for their target, sent in batches, retried with backoff
notifications = Table(
    "notifications",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("target_id", BigId, ForeignKey("notify_targets.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # item | health
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("link", Text),
    Column("item_id", BigId, ForeignKey("items.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Index("ix_notifications_target_id_sent_at", "target_id", "sent_at"),
    Index(
        "ix_notifications_unsent",
        "next_attempt_at",
        sqlite_where=text("sent_at IS NULL"),
        postgresql_where=text("sent_at IS NULL"),
    ),
)
