"""Where documents are parsed: off the event loop, and on every core for the large ones.

Parsing is most of a cold update's CPU, and much of it holds the GIL, so threads share one core:
the walk of the lxml tree and the mapping are Python; only nh3 releases it while it cleans a
field (about a sixth of the fast path's CPU on the corpus), enough for the event loop to run
meanwhile but not for threads to parse side by side (two threads parsing the corpus together
took as long as one thread parsing it twice).
Documents of ``PROCESS_THRESHOLD`` bytes or more go to worker processes (started on first use,
with ``spawn`` so that no thread or socket of this process is inherited); smaller ones parse in a
thread, where sending them to a process would cost more than it saves. The parser itself (lxml,
nh3, feedparser) is imported on the first document: an update whose feeds all answer 304 never
loads it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from tidings.store.searchtext import search_text_of
from tidings.types import ParsedFeed

PROCESS_THRESHOLD = 8 * 1024


def parse_document(
    body: bytes,
    url: str,
    headers: Mapping[str, str],
    max_items: int,
    tags: frozenset[str] | None,
) -> ParsedFeed:
    """Parse and, when the site narrowed the allowed tags, restrict: the work of one document."""
    from tidings.parse import parse_feed, restrict_feed

    parsed = parse_feed(body, url=url, headers=headers, max_items=max_items)
    return with_search_text(restrict_feed(parsed, tags) if tags is not None else parsed)


def with_search_text(parsed: ParsedFeed) -> ParsedFeed:
    """The feed with each item's search text and story keys worked out here, in parallel,
    rather than on the store's one writing thread."""
    items = tuple(
        replace(
            item,
            search_text=search_text_of(item.summary_html, item.content_html) or "",
            story_keys=item.keys(),
        )
        for item in parsed.items
    )
    return replace(parsed, items=items)


class Parsers:
    """Parses fetched documents for the pipeline; ``close`` stops the worker processes."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self, size: int) -> Executor | None:
        if self.processes <= 0 or size < PROCESS_THRESHOLD:
            return None  # the loop's default thread pool
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    async def parse(
        self,
        body: bytes,
        url: str,
        headers: Mapping[str, str],
        max_items: int,
        tags: frozenset[str] | None,
    ) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        args = (body, url, dict(headers), max_items, tags)
        executor = self._executor(len(body))
        try:
            return await loop.run_in_executor(executor, parse_document, *args)
        except BrokenProcessPool:
            # a worker died (killed, out of memory): this document parses here, the next pool
            # is started afresh
            self._pool = None
            return await loop.run_in_executor(None, parse_document, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
