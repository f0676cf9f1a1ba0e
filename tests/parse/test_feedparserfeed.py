"""feedparserfeed.py: RSS 0.90-2.0, RSS 1.0 and Atom 0.3/1.0 through feedparser, to ParsedFeed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tidings.errors import NotAFeedError, ParseError
from tidings.types import Enclosure

from .conftest import FEED_URL, ParseHelper, atom, fixture_bytes, rss

ATOM_URL = "https://atom.example.com/blog/feed.atom"


def test_rss_20(parse: ParseHelper) -> None:
    feed = parse(fixture_bytes("rss20-full.xml"))
    assert feed.version == "rss20"
    assert feed.title == "NATO News & Views"  # double-escaped &amp;amp; is what was meant
    assert feed.link == "https://news.example.org/"
    assert feed.description == "It´s the news ’ “ č"  # &#180; decoded, tags removed
    assert feed.image == "https://news.example.org/logo.png"
    assert (feed.language, feed.ttl_minutes) == ("en-GB", 90)
    assert feed.skip_hours == frozenset({0, 1})  # 24 means midnight, 99 is ignored
    assert feed.skip_days == frozenset({"Saturday", "Sunday"})
    assert feed.warnings == ()

    first, second, third = feed.items
    assert first.guid == "post-1"
    assert first.title == "First bold post"
    assert first.link == "https://news.example.org/blog/posts/1"
    assert first.author == "The Editor"
    assert first.published == datetime(2024, 1, 2, 9, tzinfo=UTC)
    assert first.updated is None  # not faked from pubDate
    assert first.categories == ("World", "Politics")
    assert first.summary_html == (
        '<p>Summary with <a href="https://news.example.org/more" rel="noopener noreferrer">'
        "a link</a></p>"
    )
    assert first.content_html == (
        '<p>Full <em>content</em><img src="https://news.example.org/blog/img/1.jpg"></p>'
    )
    assert first.enclosures == (
        Enclosure("https://news.example.org/blog/media/1.mp3", "audio/mpeg", 1234),
        Enclosure("https://cdn.example.org/2.ogg", None, None),  # hostile type, absurd length
    )
    assert first.image == "https://news.example.org/blog/thumbs/1.jpg"

    assert second.title == "<script>alert(1)</script>"  # CDATA text: shown literally
    assert second.guid == second.link == "https://news.example.org/posts/2"
    assert second.author == "Ada & Grace"
    assert second.published is None
    assert second.updated == datetime(2024, 1, 3, tzinfo=UTC)
    assert second.summary_html == "Only a description, 5 &lt; 6"
    assert second.content_html is None
    assert second.image == "https://cdn.example.org/cover.jpg"  # javascript: media skipped

    assert third.published == datetime(2100, 12, 31, 23, 59, tzinfo=UTC)  # not clamped here
    assert third.summary_html is None  # only content:encoded: stays content
    assert third.content_html == "<p>Only content</p>"
    assert third.enclosures == (Enclosure("https://news.example.org/video.mp4", "video/mp4", 2048),)
    assert third.image == "https://news.example.org/photo.jpg"


def test_atom_10(parse: ParseHelper) -> None:
    feed = parse(fixture_bytes("atom10-full.xml"), url=ATOM_URL)
    assert feed.version == "atom10"
    assert feed.title == "L’atelier"
    assert feed.description == "Notes & croquis"
    assert feed.link == "https://atom.example.com/blog/"  # alternate, not self, not the id
    assert feed.image == "https://atom.example.com/logo.svg"
    assert feed.language == "fr"

    first, second, third = feed.items
    assert first.guid == "tag:atom.example.com,2024:1"
    assert first.title == "<b>literal</b> text"  # type="text": the publisher meant the tags
    assert first.link == "https://atom.example.com/blog/2024/one.html"  # nested xml:base
    assert first.published == datetime(2024, 1, 15, 7, tzinfo=UTC)
    assert first.updated == datetime(2024, 1, 16, 9, 30, tzinfo=UTC)
    assert first.author == "Claire"  # inherited from the feed
    assert first.categories == ("Art & craft", "sketch")
    assert first.summary_html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; is shown as text</p>"
    assert first.content_html == (
        '<p><img src="https://atom.example.com/blog/2024/media/pic.png"> '
        '<a href="https://atom.example.com/blog/2024/two.html" rel="noopener noreferrer">'
        "next</a></p>"
    )
    assert first.enclosures == (
        Enclosure("https://atom.example.com/blog/2024/one.mp3", "audio/mpeg", 999),
    )
    assert second.title == "XHTML title"
    assert second.author == "Bob, Eve"
    assert second.content_html == (
        '<p>Hello <a href="https://atom.example.com/blog/three.html" '
        'rel="noopener noreferrer">three</a></p>'
    )
    assert third.link is None  # a tag: id is no link
    assert third.summary_html is None
    assert third.content_html == "<p>Line one<br>Line two &lt;not a tag&gt;</p>"


def test_atom_03(parse: ParseHelper) -> None:
    feed = parse(fixture_bytes("atom03.xml"))
    assert feed.version == "atom03"
    assert feed.title == "Old <i>Atom</i>"  # escaped twice, HTML once: text keeps the rest
    assert feed.description == "Still here"
    assert feed.link == "http://old.example.net/"
    (entry,) = feed.items
    assert entry.published == datetime(2005, 7, 31, 12, 29, 29, tzinfo=UTC)
    assert entry.updated == datetime(2005, 7, 31, 13, tzinfo=UTC)
    assert entry.content_html == "<p>Escaped <b>HTML</b></p>"
    assert entry.author == "Mark"


def test_rss_10(parse: ParseHelper) -> None:
    feed = parse(fixture_bytes("rss10.xml"))
    assert (feed.version, feed.title, feed.language) == ("rss10", "RDF Site", "de")
    (item,) = feed.items
    assert item.title == "Grüße aus Köln"
    assert item.author == "Jörg"
    assert item.updated == datetime(2024, 4, 5, 4, 7, 8, tzinfo=UTC)
    assert item.categories == ("Stadt",)


def test_rss_090(parse: ParseHelper) -> None:
    feed = parse(fixture_bytes("rss090.xml"))
    assert feed.version == "rss090"
    assert [item.link for item in feed.items] == [
        "http://www.mozilla.org/status/",
        "http://www.mozilla.org/bugs/",
    ]


def test_rss_091_in_windows_1252_declared_iso_8859_1(parse: ParseHelper) -> None:
    feed = parse(fixture_bytes("rss091.xml"))
    assert feed.version == "rss091u"
    assert feed.skip_hours == frozenset({6, 7})
    assert feed.items[0].summary_html is not None
    assert "Gnutella—allowing" in feed.items[0].summary_html
    assert feed.warnings == ()


def test_rss_092(parse: ParseHelper) -> None:
    feed = parse(fixture_bytes("rss092.xml"))
    assert feed.version == "rss092"
    (item,) = feed.items
    assert item.title is None and item.guid is None and item.link is None
    assert item.enclosures == (
        Enclosure("http://www.scripting.com/mp3s/weatherReportSuite.mp3", "audio/mpeg", 12216320),
    )


@pytest.mark.parametrize(
    ("title_xml", "title"),
    [
        ("Ben &amp; Jerry", "Ben & Jerry"),
        ("&lt;b&gt;Bold&lt;/b&gt; news", "Bold news"),
        ("x &amp;#180; y", "x ´ y"),
        ("Why &lt;div&gt; is bad", "Why <div> is bad"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("<![CDATA[<img src=x onerror=alert(1)>]]>", "<img src=x onerror=alert(1)>"),
        ("  spaced \n out  ", "spaced out"),
        ("", None),
    ],
)
def test_item_titles_are_plain_text(parse: ParseHelper, title_xml: str, title: str | None) -> None:
    feed = parse(rss(f"<item><title>{title_xml}</title><guid>g</guid></item>"))
    assert feed.items[0].title == title


@pytest.mark.parametrize(
    ("author_xml", "author"),
    [
        ("<author>jonas@insanity.industries (Jonas Große Sundrup)</author>", "Jonas Große Sundrup"),
        ("<author>Jonas (jonas@example.com)</author>", "Jonas"),
        ("<author>jonas@example.com</author>", "jonas@example.com"),
        ("<dc:creator>Plain Name</dc:creator>", "Plain Name"),
        # markup in an untyped author is stripped (authors are plain text); nothing is left here
        ("<dc:creator>&lt;img src=x onerror=alert(1)&gt;</dc:creator>", None),
        ("<dc:creator>Tom &amp;amp; Jerry</dc:creator>", "Tom & Jerry"),
        ("<author></author>", None),
    ],
)
def test_rss_authors(parse: ParseHelper, author_xml: str, author: str | None) -> None:
    feed = parse(rss(f"<item><guid>g</guid>{author_xml}</item>"))
    assert feed.items[0].author == author


def test_hostile_urls_in_metadata_are_dropped(parse: ParseHelper) -> None:
    document = rss(
        "<item><title>t</title><link>javascript:alert(1)</link>"
        '<enclosure url="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;" type="text/html"/>'
        '<media:thumbnail url="javascript:alert(1)"/>'
        '<itunes:image href="data:image/png;base64,AA"/>'
        "<comments>javascript:alert(1)</comments></item>",
        channel="<image><url>javascript:alert(1)</url></image>",
    ).replace("<link>https://news.example.org/</link>", "<link>javascript:alert(1)</link>")
    feed = parse(document)
    assert (feed.link, feed.image) == (None, None)
    (item,) = feed.items
    assert (item.link, item.image, item.enclosures) == (None, None, ())


def test_feed_and_category_text_stays_text(parse: ParseHelper) -> None:
    document = rss(
        "<item><guid>g</guid><category>&lt;svg onload=alert(1)&gt;</category>"
        '<category>a" onmouseover="alert(1)</category></item>'
    ).replace("<title>Test feed</title>", '<title>"&gt;&lt;img src=x onerror=alert(1)&gt;</title>')
    feed = parse(document)
    assert feed.title == '"><img src=x onerror=alert(1)>'
    assert feed.items[0].categories == ("<svg onload=alert(1)>", 'a" onmouseover="alert(1)')


def test_atom_text_content_is_escaped(parse: ParseHelper) -> None:
    feed = parse(
        atom(
            "<entry><id>urn:1</id><title>t</title>"
            '<content type="text">&lt;script&gt;alert(1)&lt;/script&gt;</content></entry>'
        )
    )
    assert feed.items[0].content_html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_relative_urls_resolve_against_the_feed_url_without_xml_base(parse: ParseHelper) -> None:
    feed = parse(
        rss(
            '<item><title>t</title><link>../story</link><enclosure url="a.mp3" type="audio/mpeg"/>'
            "<description>&lt;img src='i.png'&gt;</description></item>"
        ).replace("<link>https://news.example.org/</link>", "<link>/</link>"),
        url="https://feeds.example.net/x/y/feed.rss",
    )
    assert feed.link == "https://feeds.example.net/"
    (item,) = feed.items
    assert item.link == "https://feeds.example.net/x/story"
    assert item.enclosures[0].url == "https://feeds.example.net/x/y/a.mp3"
    assert item.summary_html == '<img src="https://feeds.example.net/x/y/i.png">'


def test_item_scoped_xml_base_does_not_leak(parse: ParseHelper) -> None:
    feed = parse(
        rss(
            '<item xml:base="https://other.example/first/"><title>a</title><link>p</link></item>'
            "<item><title>b</title><link>p</link></item>"
        )
    )
    assert [item.link for item in feed.items] == [
        "https://other.example/first/p",
        "https://news.example.org/blog/p",
    ]


@pytest.mark.parametrize(
    ("guid_xml", "guid", "link"),
    [
        ('<guid isPermaLink="false">123</guid>', "123", None),
        ("<guid>one</guid>", "one", None),  # identity must not depend on the feed's URL
        ("<guid isPermaLink='true'>posts/1</guid>", "posts/1", None),
        ("<guid> https://a.example/p/1 </guid>", "https://a.example/p/1", "https://a.example/p/1"),
        ('<guid isPermaLink="false">https://a.example/p/2</guid>', "https://a.example/p/2",
         "https://a.example/p/2"),
        ("<guid>urn:uuid:1234</guid>", "urn:uuid:1234", None),
        ("<guid/>", None, None),
    ],
)  # fmt: skip
def test_guids_stay_as_written(
    parse: ParseHelper, guid_xml: str, guid: str | None, link: str | None
) -> None:
    feed = parse(rss(f"<item><title>t</title>{guid_xml}</item>"))
    assert (feed.items[0].guid, feed.items[0].link) == (guid, link)


def test_guid_does_not_replace_a_real_link(parse: ParseHelper) -> None:
    feed = parse(rss("<item><guid>https://a.example/g</guid><link>/real</link></item>"))
    assert feed.items[0].link == "https://news.example.org/real"


def test_not_well_formed_but_readable_is_kept_with_a_warning(parse: ParseHelper) -> None:
    document = rss("<item><title>AT&T &nbsp; broken</title><guid>g</guid></item>")
    feed = parse(document)
    title = feed.items[0].title
    assert title is not None and title.startswith("AT&T") and title.endswith(" broken")
    (warning,) = feed.warnings
    assert warning.startswith("the XML is not well-formed (")
    assert "line" in warning and "column" in warning


def test_truncated_document_keeps_what_it_can(parse: ParseHelper) -> None:
    document = rss("<item><title>one</title><guid>1</guid></item><item><title>two</title>")
    document = document[: document.index("<title>two") + 10]
    feed = parse(document)
    assert [item.title for item in feed.items][:1] == ["one"]
    assert any("not well-formed" in w for w in feed.warnings)


@pytest.mark.parametrize(
    "document",
    [
        "<note><to>Tove</to><from>Jani</from></note>",
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
        "<opml version='2.0'><body><outline text='x'/></body></opml>",
    ],
)
def test_xml_that_is_not_a_feed(parse: ParseHelper, document: str) -> None:
    with pytest.raises(NotAFeedError, match="no RSS, RDF or Atom structure") as caught:
        parse(document)
    assert caught.value.permanent


def test_empty_channel_is_a_feed_with_no_items(parse: ParseHelper) -> None:
    feed = parse('<rss version="2.0"><channel></channel></rss>')
    assert (feed.version, feed.items, feed.warnings) == ("rss20", (), ())


def test_max_items_keeps_the_first_in_document_order(parse: ParseHelper) -> None:
    items = "".join(f"<item><guid>{n}</guid><title>t{n}</title></item>" for n in range(30))
    feed = parse(rss(items), max_items=10)
    assert [item.guid for item in feed.items] == [str(n) for n in range(10)]
    assert any("30 items" in w and "first 10" in w for w in feed.warnings)


def test_max_items_must_be_positive(parse: ParseHelper) -> None:
    with pytest.raises(ValueError, match="max_items"):
        parse(rss(), max_items=0)


def test_empty_items_are_skipped(parse: ParseHelper) -> None:
    feed = parse(rss("<item></item><item><title>kept</title></item>"))
    assert [item.title for item in feed.items] == ["kept"]
    assert any("skipped 1 item " in w for w in feed.warnings)


@pytest.mark.parametrize(
    ("ttl", "minutes"), [("60", 60), (" 5 ", 5), ("-1", None), ("abc", None), ("0", None)]
)
def test_ttl(parse: ParseHelper, ttl: str, minutes: int | None) -> None:
    assert parse(rss(channel=f"<ttl>{ttl}</ttl>")).ttl_minutes == minutes


SY = 'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"'


@pytest.mark.parametrize(
    ("channel", "seconds"),
    [
        ("", None),
        ("<sy:updatePeriod>hourly</sy:updatePeriod>", 3600),
        (
            "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>",
            43200,
        ),
        ("<sy:updatePeriod> Weekly </sy:updatePeriod>", 7 * 86400),
        ("<sy:updateFrequency>4</sy:updateFrequency>", 21600),  # the period defaults to daily
        ("<sy:updatePeriod>fortnightly</sy:updatePeriod>", None),
        (
            "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>0</sy:updateFrequency>",
            None,
        ),
        (
            "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>x</sy:updateFrequency>",
            None,
        ),
    ],
)
def test_syndication_update_period(parse: ParseHelper, channel: str, seconds: int | None) -> None:
    document = rss(channel=channel).replace("<rss ", f"<rss {SY} ", 1)
    assert parse(document).update_period_seconds == seconds


def test_unparseable_dates_fall_back_to_none(parse: ParseHelper) -> None:
    feed = parse(
        rss(
            "<item><guid>1</guid><pubDate>Mon, 32 Foo 99999 25:61:61 +2500</pubDate></item>"
            "<item><guid>2</guid><pubDate>0000-00-00T00:00:00Z</pubDate></item>"
            "<item><guid>3</guid><pubDate>-1</pubDate></item>"
            "<item><guid>4</guid><pubDate>Mon, 01 Jan 2024 10:00:00 CEST</pubDate></item>"
        )
    )
    assert [item.published for item in feed.items] == [
        None,
        None,
        None,
        datetime(2024, 1, 1, 8, tzinfo=UTC),
    ]


def test_content_type_text_html_with_a_real_feed_is_still_parsed(parse: ParseHelper) -> None:
    feed = parse(rss("<item><title>t</title></item>"), content_type="text/html; charset=utf-8")
    assert feed.version == "rss20"
    assert feed.warnings == ()


def test_body_is_never_taken_for_a_path(parse: ParseHelper) -> None:
    # feedparser opens a string or bytes argument as a file name when it can
    with pytest.raises(ParseError):
        parse(b"/etc/passwd")


def test_feed_url_default_is_the_base(parse: ParseHelper) -> None:
    feed = parse(rss("<item><title>t</title><link>rel</link></item>"))
    assert feed.items[0].link == FEED_URL.rsplit("/", 1)[0] + "/rel"
