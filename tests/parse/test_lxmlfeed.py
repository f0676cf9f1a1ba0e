"""lxmlfeed.py: the lxml path reads RSS, RDF and Atom as the feedparser path does, or declines.

Each case parses through the fast path alone (it must not decline) and through the feedparser
path, and checks both that the two agree and what the fast path found.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import nh3
import pytest
from feedparser.html import _cp1252
from feedparser.urls import _urljoin

from tidings.parse import _parse, parse_feed
from tidings.parse.lxmlfeed import Decline, has_bases, read_records
from tidings.parse.lxmlnodes import finish, join_uri, resolve
from tidings.parse.sanitize import _CLEANER, plain_text_as_html
from tidings.parse.urls import WEB_SCHEMES, absolute_url
from tidings.types import Enclosure, ParsedFeed

from .conftest import FEED_URL, atom, fixture_bytes, rss


def both(document: str | bytes, url: str = FEED_URL, **headers: str) -> ParsedFeed:
    """The fast path's result, after checking that the feedparser path gives the same."""
    body = document.encode("utf-8") if isinstance(document, str) else document
    fast = _parse(body, url=url, headers=headers, max_items=5000, path="fast")
    slow = _parse(body, url=url, headers=headers, max_items=5000, path="feedparser")
    assert fast == slow
    return fast


def declines(document: str | bytes) -> str:
    body = document.encode("utf-8") if isinstance(document, str) else document
    with pytest.raises(Decline) as caught:
        _parse(body, url=FEED_URL, headers={}, max_items=5000, path="fast")
    return str(caught.value)


@pytest.mark.parametrize(
    ("fixture", "version", "items"),
    [
        ("rss090.xml", "rss090", 2),
        ("rss091.xml", "rss091u", 1),
        ("rss092.xml", "rss092", 1),
        ("rss10.xml", "rss10", 1),
        ("rss20-full.xml", "rss20", 3),
        ("atom03.xml", "atom03", 1),
        ("atom10-full.xml", "atom10", 3),
    ],
)
def test_each_format_reads_like_feedparser(fixture: str, version: str, items: int) -> None:
    url = "https://atom.example.com/blog/feed.atom" if "atom10" in fixture else FEED_URL
    feed = both(fixture_bytes(fixture), url=url)
    assert (feed.version, len(feed.items)) == (version, items)
    assert all(item.title or item.guid or item.link or item.summary_html for item in feed.items)


def test_rdf_version_from_a_declaration_below_the_root() -> None:
    feed = both(
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<channel xmlns="http://purl.org/rss/1.0/"><title>T</title><link>http://a.example/</link>'
        '</channel><item xmlns="http://purl.org/rss/1.0/"><title>I</title>'
        "<link>http://a.example/1</link></item></rdf:RDF>"
    )
    assert (feed.version, feed.title, feed.items[0].link) == ("rss10", "T", "http://a.example/1")
    assert "root element" in declines(
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        "<channel><title>T</title></channel></rdf:RDF>"
    )


def test_rss20_namespaces() -> None:
    feed = both(
        rss(
            "<item><title>One</title><link>posts/1</link><guid>one</guid>"
            "<dc:creator>Ada</dc:creator><dc:date>2024-03-01T10:00:00+02:00</dc:date>"
            "<description>short</description>"
            "<content:encoded><![CDATA[<p>long <b>text</b></p>]]></content:encoded>"
            '<media:content url="v.mp4" type="video/mp4" fileSize="12"/>'
            '<media:thumbnail url="t.jpg"/>'
            '<atom:link rel="alternate" href="https://elsewhere.example/1" />'
            '<itunes:image href="cover.jpg"/></item>',
            head="",
        ).replace("xmlns:dc=", 'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc=')
    )
    (item,) = feed.items
    assert item.guid == "one"
    assert item.link == "https://elsewhere.example/1"  # atom:link rel=alternate wins
    assert item.author == "Ada"
    assert item.updated == datetime(2024, 3, 1, 8, tzinfo=UTC)
    assert item.summary_html == "short"
    assert item.content_html == "<p>long <b>text</b></p>"
    assert item.enclosures == (Enclosure("https://news.example.org/blog/v.mp4", "video/mp4", 12),)
    assert item.image == "https://news.example.org/blog/t.jpg"


def test_rss_channel_hints_and_image() -> None:
    feed = both(
        rss(
            "<item><title>x</title></item>",
            channel="<ttl>45</ttl><language>de-AT</language>"
            "<image><url>/img/logo.png</url><title>Logo</title><link>/</link></image>"
            "<skipHours><hour>3</hour><hour>24</hour></skipHours>"
            "<skipDays><day>monday</day></skipDays>",
        )
    )
    assert (feed.ttl_minutes, feed.language) == (45, "de-AT")
    assert feed.image == "https://news.example.org/img/logo.png"
    assert feed.skip_hours == frozenset({0, 3})
    assert feed.skip_days == frozenset({"Monday"})


