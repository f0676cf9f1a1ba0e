"""jsonfeed.py: JSON Feed 1.0 and 1.1, wrong types ignored, invalid JSON explained."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tidings.errors import NotAFeedError, ParseError
from tidings.types import Enclosure

from .conftest import ParseHelper, fixture_bytes

URL = "https://pod.example.org/feed.json"


def test_json_feed_1_0(parse: ParseHelper) -> None:
    feed = parse(fixture_bytes("jsonfeed-1.0.json"), url=URL, content_type="application/json")
    assert feed.version == "json10"
    assert feed.title == "Podcast ´ ’ “ č"
    assert feed.link == "https://pod.example.org/"
    assert feed.description == "A show about <things> & stuff"  # plain text, kept as text
    assert feed.image == "https://pod.example.org/icon-512.png"
    assert feed.warnings == ()
    first, second = feed.items
    assert first.guid == "42"
    assert first.link == "https://pod.example.org/episodes/42"
    assert first.title == "Episode 42: <b>not bold</b>"  # JSON Feed titles are plain text
    assert first.content_html == (
        '<p>Show notes with <a href="https://pod.example.org/links" '
        'rel="noopener noreferrer">links</a></p>'
    )
    assert first.summary_html == "<p>Short &amp; sweet</p>"
    assert first.published == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert first.updated == datetime(2024, 3, 2, 8, 30, tzinfo=UTC)
    assert first.author == "Host One"
    assert first.categories == ("audio", "tech")
    assert first.enclosures == (
        Enclosure("https://cdn.example.org/42.mp3", "audio/mpeg", 12345678),
        Enclosure("https://pod.example.org/42.m4a", "audio/x-m4a", None),
    )
    assert second.guid == "text-only"
    assert second.content_html == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>Second paragraph</p>"
    )
    assert second.published is None
    assert second.author == "Feed Author"  # items inherit the feed's author


def test_json_feed_1_1(parse: ParseHelper) -> None:
    feed = parse(fixture_bytes("jsonfeed-1.1.json"), url="https://links.example.org/feed.json")
    assert feed.version == "json11"
    assert feed.link is None  # javascript: home page dropped
    assert feed.image == "https://links.example.org/favicon.ico"
    assert feed.language == "en-GB"
    first, second = feed.items
    assert first.link == "https://elsewhere.example.com/story"  # external_url when no url
    assert first.content_html == "<p>Worth reading.</p>"
    assert first.published == datetime(2024, 5, 6, 11, 8, 9, 123000, tzinfo=UTC)
    assert first.author == "Ada, Grace"
    assert first.image == "https://links.example.org/a.jpg"
    assert second.author == "Editor"
    assert second.content_html == "<p>Plain text &amp; more</p>"
    assert second.image == "https://links.example.org/b-banner.jpg"


def test_wrong_types_are_ignored_never_crash(parse: ParseHelper) -> None:
    feed = parse(fixture_bytes("jsonfeed-wrong-types.json"), url="https://x.example/feed.json")
    assert feed.version == "json11"
    assert (feed.title, feed.link, feed.description, feed.image, feed.language) == (
        None, None, None, None, None,
    )  # fmt: skip
    assert [item.guid for item in feed.items] == ["7", None]
    odd, survivor = feed.items
    assert (odd.title, odd.link, odd.content_html, odd.summary_html) == (None, None, None, None)
    assert (odd.published, odd.updated, odd.author, odd.image) == (None, None, None, None)
    assert odd.categories == () and odd.enclosures == ()
    assert survivor.title == "Survivor"
    assert survivor.categories == ("kept",)
    assert survivor.enclosures == (Enclosure("https://x.example/ok.mp3", None, 12),)
    assert survivor.author == "Named"
    assert any("skipped 5 items" in w for w in feed.warnings)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [}', "line 1, column 59"),
        (b'{\n  "title": "x",\n  "items": [\n    {"id": 1,}\n  ]\n}', "line 4, column 14"),
        (b'{"title": "unterminated', "line 1"),
    ],
)
def test_invalid_json_names_the_position(parse: ParseHelper, body: bytes, where: str) -> None:
    with pytest.raises(ParseError, match=where) as caught:
        parse(body)
    assert str(caught.value).startswith("the document is not valid JSON")
    assert not isinstance(caught.value, NotAFeedError)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"items": [{"id": ' + b"9" * 5000 + b"}]}",
    ],
)
def test_pathological_json_is_a_parse_error(parse: ParseHelper, body: bytes) -> None:
    with pytest.raises(ParseError):
        parse(body)


@pytest.mark.parametrize(
    "body",
    [b"[1, 2, 3]", b'[{"items": []}]', b'{"name": "not a feed", "values": [1, 2]}'],
)
def test_other_json_is_not_a_feed(parse: ParseHelper, body: bytes) -> None:
    with pytest.raises(NotAFeedError, match="not a JSON Feed"):
        parse(body)


def test_missing_or_unknown_version_is_read_with_a_warning(parse: ParseHelper) -> None:
    feed = parse(json.dumps({"title": "t", "items": [{"id": "1", "title": "x"}]}))
    assert feed.version == "json11"
    assert feed.items[0].title == "x"
    assert any("no version" in w for w in feed.warnings)
    feed = parse(json.dumps({"version": "https://jsonfeed.org/version/2", "items": []}))
    assert any("unknown JSON Feed version" in w for w in feed.warnings)


def test_items_that_are_not_a_list(parse: ParseHelper) -> None:
    feed = parse(json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": {}}))
    assert feed.items == ()
    assert any("not a list" in w for w in feed.warnings)


def test_lone_surrogates_become_storable(parse: ParseHelper) -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "a\\ud800b",'
        b' "items": [{"id": "\\udfff", "title": "\\ud83d"}]}'
    )
    feed = parse(body)
    assert feed.title == "a\ufffdb"
    assert feed.items[0].guid == "\ufffd"
    for value in (feed.title, feed.items[0].guid, feed.items[0].title):
        assert value is not None
        value.encode("utf-8")


def test_content_text_is_shown_literally(parse: ParseHelper) -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [{"id": "1", "content_text": "<script>alert(1)</script>"}],
        }
    )
    assert parse(body).items[0].content_html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_max_items(parse: ParseHelper) -> None:
    items = [{"id": str(n), "title": f"t{n}"} for n in range(20)]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})
    feed = parse(body, max_items=5)
    assert [item.guid for item in feed.items] == ["0", "1", "2", "3", "4"]
    assert any("20 items" in w and "first 5" in w for w in feed.warnings)


def test_json_in_windows_1252_and_with_bom(parse: ParseHelper) -> None:
    text = '{"version": "https://jsonfeed.org/version/1", "title": "caf\u00e9 \u2019", "items": []}'
    assert parse(text.encode("cp1252")).title == "café ’"
    assert parse(b"\xef\xbb\xbf" + text.encode()).title == "café ’"
    assert parse(b"\xff\xfe" + text.encode("utf-16-le")).title == "café ’"
