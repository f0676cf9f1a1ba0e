"""The store: one object over one database, joined from the parts that each keep one kind of
record (``feeds``, ``due``, ``categories``, ``items``, ``history``, ``updates``, ``counters``).

Synchronous on purpose: the pipeline runs its calls on one dedicated thread, which gives SQLite
its single writer and keeps every write transaction free of network I/O. The same queries serve
SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Self

from sqlalchemy.exc import SQLAlchemyError

from tidings.errors import StoreError
from tidings.i18n import gettext as _
from tidings.store import migrate
from tidings.store.articles import ArticlesPart
from tidings.store.categories import CategoriesPart
from tidings.store.counters import CountersPart
from tidings.store.credentials import CredentialsPart
from tidings.store.due import DuePart
from tidings.store.entries import EntriesPart
from tidings.store.feeds import FeedsPart
from tidings.store.folders import FoldersPart
from tidings.store.folding import FoldingPart
from tidings.store.history import HistoryPart
from tidings.store.items import ItemsPart
from tidings.store.marks import MarksPart
from tidings.store.push import PushPart
from tidings.store.readers import ReadersPart
from tidings.store.ruleacts import RuleActsPart
from tidings.store.subscriptions import SubscriptionsPart
from tidings.store.sync import SyncPart
from tidings.store.updates import UpdatesPart
from tidings.store.v1_entries import EntryListPart


class Store(
    FeedsPart,
    DuePart,
    CategoriesPart,
    ItemsPart,
    HistoryPart,
    UpdatesPart,
    CountersPart,
    SubscriptionsPart,
    EntriesPart,
    RuleActsPart,  # before MarksPart, whose set_read and set_starred it calls
    MarksPart,
    ReadersPart,
    CredentialsPart,
    FoldersPart,
    FoldingPart,
    SyncPart,
    PushPart,
    EntryListPart,
    ArticlesPart,
):
    """The database of one tidings installation (people's reading: subscriptions, entries,
    marks and readers; their apps: credentials, folder ids and sync reads)."""

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Self:
        engine = migrate.create(url)
        if upgrade:
            try:
                migrate.upgrade(engine)
            except SQLAlchemyError as exc:
                raise StoreError(
                    _("cannot open the database %(url)r: %(exc)s") % {"url": engine.url, "exc": exc}
                ) from exc
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()
