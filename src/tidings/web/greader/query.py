"""A stream with its ``xt`` and ``it`` filters, as the facade's ``IdQuery``.

Each filter narrows what the stream holds; every stream type takes every filter (a server that
applied ``xt=read`` only to the reading list gave read items back for feeds). A combination that
cannot hold anything (read and unread, two different folders, a feed not followed) is ``None``:
the answer is empty without a query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from tidings.synctypes import IdQuery
from tidings.web.greader.ids import Stream
from tidings.web.greader.params import Page

# a feed URL's id among the person's feeds (None: not followed); a folder's feed ids
FeedByUrl = Callable[[str], int | None]
FolderFeeds = Callable[[str], tuple[int, ...]]


class Empty(Exception):
    """The selection cannot hold any item."""


@dataclass
class Selection:
    # whether a label names a folder (a feed's place) rather than a rule's label on items
    is_folder: Callable[[str], bool] = lambda _: True
    starred_scope: bool = False  # s=starred: the starred items, followed or not
    read: bool | None = None
    starred: bool | None = None
    feeds: set[int] | None = None
    folder: str | None = None
    exclude_feeds: set[int] = field(default_factory=set)
    exclude_folders: list[str] = field(default_factory=list)
    label: str | None = None  # items bearing a rule's label

    def need_read(self, read: bool) -> None:
        if self.read is not None and self.read != read:
            raise Empty
        self.read = read

    def need_starred(self, starred: bool) -> None:
        if self.starred is not None and self.starred != starred:
            raise Empty
        self.starred = starred

    def need_feed(self, feed_id: int | None) -> None:
        if feed_id is None:
            raise Empty
        self.feeds = {feed_id} if self.feeds is None else self.feeds & {feed_id}
        if not self.feeds:
            raise Empty

    def need_label(self, name: str) -> None:
        if self.label is not None and self.label != name:
            raise Empty
        self.label = name

    def need_folder(self, name: str) -> None:
        if self.folder is not None and self.folder != name:
            raise Empty
        self.folder = name


def _feed_id(stream: Stream, by_url: FeedByUrl) -> int | None:
    return stream.feed_id if stream.feed_id is not None else by_url(stream.name)


def _scope(sel: Selection, stream: Stream, by_url: FeedByUrl) -> None:
    if stream.kind == "feed":
        sel.need_feed(_feed_id(stream, by_url))
    elif stream.kind == "label" and sel.is_folder(stream.name):
        sel.need_folder(stream.name)
    elif stream.kind == "label":
        sel.need_label(stream.name)
    elif stream.name == "starred":
        sel.starred_scope = True
    elif stream.name == "read":
        sel.need_read(True)
    elif stream.name == "kept-unread":
        sel.need_read(False)
    elif stream.name != "reading-list":
        raise Empty  # broadcast, like, tracking-*: tidings keeps none of these


def _include(sel: Selection, stream: Stream, by_url: FeedByUrl) -> None:
    if stream.kind == "state" and stream.name == "starred":
        sel.need_starred(True)
    else:
        _scope(sel, stream, by_url)


def _exclude(sel: Selection, stream: Stream, by_url: FeedByUrl) -> None:
    if stream.kind == "feed":
        feed_id = _feed_id(stream, by_url)
        if feed_id is not None:
            sel.exclude_feeds.add(feed_id)
    elif stream.kind == "label":
        sel.exclude_folders.append(stream.name)
    elif stream.name == "read":
        sel.need_read(False)
    elif stream.name == "kept-unread":
        sel.need_read(True)
    elif stream.name == "starred":
        sel.need_starred(False)
    elif stream.name == "reading-list":
        raise Empty
    # other states hold nothing here: excluding them excludes nothing


def id_query(
    stream: Stream, page: Page, by_url: FeedByUrl, folder_feeds: FolderFeeds
) -> IdQuery | None:
    """The ids ``stream`` holds under the page's filters (without the page's bounds), or None
    when it can hold none."""
    sel = Selection(is_folder=lambda name: bool(folder_feeds(name)))
    try:
        _scope(sel, stream, by_url)
        for wanted in page.include:
            _include(sel, wanted, by_url)
        for unwanted in page.exclude:
            _exclude(sel, unwanted, by_url)
    except Empty:
        return None
    if sel.feeds is not None and sel.feeds <= sel.exclude_feeds:
        return None
    exclude_folder = sel.exclude_folders[0] if sel.exclude_folders else None
    if sel.folder is not None and sel.folder in sel.exclude_folders:
        return None
    for name in sel.exclude_folders[1:]:
        sel.exclude_feeds.update(folder_feeds(name))
    if sel.starred_scope:
        if sel.starred is False:
            return None
        # the starred items of feeds no longer followed have no read state to filter on
        status = "starred" if sel.read is None else ("read" if sel.read else "unread")
        starred = None if sel.read is None else True
    else:
        status = "all" if sel.read is None else ("read" if sel.read else "unread")
        starred = sel.starred
    return IdQuery(
        status=status,
        starred=starred,
        feed_ids=None if sel.feeds is None else tuple(sorted(sel.feeds)),
        folder=sel.folder,
        exclude_feed_ids=tuple(sorted(sel.exclude_feeds)),
        exclude_folder=exclude_folder,
        seen_after=page.seen_after,
        seen_before=page.seen_before,
        newest_first=page.newest_first,
        label=sel.label,
    )


def paged(query: IdQuery, page: Page, limit: int) -> IdQuery:
    """``query`` bounded to one page: after (or before) the continuation, ``limit`` ids."""
    bound = page.continuation
    if page.newest_first:
        return replace(query, before_id=bound, limit=limit)
    return replace(query, after_id=bound, limit=limit)