def test_xml_base_per_element() -> None:
    feed = both(
        atom(
            '<entry xml:base="https://other.example/a/"><title>t</title><id>urn:x:1</id>'
            '<link href="page.html"/>'
            '<content type="html" xml:base="deeper/">&lt;a href="x.html"&gt;x&lt;/a&gt;</content>'
            '<link rel="enclosure" href="../m.mp3" type="audio/mpeg"/></entry>'
        )
    )
    (item,) = feed.items
    assert item.link == "https://other.example/a/page.html"
    assert item.content_html == (
        '<a href="https://other.example/a/deeper/x.html" rel="noopener noreferrer">x</a>'
    )
    assert item.enclosures == (Enclosure("https://other.example/m.mp3", "audio/mpeg", None),)


def test_atom_text_constructs() -> None:
    feed = both(
        atom(
            '<entry><id>urn:x:1</id><title type="html">a &amp;lt;b&amp;gt; &lt;i&gt;c&lt;/i&gt;'
            '</title><summary type="text">1 &lt; 2</summary>'
            '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x<br/>y</p>'
            "</div></content></entry>"
        )
    )
    (item,) = feed.items
    assert item.title == "a <b> c"
    assert item.summary_html == "<p>1 &lt; 2</p>"
    # feedparser writes <br/> back as <br></br>, which HTML reads as two line breaks; the fast
    # path writes the same so that both paths agree (a shared quirk, not a fast-path one)
    assert item.content_html == "<p>x<br><br>y</p>"


def test_second_description_is_content_and_captions_are_skipped() -> None:
    feed = both(
        rss(
            "<item><title>t</title><description>the summary</description>"
            "<media:description>a caption</media:description></item>"
        )
    )
    (item,) = feed.items
    assert (item.summary_html, item.content_html) == ("the summary", None)


def test_categories_and_authors() -> None:
    feed = both(
        rss(
            "<item><title>t</title><category>A</category>"
            '<category domain="x">B</category><itunes:keywords>c, d</itunes:keywords>'
            '<media:category scheme="s">E</media:category>'
            "<dc:creator>Ann</dc:creator><dc:creator>Bo</dc:creator></item>"
        )
    )
    (item,) = feed.items
    assert item.categories == ("A", "B", "c", "d", "E")
    assert item.author == "Ann, Bo"


def test_unescaped_markup_in_description_becomes_xhtml_as_in_feedparser() -> None:
    feed = both(
        rss("<item><title>t</title><description>Hi <em>there</em> &amp; you</description></item>")
    )
    (item,) = feed.items
    assert item.summary_html == "Hi <em>there</em> &amp; you"


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (rss("<item><title>broken</item>"), "not well-formed"),
        (rss("<item><title>&nbsp;</title></item>"), "not well-formed"),
        ('<?xml version="1.0"?><entry xmlns="http://www.w3.org/2005/Atom"/>', "root element"),
        (
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY who "World">]>'
            '<rss version="2.0"><channel><title>Hello &who;</title></channel></rss>',
            "entity declarations",
        ),
        (
            '<?xml version="1.0"?>' + "<!-- long comment -->" * 300 + "<!DOCTYPE rss [<!ENTITY"
            ' who "World">]><rss version="2.0"><channel><title>Hi &who;</title></channel></rss>',
            "entity declarations",
        ),
        (rss("<item><title>t</title><item><title>u</title></item></item>"), "inside an item"),
        (rss("<item><description>a <source>b</source></description></item>"), "acts on"),
    ],
)
def test_declines_what_it_is_not_sure_of(document: str, reason: str) -> None:
    assert reason in declines(document)


def test_parse_feed_falls_back_to_feedparser_on_decline() -> None:
    document = rss("<item><title>caf&eacute;</title></item>").encode()
    assert "not well-formed" in declines(document)
    feed = parse_feed(document, url=FEED_URL)
    assert feed == _parse(document, url=FEED_URL, headers={}, max_items=5000, path="feedparser")
    assert feed.items[0].title == "café"
    assert any("read it leniently" in warning for warning in feed.warnings)


def test_a_fast_path_failure_falls_back_to_feedparser(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from tidings.parse.lxmlread import Reader

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    document = fixture_bytes("rss20-full.xml")
    expected = _parse(document, url=FEED_URL, headers={}, max_items=5000, path="feedparser")
    monkeypatch.setattr(Reader, "read_root", broken)
    assert parse_feed(document, url=FEED_URL) == expected
    assert "fast XML path failed" in caplog.text
    with pytest.raises(KeyError):
        _parse(document, url=FEED_URL, headers={}, max_items=5000, path="fast")


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top-secret-value")
    document = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>'
        '<rss version="2.0"><channel><title>x&secret;</title></channel></rss>'
    )
    declines(document)  # the DTD policy drops the entity; lxml then refuses the reference
    assert "top-secret-value" not in str(parse_feed(document.encode(), url=FEED_URL))


