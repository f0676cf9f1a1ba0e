"""RSS, Atom and JSON Feed out, read back by feedparser and by our own parser, item by item."""

from __future__ import annotations

import calendar
import json
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from tidings.parse import parse_feed
from tidings.publish.feeds import (
    EPOCH,
    FORMATS,
    Channel,
    Source,
    entry_id,
    write_atom,
    write_json_feed,
    write_rss,
)
from tidings.types import Enclosure, Item

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
CHANNEL = Channel(
    title="Tidings & co",
    home_url="https://news.example/",
    self_url="https://news.example/feed?x=1&y=2",
    description="Everything <new>",
    author="Tidings & co",
)
SOURCES = {
    1: Source(
        1,
        "NATO News",
        "https://nato.example/rss",
        "https://nato.example/",
        "https://news.example/sources/1",
    ),
    2: Source(
        2, "Plain <Blog>", "https://blog.example/atom", None, "https://news.example/sources/2"
    ),
}


def item(n: int, **kw: object) -> Item:
    values: dict[str, object] = {
        "id": n,
        "feed_id": 1,
        "feed_title": "NATO News",
        "guid": f"https://nato.example/items/{n}",
        "title": f"Item {n}",
        "link": f"https://nato.example/{n}",
        "author": None,
        "published": NOW - timedelta(hours=n),
        "updated": None,
        "first_seen": NOW,
        "sort_date": NOW - timedelta(hours=n),
        "summary_html": f"<p>Summary <strong>{n}</strong></p>",
        "content_html": None,
    }
    values.update(kw)
    return Item(**values)  # type: ignore[arg-type]


ITEMS = [
    item(
        1,
        author="Ada",
        content_html="<p>Full <em>content</em> 1</p>",
        categories=("Defence", "Europe"),
        enclosures=(Enclosure("https://nato.example/a.mp3", "audio/mpeg", 1234),),
        updated=NOW,
    ),
    item(2, feed_id=2, feed_title="Plain <Blog>", guid="42", link="https://blog.example/2"),
    item(3, guid=None, link=None, title=None),
]


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])  # feedparser 6 has no JSON Feed
def test_read_back_by_feedparser_item_by_item(name: str) -> None:
    body = FORMATS[name].write(CHANNEL, ITEMS, SOURCES)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Tidings & co"
    assert len(parsed.entries) == len(ITEMS)
    for entry, it in zip(parsed.entries, ITEMS, strict=True):
        source = SOURCES[it.feed_id]
        assert entry.get("title", "") == (it.title or "")
        if it.link:  # without one, feedparser offers the id as the link
            assert entry.link == it.link
        assert entry.id == entry_id(it, source)
        published = datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)
        assert published == it.sort_date
        assert entry.source.title == source.title
        assert entry.source.get("href", entry.source.get("link")) in (
            source.feed_url,
            source.site_url,
        )
    first = parsed.entries[0]
    assert "Full <em>content</em> 1" in first.content[0].value
    assert [t.term for t in first.tags] == ["Defence", "Europe"]
    assert first.enclosures[0].href == "https://nato.example/a.mp3"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_read_back_by_our_own_parser(name: str) -> None:
    body = FORMATS[name].write(CHANNEL, ITEMS, SOURCES)
    parsed = parse_feed(body, url=CHANNEL.self_url)
    assert parsed.title == "Tidings & co"
    assert parsed.link == CHANNEL.home_url
    assert len(parsed.items) == len(ITEMS)
    for got, it in zip(parsed.items, ITEMS, strict=True):
        assert got.guid == entry_id(it, SOURCES[it.feed_id])
        assert got.title == it.title
        assert got.link == it.link
        assert got.published == it.sort_date
    first = parsed.items[0]
    # JSON Feed lists the source among the authors, and our parser joins them
    assert first.author == ("Ada, NATO News" if name == "feed.json" else "Ada")
    assert first.content_html and "<em>content</em>" in first.content_html
    # JSON Feed's summary is plain text; the XML formats carry it as HTML
    bold = "Summary 1" if name == "feed.json" else "<strong>1</strong>"
    assert first.summary_html and bold in first.summary_html
    assert first.categories == ("Defence", "Europe")
    assert first.enclosures == (Enclosure("https://nato.example/a.mp3", "audio/mpeg", 1234),)


def test_rss_names_each_source() -> None:
    root = ET.fromstring(write_rss(CHANNEL, ITEMS, SOURCES))
    sources = [(s.get("url"), s.text) for s in root.iter("source")]
    assert sources == [
        ("https://nato.example/rss", "NATO News"),
        ("https://blog.example/atom", "Plain <Blog>"),
        ("https://nato.example/rss", "NATO News"),
    ]
    self_link = root.find("channel/{http://www.w3.org/2005/Atom}link")
    assert self_link is not None and self_link.get("href") == CHANNEL.self_url
    guids = [(g.text, g.get("isPermaLink")) for g in root.iter("guid")]
    assert guids[0] == ("https://nato.example/items/1", "false")


def test_atom_source_has_title_link_and_id() -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(write_atom(CHANNEL, ITEMS, SOURCES))
    sources = root.findall("a:entry/a:source", ns)
    assert [s.findtext("a:title", namespaces=ns) for s in sources] == [
        "NATO News",
        "Plain <Blog>",
        "NATO News",
    ]
    assert sources[0].findtext("a:id", namespaces=ns) == "https://nato.example/rss"
    links = {(x.get("rel"), x.get("href")) for x in sources[0].findall("a:link", ns)}
    assert links == {("self", "https://nato.example/rss"), ("alternate", "https://nato.example/")}
    assert root.findtext("a:updated", namespaces=ns) == "2026-11-28T11:00:00Z"  # newest item
    first = root.find("a:entry", ns)
    assert (
        first is not None and first.findtext("a:updated", namespaces=ns) == "2026-11-28T12:00:00Z"
    )


