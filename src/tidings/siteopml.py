"""The site's subscriptions as OPML, in and out (a person's own are ``Reading``'s).

``SiteOPML`` is a part of ``core.Aggregator`` (its base class), as ``People`` is, kept here so
that the facade stays one readable module.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tidings.config import Settings
from tidings.errors import DuplicateError
from tidings.i18n import gettext as _
from tidings.publish.opml import OPMLEntry, parse_opml, write_opml
from tidings.store.store import Store
from tidings.types import ImportReport


class SiteOPML:
    """OPML import and export of the site's feeds, over the store."""

    store: Store
    clock: Callable[[], datetime]
    settings: Settings

    def import_opml(self, data: bytes) -> ImportReport:
        """Subscribe every feed of an OPML document; they are fetched by the next update (one
        that only people follow joins the site)."""
        # the fetch package starts its client (aiohttp) on import: loaded only when needed
        from tidings.fetch.canonical import canonical_url

        document = parse_opml(data)
        added: list[str] = []
        skipped = list(document.warnings)
        now = self.clock()
        for entry in document.entries:
            try:
                self.store.add_feed(
                    canonical_url(entry.url),
                    now=now,
                    title=entry.title,
                    categories_=entry.categories,
                )
            except DuplicateError:
                known = self.store.find_feed(canonical_url(entry.url))
                if known is None or not self.store.join_site(
                    known.id, title=entry.title, categories_=entry.categories
                ):
                    skipped.append(f"already subscribed, skipped: {entry.url}")
                    continue
            added.append(entry.url)
        return ImportReport(tuple(added), tuple(skipped))

    def export_opml(self, site_url: str = "") -> bytes:
        """The subscriptions as OPML; the sample feeds at their pages on ``site_url``."""
        from tidings.fetch.samples import public_url

        entries = [
            OPMLEntry(
                url=public_url(f.url, site_url),
                title=f.title,
                site_url=public_url(f.site_url, site_url) if f.site_url else None,
                categories=f.categories,
            )
            for f in self.store.list_feeds(None, site_only=True)
        ]
        return write_opml(
            entries,
            title=_("%(site)s subscriptions") % {"site": self.settings.site_title},
            now=self.clock(),
        )
