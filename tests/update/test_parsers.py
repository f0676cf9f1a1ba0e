"""Parsing in worker processes gives what parsing in a thread gives, errors included."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tidings.errors import NotAFeedError
from tidings.types import Enclosure, ParsedFeed, ParsedItem
from tidings.update.parsers import PROCESS_THRESHOLD, Parsers, parse_document

# slow together (about 5 s here): pools of parser processes started and killed
pytestmark = pytest.mark.slow


def big_feed(items: int = 200) -> bytes:
    entries = "".join(
        f"<item><title>Story {n}</title><link>/s/{n}</link><guid>g{n}</guid>"
        f"<description>&lt;p onclick='x()'&gt;Text &lt;a href='/a/{n}'&gt;{n}&lt;/a&gt;&lt;/p&gt;"
        "</description></item>"
        for n in range(items)
    )
    body = f'<rss version="2.0"><channel><title>Big</title><link>/</link>{entries}</channel></rss>'
    assert len(body) > PROCESS_THRESHOLD
    return body.encode()


@pytest.fixture
def parsers() -> Iterator[Parsers]:
    p = Parsers(1)
    yield p
    p.close()


async def test_a_process_parses_as_a_thread_does(parsers: Parsers) -> None:
    body = big_feed()
    got = await parsers.parse(body, "https://news.example/feed", {}, 5000, None)
    assert parsers._pool is not None  # it did go to a process
    assert got == parse_document(body, "https://news.example/feed", {}, 5000, None)
    assert got.items[0].search_text == "Text 0"  # worked out there too, off the store's thread
    assert got.items[0].link == "https://news.example/s/0"
    assert "onclick" not in (got.items[0].summary_html or "")


async def test_restricted_tags_apply_in_the_process(parsers: Parsers) -> None:
    got = await parsers.parse(big_feed(), "https://news.example/", {}, 3, frozenset({"p"}))
    assert len(got.items) == 3
    assert got.items[0].summary_html == "<p>Text 0</p>"


async def test_small_documents_stay_in_this_process(parsers: Parsers) -> None:
    body = b'<rss version="2.0"><channel><title>Small</title></channel></rss>'
    assert (await parsers.parse(body, "https://e.org/", {}, 10, None)).title == "Small"
    assert parsers._pool is None


async def test_errors_cross_back_with_their_kind(parsers: Parsers) -> None:
    page = b"<!doctype html><html><body>" + b"<p>not a feed</p>" * 2000 + b"</body></html>"
    with pytest.raises(NotAFeedError) as caught:
        await parsers.parse(page, "https://e.org/", {"content-type": "text/html"}, 10, None)
    assert caught.value.kind == "not_a_feed" and caught.value.permanent


async def test_a_killed_worker_costs_one_document_nothing(parsers: Parsers) -> None:
    await parsers.parse(big_feed(), "https://e.org/", {}, 10, None)
    assert parsers._pool is not None
    for pid in list(parsers._pool._processes):
        os.kill(pid, signal.SIGKILL)
    again = await parsers.parse(big_feed(), "https://e.org/", {}, 10, None)
    assert len(again.items) == 10
    third = await parsers.parse(big_feed(), "https://e.org/", {}, 10, None)  # a fresh pool
    assert third == again


async def test_no_processes_means_threads_only() -> None:
    parsers = Parsers(0)
    got = await parsers.parse(big_feed(), "https://e.org/", {}, 10, None)
    assert len(got.items) == 10 and parsers._pool is None
    parsers.close()


def test_the_parser_is_loaded_only_for_the_first_document() -> None:
    """An update whose feeds all answer 304 never pays for importing lxml, nh3 or feedparser;
    and feedparser is loaded only for a document the fast path declines."""
    heavy = "('lxml', 'nh3', 'feedparser', 'tidings.parse')"
    code = f"import sys, tidings.update.pipeline; print([m for m in {heavy} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    rss = "<rss version='2.0'><channel><title>T</title></channel></rss>"
    code = (
        "import sys; from tidings.parse import parse_feed; "
        f'parse_feed(b"{rss}", url="https://e.org/"); '
        "print('feedparser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_parsed_feed_crosses_the_process_boundary_whole() -> None:
    item = ParsedItem(
        guid="g",
        title="T",
        enclosures=(Enclosure("https://e.org/a.mp3", "audio/mpeg", 12),),
        categories=("a", "b"),
        search_text="text",
    )
    feed = ParsedFeed("rss20", title="F", skip_hours=frozenset({1, 2}), items=(item,))
    again = pickle.loads(pickle.dumps(feed, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == feed and type(again.items[0].enclosures[0]) is Enclosure
