"""Fixtures for the parse tests: the shared corpus, our own small documents, and a parse helper."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.shared import CORPUS, require
from tidings.parse import DEFAULT_MAX_ITEMS, _parse, parse_feed
from tidings.types import ParsedFeed

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
FEED_URL = "https://news.example.org/blog/feed.xml"

# corpus file name -> "parsed <version>" or "refused (<kind>): <message>", filled by test_corpus
CORPUS_RESULTS: dict[str, str] = {}


def corpus_dir() -> Path:
    """The shared corpus of real feeds (``tests/shared.py``: in $TIDINGS_SHARED)."""
    return CORPUS


def corpus_files() -> list[Path]:
    folder = corpus_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file())


@pytest.fixture
def corpus() -> Path:
    return require(CORPUS)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


ParseHelper = Callable[..., ParsedFeed]


@pytest.fixture(params=["auto", "feedparser"])
def parse(request: pytest.FixtureRequest) -> ParseHelper:
    """parse(document, url=FEED_URL, content_type=None, **kwargs): str documents become UTF-8.

    Every test that uses it runs twice: through ``parse_feed`` (the lxml fast path, falling back
    to feedparser) and through the feedparser path alone, which must give the same answers.
    """
    path = request.param

    def run(
        document: str | bytes,
        *,
        url: str = FEED_URL,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: object,
    ) -> ParsedFeed:
        body = document.encode("utf-8") if isinstance(document, str) else document
        all_headers = dict(headers or {})
        if content_type is not None:
            all_headers["content-type"] = content_type
        if path == "auto":
            return parse_feed(body, url=url, headers=all_headers, **kwargs)  # type: ignore[arg-type]
        max_items = kwargs.pop("max_items", DEFAULT_MAX_ITEMS)
        assert not kwargs, kwargs
        return _parse(body, url=url, headers=all_headers, max_items=max_items, path=path)  # type: ignore[arg-type]

    return run


def rss(items: str = "", channel: str = "", *, version: str = "2.0", head: str = "") -> str:
    """A small RSS 2.0 document around some channel elements and item XML."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{head}\n'
        f'<rss version="{version}" xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"<channel><title>Test feed</title><link>https://news.example.org/</link>"
        f"<description>A feed for tests</description>{channel}\n{items}\n</channel></rss>"
    )


def atom(entries: str = "", feed: str = "", *, attributes: str = "") -> str:
    """A small Atom 1.0 document."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" {attributes}>'
        "<title>Test Atom</title><id>urn:test:feed</id>"
        '<link rel="alternate" href="https://news.example.org/"/>'
        f"<updated>2024-01-01T00:00:00Z</updated>{feed}\n{entries}\n</feed>"
    )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print (and cache) what the corpus run gave: parsed by format, refused by reason."""
    if not CORPUS_RESULTS:
        return
    outcomes = Counter(
        result if result.startswith("parsed") else result.split(":")[0]
        for result in CORPUS_RESULTS.values()
    )
    parsed = sum(n for outcome, n in outcomes.items() if outcome.startswith("parsed"))
    terminalreporter.section("tidings.parse corpus")
    terminalreporter.write_line(
        f"{len(CORPUS_RESULTS)} files: {parsed} parsed, {len(CORPUS_RESULTS) - parsed} refused"
    )
    for outcome, count in sorted(outcomes.items()):
        terminalreporter.write_line(f"  {count:4d}  {outcome}")
    for name, result in sorted(CORPUS_RESULTS.items()):
        if result.startswith("refused"):
            terminalreporter.write_line(f"  {name}: {result}")
    cache = getattr(config, "cache", None)  # absent with -p no:cacheprovider
    if cache is not None:
        cache.set("tidings/parse/corpus", dict(sorted(CORPUS_RESULTS.items())))
