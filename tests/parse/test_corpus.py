"""Every file of the shared corpus: a ParsedFeed that keeps our promises, or a readable ParseError.

The counts (parsed by format, refused by reason) are printed in pytest's terminal summary and
kept in its cache under ``tidings/parse/corpus``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared import missing
from tidings.errors import ParseError
from tidings.parse import parse_feed, sanitize_html
from tidings.types import ParsedFeed

from .conftest import CORPUS_RESULTS, corpus_dir, corpus_files

FILES = corpus_files()
WEB = ("http://", "https://")


def _check_feed(feed: ParsedFeed, url: str) -> None:
    assert feed.version and feed.version != "unknown"
    for link in (feed.link, feed.image):
        assert link is None or link.startswith(WEB), link
    for text in (feed.title, feed.description, feed.language):
        assert text is None or (text == text.strip() and text), repr(text)
    for item in feed.items:
        for link in (item.link, item.image, *(e.url for e in item.enclosures)):
            assert link is None or link.startswith(WEB), link
        for moment in (item.published, item.updated):
            assert moment is None or moment.utcoffset() is not None
        for text in (item.title, item.author, *item.categories):
            assert text is None or (text == " ".join(text.split()) and text), repr(text)
            if text is not None:
                text.encode("utf-8")
        for markup in (item.summary_html, item.content_html):
            if markup is not None:
                assert markup
                assert sanitize_html(markup, url) == markup, "sanitizer output is not stable"
                assert "<script" not in markup.lower()
    assert all(warning and warning == warning.strip() for warning in feed.warnings)


@pytest.mark.skipif(not FILES, reason=missing(corpus_dir()))
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file(path: Path) -> None:
    url = f"https://corpus.example.org/feeds/{path.name}"
    try:
        feed = parse_feed(path.read_bytes(), url=url, headers={})
    except ParseError as exc:
        message = str(exc)
        assert message and message[0].islower() and "Traceback" not in message
        CORPUS_RESULTS[path.name] = f"refused ({exc.kind}): {message}"
        return
    _check_feed(feed, url)
    CORPUS_RESULTS[path.name] = f"parsed {feed.version}"
