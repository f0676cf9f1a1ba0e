"""The fast path and the feedparser path give the same ParsedFeed, file by file.

Over every file of the shared corpus, and over feedparser's own test documents: the lxml path
(``path="fast"``) either declines, for a reason listed below, or gives a ParsedFeed equal to the
feedparser path's in every field (item count, ids, titles, links, authors, dates, enclosures,
sanitized summaries and content, categories, images, feed metadata and warnings).

Tolerated differences: none were needed on these documents, so ``TOLERATED`` is empty and any
difference fails. It stays as data, keyed by (file, field) with the reason, so that a difference
that is accepted one day is written down next to why. Where the fast path is known to read
differently from feedparser on input absent from both sets, ``lxmlread``'s docstring says so.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests import shared
from tests.shared import missing
from tidings.errors import ParseError
from tidings.parse import _parse
from tidings.parse.lxmlfeed import Decline
from tidings.types import ParsedFeed, ParsedItem

from .conftest import corpus_dir, corpus_files

# slow together (about 6 s here): both parsers over every corpus file
pytestmark = pytest.mark.slow

FILES = corpus_files()
FEEDPARSER_TESTS = shared.FEEDPARSER_TESTS

# (file name, ParsedFeed field or "items[i].field") -> why the two paths may differ there
TOLERATED: dict[tuple[str, str], str] = {}

# corpus files the fast path hands to feedparser, and the words of its reason
EXPECTED_DECLINES: dict[str, str] = {
    "feedjira__ITunesWithSingleQuotedAttributes.xml": "not well-formed",  # undeclared prefix
    "feedjira__InvalidDateFormat.xml": "not well-formed",  # truncated
    "feedjira__PaulDixExplainsNothingWFW.xml": "not well-formed",  # undeclared prefix
    "feedjira__itunes.xml": "not well-formed",  # undeclared prefix
    "feedrs__atom_entry_1.xml": "root element",  # a lone Atom entry
    "feedrs__rss_2.0_dbengines.xml": "not well-formed",  # &nbsp; without a DTD
    "feedrs__rss_2.0_invalid_1.xml": "not well-formed",  # truncated
    "nodefeedparser__illegally-nested.xml": "inside an item",  # an item in an item
    "nodefeedparser__saxerror.xml": "not well-formed",  # a bare "&"
    "rome__issue137-rss.xml": "not well-formed",  # libxml2 refuses "http://www .w3.org/..."
    "rome__test3.xml": "not well-formed",  # libxml2 refuses a namespace URI ending in a space
    "rssparserkt__feed-test-image-link.xml": "image element",  # <image> with a link in an item
    "rssparserkt__feed-test-time.xml": "holds elements",  # <pubDate><time>...</time></pubDate>
}


def differences(fast: ParsedFeed, slow: ParsedFeed) -> list[str]:
    """The fields where two results differ, as "field" or "items[i].field"."""
    found = [
        field.name
        for field in dataclasses.fields(ParsedFeed)
        if field.name != "items" and getattr(fast, field.name) != getattr(slow, field.name)
    ]
    if len(fast.items) != len(slow.items):
        return [*found, "items"]
    for index, (mine, theirs) in enumerate(zip(fast.items, slow.items, strict=True)):
        found += [
            f"items[{index}].{field.name}"
            for field in dataclasses.fields(mine)
            if getattr(mine, field.name) != getattr(theirs, field.name)
        ]
    return found


def _compare(name: str, body: bytes, url: str) -> str | None:
    """None when the paths agree (or the fast one declines as expected); else what differs."""
    slow: ParsedFeed | str
    try:
        slow = _parse(body, url=url, headers={}, max_items=5000, path="feedparser")
    except ParseError as exc:
        slow = f"refused: {exc}"
    try:
        fast: ParsedFeed | str = _parse(body, url=url, headers={}, max_items=5000, path="fast")
    except Decline as exc:
        return f"declined: {exc}"
    except ParseError as exc:
        fast = f"refused: {exc}"
    if isinstance(fast, str) or isinstance(slow, str):
        return None if fast == slow else f"fast {fast!r:.200} / feedparser {slow!r:.200}"
    untolerated = [field for field in differences(fast, slow) if (name, field) not in TOLERATED]
    if untolerated:
        return "differ in " + ", ".join(untolerated[:10])
    return None


@pytest.mark.skipif(not FILES, reason=missing(corpus_dir()))
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_fast_path_agrees_on_corpus_file(path: Path) -> None:
    outcome = _compare(path.name, path.read_bytes(), f"https://corpus.example.org/{path.name}")
    if outcome is not None and outcome.startswith("declined") and path.name in EXPECTED_DECLINES:
        assert EXPECTED_DECLINES[path.name] in outcome
        return
    assert outcome is None, outcome


def _feedparser_test_folders() -> list[Path]:
    if not FEEDPARSER_TESTS.is_dir():
        return []
    return sorted({p.parent for p in FEEDPARSER_TESTS.rglob("*.xml")})


FOLDERS = _feedparser_test_folders()


@pytest.mark.skipif(not FOLDERS, reason=f"feedparser's tests are not at {FEEDPARSER_TESTS}")
@pytest.mark.parametrize(
    "folder", FOLDERS, ids=[str(f.relative_to(FEEDPARSER_TESTS)) for f in FOLDERS]
)
def test_fast_path_agrees_on_feedparser_test_documents(folder: Path) -> None:
    """Declines are allowed here (many documents are broken on purpose); differences are not."""
    problems = {}
    for path in sorted(folder.glob("*.xml")):
        url = "http://127.0.0.1:8097/tests/" + path.relative_to(FEEDPARSER_TESTS).as_posix()
        outcome = _compare(path.name, path.read_bytes(), url)
        if outcome is not None and not outcome.startswith("declined"):
            problems[path.name] = outcome
    assert not problems, problems


def test_differences_names_each_differing_field() -> None:
    item = ParsedItem(guid="a", title="t")
    feed = ParsedFeed(version="rss20", title="x", items=(item,))
    other = dataclasses.replace(
        feed, title="y", items=(dataclasses.replace(item, title="u"), ParsedItem(guid="b"))
    )
    assert differences(feed, feed) == []
    assert differences(feed, other) == ["title", "items"]
    assert differences(feed, dataclasses.replace(other, items=other.items[:1])) == [
        "title",
        "items[0].title",
    ]
