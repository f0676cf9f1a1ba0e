"""The reading page's views, pure: which list a URL names, its query, its cursor, its links.

A view is one list of a person's entries: everything, one feed, one folder or the starred ones,
with a status (unread first by default), an order, an optional search and an optional label
(``?label=NAME``: only the items a rule labelled so, the person's rules or the site's). It
travels as the URL of its list (``/read/feeds/3?status=all``), in links (``from``) and forms
(``next``), so the item page and every change lead back to the same list. Nothing here reads
the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from starlette.exceptions import HTTPException

from tidings.i18n import gettext as _
from tidings.types import Entry, EntryQuery

STATUSES = ("unread", "all", "starred")
ORDERS = ("published", "received")
PAGE = 50
MAX_SEARCH = 200
MAX_FOLDER = 200
MAX_LABEL = 100  # as a rule's label


@dataclass(frozen=True, slots=True)
class View:
    """One list of entries: ``kind`` is "all", "feed", "folder" or "starred"."""

    kind: str = "all"
    feed_id: int | None = None
    folder: str | None = None
    status: str = "unread"
    order: str = "published"
    search: str | None = None
    label: str | None = None

    @property
    def path(self) -> str:
        if self.kind == "feed":
            return f"/read/feeds/{self.feed_id}"
        if self.kind == "folder":
            return "/read/folders/" + quote(self.folder or "", safe="")
        return "/read/starred" if self.kind == "starred" else "/read"

    def params(self, **extra: str) -> list[tuple[str, str]]:
        """The query that says what differs from the defaults (and ``extra``)."""
        pairs = []
        if self.kind != "starred" and self.status != "unread":
            pairs.append(("status", self.status))
        if self.order != "published":
            pairs.append(("order", self.order))
        if self.search:
            pairs.append(("q", self.search))
        if self.label:
            pairs.append(("label", self.label))
        return pairs + [(k, v) for k, v in extra.items() if v]

    def url(self, **extra: str) -> str:
        """The list's own URL (``extra`` adds parameters, such as the cursor ``after``)."""
        query = urlencode(self.params(**extra))
        return self.path + (f"?{query}" if query else "")

    def with_status(self, status: str) -> str:
        return replace(self, status=status).url()

    def with_order(self, order: str) -> str:
        return replace(self, order=order).url()

    def without_label(self) -> str:
        return replace(self, label=None).url()

    @property
    def effective_status(self) -> str:
        return "starred" if self.kind == "starred" else self.status

    def query(
        self, *, limit: int = PAGE, after: tuple[datetime | int, int] | None = None
    ) -> EntryQuery:
        """The model's query for this list (one page after ``after``)."""
        return EntryQuery(
            status=self.effective_status,
            feed_id=self.feed_id,
            folder=self.folder,
            order=self.order,
            limit=limit,
            after=after,
            search=self.search,
            label=self.label,
        )


def bad(message: str) -> HTTPException:
    return HTTPException(400, message)


def view_of(
    kind: str, params: dict[str, str], *, feed_id: int | None = None, folder: str | None = None
) -> View:
    """The view a list URL names; a bad parameter is a 400 that says which."""
    status = params.get("status", "unread") or "unread"
    if status not in STATUSES:
        message = _("status must be one of %(choices)s, not %(raw)r")
        raise bad(message % {"choices": ", ".join(STATUSES), "raw": status[:40]})
    order = params.get("order", "published") or "published"
    if order not in ORDERS:
        message = _("order must be one of %(choices)s, not %(raw)r")
        raise bad(message % {"choices": ", ".join(ORDERS), "raw": order[:40]})
    search = (params.get("q") or "").strip() or None
    if search is not None and len(search) > MAX_SEARCH:
        raise bad(_("a search is at most %(n)d characters") % {"n": MAX_SEARCH})
    label = " ".join((params.get("label") or "").split()) or None
    if label is not None and len(label) > MAX_LABEL:
        raise bad(_("a label is at most %(n)d characters") % {"n": MAX_LABEL})
    if folder is not None and not (0 < len(folder.strip()) <= MAX_FOLDER):
        raise bad(_("a folder's name is 1 to %(n)d characters") % {"n": MAX_FOLDER})
    if kind == "all" and status == "starred":
        kind = "starred"
    if kind == "starred":
        status = "starred"
    return View(kind, feed_id, folder, status, order, search, label)


def view_from_url(url: str | None) -> View:
    """The view of a list URL carried by a link or a form; anything else is everything."""
    if not url or not url.startswith("/read") or url.startswith("//"):
        return View()
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    path = parts.path.rstrip("/")
    try:
        if path.startswith("/read/feeds/"):
            feed_id = int(path.removeprefix("/read/feeds/"))
            return view_of("feed", params, feed_id=feed_id)
        if path.startswith("/read/folders/"):
            folder = unquote(path.removeprefix("/read/folders/"))
            return view_of("folder", params, folder=folder)
        return view_of("starred" if path == "/read/starred" else "all", params)
    except (ValueError, HTTPException):
        return View()


def next_url(raw: object) -> str:
    """Where a change goes back to: a list or item of the reading page, else ``/read``."""
    if not isinstance(raw, str) or "\\" in raw or len(raw) > 2000:
        return "/read"
    parts = urlsplit(raw)
    under_read = parts.path == "/read" or parts.path.startswith("/read/")
    dots = any(segment in (".", "..") for segment in parts.path.split("/"))
    return raw if under_read and not dots and not parts.scheme and not parts.netloc else "/read"


def cursor_of(entry: Entry, order: str) -> str:
    """The ``after`` parameter of the page that follows ``entry``."""
    key = entry.item.id if order == "received" else entry.item.sort_date.isoformat()
    return f"{key},{entry.item.id}"


def parse_cursor(raw: str | None, order: str) -> tuple[datetime | int, int] | None:
    """``after`` as the model's keyset cursor; a malformed one is a 400."""
    if not raw:
        return None
    key, _comma, last = raw.rpartition(",")
    try:
        item_id = int(last)
        sort_key: datetime | int = int(key) if order == "received" else datetime.fromisoformat(key)
    except ValueError:
        raise bad(_("after must be the cursor of a More link")) from None
    if isinstance(sort_key, datetime) and sort_key.tzinfo is None:
        raise bad(_("after must be the cursor of a More link"))
    return sort_key, item_id


def parse_id(raw: object, what: str = "item") -> int:
    """An item or feed id from a form; anything else is a 400."""
    text = raw if isinstance(raw, str) else ""
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        raise bad(_("%(what)s must be a positive whole number") % {"what": what})
    return int(text)
