"""The pipeline on fakes of the layer below (``tidings.ports``): a fetcher that answers from a
table, a parser that returns what it is told, and a store in a dict. What is tested is the
pipeline's own work: the order of fetch, parse, decide and apply, failures as results, one
fetch per feed at a time, and the one subscribe path."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime

import pytest

from tidings.errors import DuplicateError, FetchTimeoutError, HTTPStatusError, NotAFeedError
from tidings.ports import FeedParser, Fetcher, UpdateStore
from tidings.types import Feed, FeedState, FetchResult, ParsedFeed, ParsedItem, UpdatePlan
from tidings.update.pipeline import Pipeline
from tidings.update.schedule import Policy

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FEED = ParsedFeed("rss20", title="A feed", items=(ParsedItem(guid="1", title="One"),))


def ok(url: str, *, redirects: tuple[tuple[int, str], ...] = ()) -> FetchResult:
    return FetchResult(url, url, 200, {}, b"<rss/>", 0.01, redirects)


class FakeFetcher:
    """Answers from ``answers`` (a result, or an error to raise); counts the requests."""

    def __init__(self, answers: Mapping[str, FetchResult | Exception]) -> None:
        self.answers = dict(answers)
        self.asked: list[str] = []
        self.gate: asyncio.Event | None = None  # when set, fetches wait for it

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        user_agent: str | None = None,
    ) -> FetchResult:
        self.asked.append(url)
        if self.gate is not None:
            await self.gate.wait()
        answer = self.answers[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeParser:
    """Every document is ``FEED``, except those of ``not_feeds``."""

    def __init__(self, not_feeds: Collection[str] = ()) -> None:
        self.not_feeds = set(not_feeds)
        self.closed = False

    async def parse(
        self,
        body: bytes,
        url: str,
        headers: Mapping[str, str],
        max_items: int,
        tags: frozenset[str] | None,
    ) -> ParsedFeed:
        if url in self.not_feeds:
            raise NotAFeedError(f"{url} is a web page")
        return FEED

    def close(self) -> None:
        self.closed = True


class FakeStore:
    """The store as an update sees it, in a dict: the plans it was asked to apply, in order."""

    def __init__(self) -> None:
        self.urls: dict[int, str] = {}
        self.applied: list[UpdatePlan] = []

    def feed_state(self, feed_id: int, *, with_items: bool = True) -> FeedState:
        return FeedState(feed_id=feed_id, url=self.urls[feed_id])

    def update_states(
        self,
        feed_ids: Iterable[int],
        *,
        with_items: bool = True,
        dates_since: datetime | None = None,
    ) -> dict[int, FeedState]:
        return {fid: self.feed_state(fid) for fid in feed_ids if fid in self.urls}

    def apply(self, plan: UpdatePlan) -> bool:
        self.applied.append(plan)
        return True

    def apply_many(self, plans: Sequence[UpdatePlan]) -> list[bool]:
        return [self.apply(plan) for plan in plans]

    def add_feed(
        self,
        url: str,
        *,
        now: datetime,
        title: str | None = None,
        categories_: Sequence[str] = (),
        refresh_seconds: int | None = None,
        next_check: datetime | None = None,
        user_agent: str | None = None,
        on_site: bool = True,
    ) -> int:
        feed_id = len(self.urls) + 1
        self.urls[feed_id] = url
        return feed_id

    def find_feed(self, url: str) -> Feed | None:
        for feed_id, known in self.urls.items():
            if known == url:
                return Feed(
                    feed_id, url, None, None, None, None, NOW, *(None,) * 3, 0, *(None,) * 4
                )
        return None

    def due_feeds(self, now: datetime, limit: int = 10_000) -> list[tuple[int, str]]:
        return list(self.urls.items())[:limit]

    def next_due(self, exclude: Collection[int] = ()) -> datetime | None:
        return None


def pipeline(store: FakeStore, fetcher: FakeFetcher, parser: FakeParser) -> Pipeline:
    return Pipeline(store, fetcher, Policy(), clock=lambda: NOW, parsers=parser)


async def test_an_update_fetches_parses_decides_and_applies_once() -> None:
    store, fetcher, parser = (
        FakeStore(),
        FakeFetcher({"http://a.test/f": ok("http://a.test/f")}),
        FakeParser(),
    )
    store.urls[1] = "http://a.test/f"
    pipe = pipeline(store, fetcher, parser)
    try:
        result = await pipe.update_one(1)
    finally:
        pipe.close()
    assert (result.ok, result.new, fetcher.asked) == (True, 1, ["http://a.test/f"])
    [plan] = store.applied
    assert [w.item.title for w in plan.new] == ["One"] and plan.checked_at == NOW
    assert parser.closed  # close reaches the parser's worker processes


@pytest.mark.parametrize(
    ("error", "kind", "permanent"),
    [
        (FetchTimeoutError("too slow"), "timeout", False),
        (HTTPStatusError("HTTP 410 Gone", status=410), "http", True),
    ],
)
async def test_a_failure_is_that_feeds_result_and_is_stored(
    error: Exception, kind: str, permanent: bool
) -> None:
    store, parser = FakeStore(), FakeParser()
    store.urls[1] = "http://a.test/f"
    pipe = pipeline(store, FakeFetcher({"http://a.test/f": error}), parser)
    try:
        result = await pipe.update_one(1)
    finally:
        pipe.close()
    assert (result.ok, result.error_kind, result.permanent) == (False, kind, permanent)
    [plan] = store.applied  # the failure is written: the feed backs off instead of staying due
    assert plan.error and plan.next_check > NOW


async def test_a_feed_already_updating_is_awaited_not_fetched_again() -> None:
    store, parser = FakeStore(), FakeParser()
    store.urls[1] = "http://a.test/f"
    fetcher = FakeFetcher({"http://a.test/f": ok("http://a.test/f")})
    fetcher.gate = asyncio.Event()
    pipe = pipeline(store, fetcher, parser)
    try:
        both = asyncio.gather(pipe.update_one(1), pipe.update_one(1))
        await asyncio.sleep(0.01)
        fetcher.gate.set()
        first, second = await both
    finally:
        pipe.close()
    assert first == second and fetcher.asked == ["http://a.test/f"] and len(store.applied) == 1


async def test_subscribe_stores_the_feed_and_its_first_update() -> None:
    store, parser = FakeStore(), FakeParser()
    fetcher = FakeFetcher({"http://a.test/f": ok("http://a.test/f")})
    pipe = pipeline(store, fetcher, parser)
    try:
        feed_id = await pipe.subscribe("HTTP://A.test/f", refresh_seconds=600)
    finally:
        pipe.close()
    assert store.urls == {feed_id: "http://a.test/f"}  # the canonical spelling
    [plan] = store.applied
    assert plan.feed_id == feed_id and len(plan.new) == 1


PAGE = FetchResult(
    "http://new.test/",
    "http://new.test/",
    200,
    {"content-type": "text/html"},
    b'<html><head><link rel="alternate" type="application/rss+xml" href="http://old.test/f">',
    0.01,
)
MOVED = ok("http://new.test/f", redirects=((301, "http://old.test/f"),))


@pytest.mark.parametrize(
    ("asked", "answers", "message"),
    [
        ("http://new.test/", {"http://new.test/": PAGE}, "found from"),
        ("http://new.test/f", {"http://new.test/f": MOVED}, "redirects permanently"),
    ],
)
async def test_subscribe_refuses_a_feed_known_under_another_url(
    asked: str, answers: dict[str, FetchResult], message: str
) -> None:
    store = FakeStore()
    store.urls[1] = "http://old.test/f"
    answers = {**answers, "http://old.test/f": ok("http://old.test/f")}
    pipe = pipeline(store, FakeFetcher(answers), FakeParser(not_feeds=["http://new.test/"]))
    try:
        with pytest.raises(DuplicateError, match=message):
            await pipe.subscribe(asked)
    finally:
        pipe.close()
    assert store.applied == [] and list(store.urls) == [1]  # nothing stored


async def test_subscribe_to_a_known_url_does_not_fetch() -> None:
    store, fetcher = FakeStore(), FakeFetcher({})
    store.urls[1] = "http://a.test/f"
    pipe = pipeline(store, fetcher, FakeParser())
    try:
        with pytest.raises(DuplicateError, match="already subscribed"):
            await pipe.subscribe("http://a.test/f")
    finally:
        pipe.close()
    assert fetcher.asked == []


class SlowParser(FakeParser):
    """Parses only when let; counts the documents fetched and not yet parsed."""

    def __init__(self, fetcher: FakeFetcher) -> None:
        super().__init__()
        self.fetcher = fetcher
        self.go = asyncio.Event()
        self.parsed = 0
        self.most_in_hand = 0

    async def parse(
        self,
        body: bytes,
        url: str,
        headers: Mapping[str, str],
        max_items: int,
        tags: frozenset[str] | None,
    ) -> ParsedFeed:
        in_hand = len(self.fetcher.asked) - self.parsed
        self.most_in_hand = max(self.most_in_hand, in_hand)
        await self.go.wait()
        self.parsed += 1
        return FEED


async def test_fetching_waits_when_parsing_falls_behind() -> None:
    urls = [f"http://h{n}.test/f" for n in range(40)]
    store, fetcher = FakeStore(), FakeFetcher({u: ok(u) for u in urls})
    parser = SlowParser(fetcher)
    for u in urls:
        store.add_feed(u, now=NOW)
    pipe = Pipeline(store, fetcher, Policy(), clock=lambda: NOW, parsers=parser, max_concurrency=8)
    running = asyncio.ensure_future(pipe.update_many(list(store.urls)))
    await asyncio.sleep(0.2)
    assert len(fetcher.asked) == 8  # bodies in hand: the cap, not every feed's
    parser.go.set()
    results = await running
    assert [r.error for r in results] == [None] * 40 and len(fetcher.asked) == 40
    assert parser.most_in_hand <= 8
    pipe.close()


def test_the_fakes_are_what_the_pipeline_is_typed_against() -> None:
    """mypy checks these annotations: a fake drifting from its protocol fails the type check."""
    store: UpdateStore = FakeStore()
    fetcher: Fetcher = FakeFetcher({})
    parser: FeedParser = FakeParser()
    pipe = Pipeline(store, fetcher, Policy(), clock=lambda: NOW, parsers=parser)
    pipe.close()
    assert pipe.store is store and pipe.parsers is parser