def test_json_feed_authors_and_extension() -> None:
    doc = json.loads(write_json_feed(CHANNEL, ITEMS, SOURCES))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == CHANNEL.self_url and doc["home_page_url"] == CHANNEL.home_url
    first, second, third = doc["items"]
    assert first["authors"] == [
        {"name": "Ada"},
        {"name": "NATO News", "url": "https://nato.example/"},
    ]
    assert first["_tidings"]["source"] == {
        "id": 1,
        "title": "NATO News",
        "feed_url": "https://nato.example/rss",
        "home_page_url": "https://nato.example/",
        "url": "https://news.example/sources/1",
    }
    assert first["summary"] == "Summary 1"  # plain text, since there is separate content
    assert first["content_html"] == "<p>Full <em>content</em> 1</p>"
    assert first["attachments"] == [
        {"url": "https://nato.example/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 1234}
    ]
    assert second["authors"] == [{"name": "Plain <Blog>"}]
    assert "summary" not in second and second["content_html"] == "<p>Summary <strong>2</strong></p>"
    assert third["date_published"] == "2026-11-28T09:00:00Z" and "title" not in third
    bare = item(9, summary_html=None)
    (only,) = json.loads(write_json_feed(CHANNEL, [bare], SOURCES))["items"]
    assert only["content_text"] == "" and "content_html" not in only


def test_entry_ids() -> None:
    source = SOURCES[1]
    assert entry_id(item(1), source) == "https://nato.example/items/1"
    assert entry_id(item(1, guid="urn:uuid:1234"), source) == "urn:uuid:1234"
    scoped = entry_id(item(1, guid="42"), source)
    assert scoped == uuid.uuid5(uuid.NAMESPACE_URL, "https://nato.example/rss#guid:42").urn
    assert scoped != entry_id(item(1, guid="42"), SOURCES[2])  # "42" in two feeds: two ids
    assert entry_id(item(1, guid=None), source) == "https://nato.example/1"
    no_link = entry_id(item(7, guid=None, link=None), source)
    assert no_link.startswith("urn:uuid:") and no_link == entry_id(
        item(7, guid=None, link=None, title="changed"), source
    )


HOSTILE = (
    "a\x00b\x01c\x08\x0b\x0c\x1f\x7f ]]> <script>alert(1)</script>"
    " & \"q\" 'a' \ud800\ufffe\uffff end"
)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_hostile_characters_give_valid_documents(name: str) -> None:
    hostile = item(
        1,
        title=HOSTILE,
        author=HOSTILE,
        guid=HOSTILE,
        summary_html=f"<p>{HOSTILE}</p>",
        categories=(HOSTILE,),
        link="javascript:alert(1)",
        enclosures=(Enclosure("data:text/html,x", "text/html", 1),),
    )
    sources = {1: Source(1, HOSTILE, "https://nato.example/rss?a=1&b=]]>", None, "")}
    channel = Channel(title=HOSTILE, home_url=CHANNEL.home_url, self_url=CHANNEL.self_url)
    body = FORMATS[name].write(channel, [hostile], sources)
    body.decode("utf-8")  # encodable: no lone surrogates left
    assert b"javascript:" not in body and b"data:text" not in body
    if name == "feed.json":
        doc = json.loads(body)
        title = doc["items"][0]["title"]
    else:
        root = ET.fromstring(body)  # strict XML: raises on anything ill-formed
        title = next(
            e.text for e in root.iter() if e.tag.endswith("title") and e.text and "ab" in e.text
        )
        assert b"<script>" not in body
    assert title == "abc ]]> <script>alert(1)</script> & \"q\" 'a'  end"
    if name != "feed.json":
        parsed = feedparser.parse(body)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.entries[0].title == title
    # our parser collapses runs of white space in text fields
    assert parse_feed(body, url=CHANNEL.self_url).items[0].title == " ".join(title.split())


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_empty_feed_is_valid_and_output_is_deterministic(name: str) -> None:
    write = FORMATS[name].write
    body = write(CHANNEL, [], SOURCES)
    parsed = parse_feed(body, url=CHANNEL.self_url)
    assert parsed.items == () and parsed.title == CHANNEL.title
    assert write(CHANNEL, ITEMS, SOURCES) == write(CHANNEL, ITEMS, SOURCES)


def test_empty_atom_uses_the_channel_date() -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(write_atom(CHANNEL, [], {}))
    assert root.findtext("a:updated", namespaces=ns) == EPOCH.isoformat().replace("+00:00", "Z")
    dated = Channel("t", "https://e/", "https://e/f", updated=NOW)
    root = ET.fromstring(write_atom(dated, [], {}))
    assert root.findtext("a:updated", namespaces=ns) == "2026-11-28T12:00:00Z"


def test_unknown_source_falls_back_to_the_item_feed_title() -> None:
    orphan = item(5, feed_id=99, feed_title="Gone feed")
    doc = json.loads(write_json_feed(CHANNEL, [orphan], {}))
    assert doc["items"][0]["_tidings"]["source"] == {"id": 99, "title": "Gone feed"}
    atom = feedparser.parse(write_atom(CHANNEL, [orphan], {}))
    assert atom.entries[0].source.title == "Gone feed"