def test_records_are_feedparser_shaped() -> None:
    reader, notes = read_records(fixture_bytes("atom10-full.xml"), url=FEED_URL, headers={})
    assert notes == []
    assert reader.feed["title_detail"]["type"] == "text/html"
    assert reader.entries[0]["links"][0]["rel"] == "alternate"
    assert reader.entries[0]["tags"][0] == {"term": "art", "scheme": None, "label": "Art & craft"}


# -- the shortcuts the fast path relies on give exactly the slow answers -------------------------

_URL_PARTS = ["http", "HTTPS", "s", "://", "/", "//", "?", "#", "[", "]", "a", "b.c", " ", "\t",
              "é", "%20", ":80", "@", ";", "x", "..", "\x7f", "mailto:", "javascript:"]  # fmt: skip


def _random_urls(count: int, seed: int) -> list[str]:
    generator = random.Random(seed)
    return [
        "".join(generator.choice(_URL_PARTS) for _ in range(generator.randint(1, 9)))
        for _ in range(count)
    ]


def test_resolve_equals_feedparser_urljoin() -> None:
    for base in ("https://news.example.org/blog/feed.xml", "http://a.example/"):
        for uri in [*_random_urls(5000, 1), "https://x.example/a?b#c", "http://x.example/a;p"]:
            assert resolve(base, uri) == _urljoin(base, uri), (base, uri)


def test_join_uri_equals_feedparser_urljoin() -> None:
    for base in ("https://news.example.org/blog/feed.xml", "http://a.example/", ""):
        for uri in [*_random_urls(5000, 4), "HTTP:///x.example//a", "http://[::1"]:
            assert join_uri(base, uri) == _urljoin(base, uri), (base, uri)


def test_c1_controls_become_feedparser_windows_1252_characters() -> None:
    for code in range(0x80, 0xA0):
        assert finish(f"a{chr(code)}b") == f"a{chr(code)}b".translate(_cp1252), hex(code)


def test_absolute_url_shortcut_equals_the_full_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    import tidings.parse.urls as urls

    urls_list = _random_urls(5000, 2)
    fast = [absolute_url(u, FEED_URL, schemes=s) for u in urls_list for s in (WEB_SCHEMES,)]
    monkeypatch.setattr(urls, "_PLAIN_WEB_URL", re.compile("(?!)"))
    slow = [absolute_url(u, FEED_URL, schemes=s) for u in urls_list for s in (WEB_SCHEMES,)]
    assert fast == slow


def test_plain_text_shortcut_equals_the_sanitizer() -> None:
    generator = random.Random(3)
    alphabet = "ab >\"'\r\n\t\xa0\u2028é\x85\ufeff=/\U0001f600"
    for _ in range(5000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(1, 12)))
        if text.startswith("\ufeff"):
            continue
        assert plain_text_as_html(text) == _CLEANER.clean(text), repr(text)
    assert nh3.is_html("<p>")  # the shortcut is only for text without "<" and "&"


def test_plain_rfc822_shortcut_equals_the_full_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    import tidings.parse.dates as dates

    generator = random.Random(4)
    weekdays = ["Mon, ", "Tue,", "", "sun ", "Seg, ", "Thu. "]
    months = [*dates._MONTH_NUMBERS, "nov", "DEC", "Set"]
    zones = ["+0000", "-0000", "+0100", "-0530", "+2400", "+0099", "GMT", "UT", "Z", "EDT", "XYZ"]
    texts = [
        f"{generator.choice(weekdays)}{generator.randint(0, 35):02d} {generator.choice(months)} "
        f"{generator.randint(1, 9999):04d} {generator.randint(0, 25):02d}:"
        f"{generator.randint(0, 61):02d}{generator.choice(['', ':07', ':60'])} "
        f"{generator.choice(zones)}"
        for _ in range(5000)
    ]
    fast = [dates.parse_date(text) for text in texts]
    assert sum(1 for text in texts if dates._PLAIN_RFC822.fullmatch(text)) > 4000
    monkeypatch.setattr(dates, "_PLAIN_RFC822", re.compile("(?!)"))
    assert fast == [dates.parse_date(text) for text in texts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<feed xml:base="https://a.example/">', True),
        ("<entry\n  base = 'x/'>", True),
        ("<rss><channel><title>a database = fast</title>", False),
        ("<p>base=</p>", False),
        ("no attribute at all", False),
    ],
)
def test_the_walk_looks_for_bases_only_where_an_attribute_can_set_one(
    text: str, expected: bool
) -> None:
    assert has_bases(text) is expected


def test_xml_base_is_read_when_the_document_has_one() -> None:
    body = atom('<entry xml:base="/posts/"><id>i</id><link href="a.html"/></entry>').encode()
    item = _parse(body, url=FEED_URL, headers={}, max_items=10, path="fast").items[0]
    assert item.link == "https://news.example.org/posts/a.html"


def test_the_fast_path_knows_feedparsers_uri_schemes_without_importing_it() -> None:
    from feedparser.urls import ACCEPTABLE_URI_SCHEMES

    from tidings.parse.lxmlnodes import _ACCEPTABLE_SCHEMES

    assert frozenset(ACCEPTABLE_URI_SCHEMES) == _ACCEPTABLE_SCHEMES
