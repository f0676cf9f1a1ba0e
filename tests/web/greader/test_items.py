"""The item JSON: every field some app reads, times as the protocol spells them, state in
categories spelled exactly, and the stream around a page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tidings.types import Enclosure, Entry, Item
from tidings.web.greader.items import item_json, stream_json, usec

SEEN = datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC)


def entry(**changes: object) -> Entry:
    item = Item(
        id=2**31 + 5,
        feed_id=7,
        feed_title="Feed's own title",
        guid="g",
        title="Fish & <chips>",
        link="https://e.org/1",
        author="Ann",
        published=SEEN - timedelta(days=2),
        updated=SEEN - timedelta(days=1),
        first_seen=SEEN,
        sort_date=SEEN - timedelta(days=2),
        summary_html="<p>short</p>",
        content_html="<p>the <b>whole</b> story</p>",
        enclosures=(
            Enclosure("https://e.org/a.mp3", "audio/mpeg", 1234),
            Enclosure("https://e.org/b"),
        ),
    )
    base = {
        "item": item,
        "subscription_id": 1,
        "title": "My name for it",
        "folder": "World",
        "read": False,
        "starred": False,
        "read_at": None,
        "starred_at": None,
    }
    base.update(changes)
    return Entry(**base)  # type: ignore[arg-type]


def test_every_field_an_app_reads() -> None:
    found = item_json(entry(), {7: "https://e.org/"})
    assert found["id"] == "tag:google.com,2005:reader/item/0000000080000005"
    assert found["crawlTimeMsec"] == "1795867200123"
    assert found["timestampUsec"] == "1795867200123456"
    assert found["published"] == 1795867200 - 2 * 86400
    assert found["updated"] == 1795867200 - 86400
    assert isinstance(found["published"], int) and isinstance(found["updated"], int)
    assert found["title"] == "Fish & <chips>"  # plain text, no entities, no look-alikes
    assert found["author"] == "Ann"
    assert found["canonical"] == [{"href": "https://e.org/1"}]
    assert found["alternate"] == [{"href": "https://e.org/1", "type": "text/html"}]
    assert found["summary"]["content"] == "<p>the <b>whole</b> story</p>"  # the full content
    assert found["content"]["content"] == found["summary"]["content"]
    assert found["origin"] == {
        "streamId": "feed/7",
        "title": "My name for it",
        "htmlUrl": "https://e.org/",
    }
    assert found["enclosure"] == [
        {"href": "https://e.org/a.mp3", "type": "audio/mpeg", "length": "1234"},
        {"href": "https://e.org/b", "type": "application/octet-stream"},
    ]
    assert found["categories"] == [
        "user/-/state/com.google/reading-list",
        "user/-/label/World",
    ]


def test_state_is_in_the_categories_exactly_as_newsboat_compares_it() -> None:
    found = item_json(entry(read=True, starred=True, folder=None), {})
    assert found["categories"] == [
        "user/-/state/com.google/reading-list",
        "user/-/state/com.google/read",
        "user/-/state/com.google/starred",
    ]


def test_an_item_without_link_or_content_still_has_every_field() -> None:
    bare = entry()
    item = replace(
        bare.item,
        link=None,
        content_html=None,
        summary_html=None,
        title=None,
        author=None,
        updated=None,
        enclosures=(),
    )
    found = item_json(entry(item=item), {7: "https://e.org/"})
    assert found["canonical"] == [{"href": "https://e.org/"}]  # Fluent Reader reads [0]
    assert found["summary"]["content"] == "" and found["title"] == "" and found["author"] == ""
    assert found["enclosure"] == [] and found["updated"] == found["published"]


def test_the_stream_around_a_page() -> None:
    found = stream_json(
        "user/-/label/World",
        "World",
        [entry()],
        {},
        now=SEEN,
        author="ada",
        self_url="http://x/",
        continuation=41,
    )
    assert found["id"] == "user/-/label/World" and found["continuation"] == "41"
    assert found["updated"] == 1795867200 and found["updatedUsec"] == str(usec(SEEN))
    assert found["self"] == [{"href": "http://x/"}] and len(found["items"]) == 1
    assert "continuation" not in stream_json(
        "x", "x", [], {}, now=SEEN, author="ada", self_url="http://x/"
    )
