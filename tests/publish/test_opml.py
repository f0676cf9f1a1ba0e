"""OPML in and out: round trips, what real exports look like, and hostile documents."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from tidings.errors import OPMLError
from tidings.publish import opml
from tidings.publish.opml import MAX_OUTLINES, OPMLDocument, OPMLEntry, parse_opml, write_opml

NOW = datetime(2026, 11, 28, 12, 34, 56, tzinfo=UTC)


def entry(
    url: str, title: str | None = None, site_url: str | None = None, *categories: str
) -> OPMLEntry:
    return OPMLEntry(url=url, title=title, site_url=site_url, categories=tuple(categories))


def doc(body: str, head: str = "<title>Subscriptions</title>") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<opml version="2.0"><head>{head}</head><body>{body}</body></opml>'
    ).encode()


def urls(document: OPMLDocument) -> list[str]:
    return [e.url for e in document.entries]


# --- round trip ------------------------------------------------------------------------------

# Each table is already grouped by first category (folders in order of first appearance), which
# is the order parse_opml(write_opml(x)) gives back.
ROUND_TRIPS: dict[str, list[OPMLEntry]] = {
    "empty": [],
    "one plain feed": [entry("https://example.com/feed.xml", "Example", "https://example.com/")],
    "escaping": [
        entry("https://a.example/rss?a=1&b=2", "Tom & Jerry <live> \"quoted\" 'single'"),
        entry("https://b.example/feed", "1 < 2 > 0 &amp; &lt;b&gt;", "https://b.example/?x=<y>"),
        entry("https://c.example/feed", "</outline><script>alert(1)</script>"),
    ],
    "non-ASCII": [
        entry("https://d.example/feed", "Novice in čšž — Ljubljana", None, "Novice"),
        entry("https://e.example/feed", "日本語のニュース 📰", None, "Novice"),
        entry("https://f.example/feed", "Ελληνικά", None, "Ελλάδα"),
        entry("https://xn--bcher-kva.example/feed", "Bücher", None),
    ],
    "untitled, no site": [entry("http://plain.example/rss")],
    "tabs and newlines inside a title": [entry("https://g.example/feed", "line one\nline\ttwo")],
    "categories": [
        entry("https://h.example/feed", "H", None, "Tech"),
        entry("https://i.example/feed", "I", None, "Tech", "Python", "News"),
        entry("https://j.example/feed", "J", None, "News & Politics", "Tech"),
        entry("https://k.example/feed", "K", None),
        # A slash or comma is safe in the first category (it becomes the folder's name).
        entry("https://l.example/feed", "L", None, "AC/DC, fans", "Music"),
    ],
}


@pytest.mark.parametrize("entries", list(ROUND_TRIPS.values()), ids=list(ROUND_TRIPS))
def test_round_trip(entries: list[OPMLEntry]) -> None:
    document = parse_opml(write_opml(entries, title="Mine & <yours> “ours”", now=NOW))
    assert document.entries == tuple(entries)
    assert document.warnings == ()
    assert document.title == "Mine & <yours> “ours”"


def test_round_trip_groups_interleaved_categories() -> None:
    a1 = entry("https://a1.example/", "a1", None, "A")
    top = entry("https://top.example/", "top")
    b1 = entry("https://b1.example/", "b1", None, "B", "A")
    a2 = entry("https://a2.example/", "a2", None, "A")
    document = parse_opml(write_opml([a1, top, b1, a2], title="t", now=NOW))
    # The same entries, with each folder's feeds together, folders where they first appeared.
    assert document.entries == (a1, a2, top, b1)


def test_round_trip_limit_secondary_category_with_slash_or_comma() -> None:
    # OPML's category attribute is comma-separated slash paths with no escaping, so a second
    # category with a slash or a comma cannot be written faithfully: it reads back as the last
    # segment of each piece. (The first category is the folder's name and is always safe.)
    written = entry("https://m.example/", "M", None, "Music", "AC/DC", "Rock, Pop")
    document = parse_opml(write_opml([written], title="t", now=NOW))
    assert document.entries[0].categories == ("Music", "DC", "Rock", "Pop")


def test_write_normalises_what_parse_would_normalise() -> None:
    written = entry("https://n.example/", "  spaced  ", None, " Tech ", "", "Tech", "  ")
    document = parse_opml(write_opml([written], title="t", now=NOW))
    assert document.entries == (entry("https://n.example/", "spaced", None, "Tech"),)


def test_write_drops_characters_xml_cannot_carry() -> None:
    written = entry("https://o.example/", "bell\x07 nul\x00 ok\ufffe", None, "tab\x0bbed")
    data = write_opml([written], title="head\x01line", now=NOW)
    document = parse_opml(data)
    assert document.entries == (entry("https://o.example/", "bell nul ok", None, "tabbed"),)
    assert document.title == "headline"


# --- what write_opml produces ----------------------------------------------------------------


def test_write_structure() -> None:
    data = write_opml(
        [
            entry("https://a.example/feed", "A", "https://a.example/", "Tech", "News"),
            entry("https://b.example/feed", "B", None, "Tech"),
            entry("https://c.example/feed", None, None),
        ],
        title="tidings subscriptions",
        now=NOW,
    )
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    root = ET.fromstring(data)
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "tidings subscriptions"
    created = root.findtext("head/dateCreated")
    assert created == "Sat, 28 Nov 2026 12:34:56 GMT"
    assert parsedate_to_datetime(created) == NOW
    top = root.findall("body/outline")
    assert [o.attrib for o in top] == [
        {"text": "Tech", "title": "Tech"},
        {"type": "rss", "text": "", "xmlUrl": "https://c.example/feed"},
    ]
    assert [o.attrib for o in top[0]] == [
        {
            "type": "rss",
            "text": "A",
            "title": "A",
            "xmlUrl": "https://a.example/feed",
            "htmlUrl": "https://a.example/",
            "category": "/Tech,/News",
        },
        {"type": "rss", "text": "B", "title": "B", "xmlUrl": "https://b.example/feed"},
    ]


def test_write_date_created_from_any_zone_or_naive() -> None:
    from zoneinfo import ZoneInfo

    in_ljubljana = NOW.astimezone(ZoneInfo("Europe/Ljubljana"))
    naive = NOW.replace(tzinfo=None)
    for now in (in_ljubljana, naive):
        root = ET.fromstring(write_opml([], title="t", now=now))
        assert root.findtext("head/dateCreated") == "Sat, 28 Nov 2026 12:34:56 GMT"


def test_write_accepts_any_iterable() -> None:
    data = write_opml((e for e in ROUND_TRIPS["categories"]), title="t", now=NOW)
    assert len(parse_opml(data).entries) == len(ROUND_TRIPS["categories"])


# --- reading: nesting and categories ---------------------------------------------------------


def test_nested_folders_give_the_innermost_as_category() -> None:
    document = parse_opml(
        doc(
            """
            <outline text="Tech">
              <outline text="Python">
                <outline type="rss" text="PSF" xmlUrl="https://psf.example/feed"/>
              </outline>
              <outline type="rss" text="HN" xmlUrl="https://hn.example/rss"/>
              <outline text="">
                <outline type="rss" text="Unnamed folder" xmlUrl="https://u.example/rss"/>
              </outline>
            </outline>
            <outline type="rss" text="Top" xmlUrl="https://top.example/rss"/>
            """
        )
    )
    assert [(e.url, e.categories) for e in document.entries] == [
        ("https://psf.example/feed", ("Python",)),
        ("https://hn.example/rss", ("Tech",)),
        # a folder without a name does not hide the named one around it
        ("https://u.example/rss", ("Tech",)),
        ("https://top.example/rss", ()),
    ]
    assert document.warnings == ()


CATEGORY_ATTRIBUTES = [
    ("/Tech/Python,News", None, ("Python", "News")),
    ("/Tech/Python,News", "Python", ("Python", "News")),
    ("/Tech/Python,News", "Reading", ("Reading", "Python", "News")),
    (" /A/ , , /B/C/ ", None, ("A", "C")),
    ("Plain", None, ("Plain",)),
    ("", None, ()),
    (",/,//", None, ()),
    # a path spelling out the whole folder name is the folder itself
    ("/AC/DC,/Rock", "AC/DC", ("AC/DC", "Rock")),
    ("/Rock,/AC/DC", "AC/DC", ("AC/DC", "Rock")),
    ("/AC/DC, fans,/Rock", "AC/DC, fans", ("AC/DC, fans", "Rock")),
]


@pytest.mark.parametrize(("attribute", "folder", "categories"), CATEGORY_ATTRIBUTES)
def test_category_attribute(
    attribute: str, folder: str | None, categories: tuple[str, ...]
) -> None:
    feed = f'<outline type="rss" text="F" xmlUrl="https://f.example/" category="{attribute}"/>'
    body = feed if folder is None else f'<outline text="{folder}">{feed}</outline>'
    assert parse_opml(doc(body)).entries[0].categories == categories


def test_deep_nesting_does_not_recurse() -> None:
    depth = 20_000
    body = '<outline text="f">' * depth
    body += '<outline xmlUrl="https://deep.example/"/>' + "</outline>" * depth
    document = parse_opml(doc(body))
    assert document.entries == (entry("https://deep.example/", None, None, "f"),)


# --- reading: attributes ---------------------------------------------------------------------

ATTRIBUTE_SPELLINGS = [
    ('xmlUrl="https://x.example/"', "https://x.example/"),
    ('xmlurl="https://x.example/"', "https://x.example/"),
    ('XMLURL="https://x.example/"', "https://x.example/"),
    ('xmlURL="https://x.example/"', "https://x.example/"),
    ('type="rss" xmlUrl="  https://x.example/\n"', "https://x.example/"),
    ('type="atom" xmlUrl="https://x.example/"', "https://x.example/"),
    ('type="RSS" url="https://x.example/"', "https://x.example/"),
    ('type="atom" url="https://x.example/"', "https://x.example/"),
    # xmlUrl decides even with a type other readers invent
    ('type="feed" xmlUrl="https://x.example/"', "https://x.example/"),
]


@pytest.mark.parametrize(("attributes", "url"), ATTRIBUTE_SPELLINGS)
def test_attribute_spellings(attributes: str, url: str) -> None:
    document = parse_opml(doc(f'<outline text="X" {attributes}/>'))
    assert urls(document) == [url]
    assert document.warnings == ()


def test_title_text_and_site() -> None:
    document = parse_opml(
        doc(
            '<outline text="My name" title="Feed title" xmlUrl="https://a.example/"'
            ' HTMLURL=" https://a.example/home "/>'
            '<outline title="Only title" xmlUrl="https://b.example/"/>'
            '<outline text="  " title="" xmlUrl="https://c.example/" htmlUrl=""/>'
        )
    )
    assert document.entries == (
        # text is what readers display (and keep a renamed feed's name in), so it wins
        entry("https://a.example/", "My name", "https://a.example/home"),
        entry("https://b.example/", "Only title"),
        entry("https://c.example/"),
    )


def test_bad_site_url_is_dropped_with_a_warning_but_the_feed_kept() -> None:
    document = parse_opml(
        doc('<outline text="S" xmlUrl="https://s.example/" htmlUrl="javascript:alert(1)"/>')
    )
    assert document.entries == (entry("https://s.example/", "S"),)
    assert len(document.warnings) == 1
    assert "htmlUrl" in document.warnings[0]
    assert "javascript:alert(1)" in document.warnings[0]


def test_head_title() -> None:
    assert parse_opml(doc("", head="<title> My &amp; feeds </title>")).title == "My & feeds"
    assert parse_opml(doc("", head="")).title is None
    assert parse_opml(doc("", head="<title/>")).title is None
    # a <title> elsewhere is not the document's
    assert parse_opml(doc('<outline text="x"><title>no</title></outline>', head="")).title is None


def test_outlines_outside_the_body_are_ignored() -> None:
    data = doc(
        '<outline xmlUrl="https://b.example/"/>', head='<outline xmlUrl="https://h.example/"/>'
    )
    assert urls(parse_opml(data)) == ["https://b.example/"]


# --- reading: duplicates and bad outlines ----------------------------------------------------


def test_duplicates_are_skipped_with_a_warning_and_their_folders_kept() -> None:
    document = parse_opml(
        doc(
            """
<outline text="Tech">
  <outline text="Ars" xmlUrl="https://ars.example/feed"/>
</outline>
<outline text="Daily">
  <outline text="Ars again" xmlUrl="  https://ars.example/feed  "/>
</outline>
<outline text="Ars third" xmlUrl="https://ars.example/feed"/>
<outline text="Other case" xmlUrl="https://ARS.example/feed"/>
"""
        )
    )
    assert document.entries == (
        entry("https://ars.example/feed", "Ars", None, "Tech", "Daily"),
        # only trimming makes two URLs the same
        entry("https://ARS.example/feed", "Other case"),
    )
    assert document.warnings == (
        'line 7: outline "Ars again" skipped: duplicate of https://ars.example/feed'
        " (first at line 4); its categories Daily were added to the first",
        'line 9: outline "Ars third" skipped: duplicate of https://ars.example/feed'
        " (first at line 4)",
    )


BAD_OUTLINES = [
    ('<outline text="JS" xmlUrl="javascript:alert(1)"/>', '"JS"', "not an http(s) URL"),
    ('<outline text="FTP" xmlUrl="ftp://x.example/feed"/>', '"FTP"', "not an http(s) URL"),
    ('<outline text="Feed scheme" xmlUrl="feed://x.example/"/>', '"Feed scheme"', "http(s)"),
    ('<outline text="Data" xmlUrl="data:text/xml,&lt;rss/&gt;"/>', '"Data"', "http(s)"),
    ('<outline text="Relative" xmlUrl="/feed.xml"/>', '"Relative"', "not an http(s) URL"),
    ('<outline text="No host" xmlUrl="https:///feed"/>', '"No host"', "has no host"),
    ('<outline text="Spaces" xmlUrl="https://x.example/a b"/>', '"Spaces"', "spaces or control"),
    ('<outline text="Tab" xmlUrl="https://x.ex&#9;ample/"/>', '"Tab"', "spaces or control"),
    ('<outline text="IPv6" xmlUrl="https://[::1/feed"/>', '"IPv6"', "not a valid URL"),
    ('<outline text="Empty" xmlUrl=""/>', '"Empty"', "xmlUrl is empty"),
    ('<outline text="Blank" xmlUrl="   "/>', '"Blank"', "xmlUrl is empty"),
    ('<outline text="Typed" type="rss"/>', '"Typed"', 'type "rss" but no xmlUrl'),
    ('<outline text="Link" type="link" url="https://x.example/"/>', '"Link"', "a link, not a feed"),
    ('<outline text="Empty folder"/>', '"Empty folder"', "an empty folder, or not a feed"),
    ('<outline title="By title" xmlUrl="gopher://x/"/>', '"By title"', "http(s)"),
    ('<outline xmlUrl="mailto:a@b.example"/>', '"mailto:a@b.example"', "http(s)"),
    ("<outline/>", "without a name", "no xmlUrl"),
]


@pytest.mark.parametrize(("outline", "name", "reason"), BAD_OUTLINES)
def test_bad_outlines_are_skipped_with_a_warning_naming_them(
    outline: str, name: str, reason: str
) -> None:
    good = '<outline text="Good" xmlUrl="https://good.example/"/>'
    document = parse_opml(doc(f"\n{outline}\n{good}"))
    assert urls(document) == ["https://good.example/"]
    assert len(document.warnings) == 1
    warning = document.warnings[0]
    assert warning.startswith(f"line 3: outline {name} skipped: ")
    assert reason in warning


def test_every_bad_outline_gets_its_own_warning() -> None:
    body = "".join(outline for outline, _, _ in BAD_OUTLINES)
    document = parse_opml(doc(body))
    assert document.entries == ()
    assert len(document.warnings) == len(BAD_OUTLINES)


def test_a_long_hostile_title_is_shortened_in_the_warning() -> None:
    title = "A" * 1_000_000
    document = parse_opml(doc(f'<outline text="{title}" xmlUrl="javascript:x"/>'))
    assert len(document.warnings[0]) < 300


# --- hostile documents -----------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
  <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
  <!ENTITY j "&i;&i;&i;&i;&i;&i;&i;&i;&i;&i;">
]>
<opml version="2.0"><head><title>&j;</title></head><body/></opml>
"""

HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "XXE file": b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<opml><head><title>&x;</title></head><body/></opml>",
    "XXE network": b'<!DOCTYPE opml [<!ENTITY x SYSTEM "http://127.0.0.1:9/xxe">]>'
    b'<opml><body><outline text="&x;" xmlUrl="https://a.example/"/></body></opml>',
    "external DTD": b'<!DOCTYPE opml SYSTEM "http://127.0.0.1:9/x.dtd"><opml><body/></opml>',
    "parameter entity": b'<!DOCTYPE opml [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
    b"<opml><body/></opml>",
    "plain DOCTYPE": b"<!DOCTYPE opml><opml><body/></opml>",
    "DOCTYPE after BOM": b"\xef\xbb\xbf<!DOCTYPE opml><opml><body/></opml>",
    "DOCTYPE in UTF-16": '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE opml [<!ENTITY x "y">]>'
    "<opml><body/></opml>".encode("utf-16"),
}


@pytest.mark.parametrize("data", list(HOSTILE.values()), ids=list(HOSTILE))
def test_doctype_and_entities_are_refused(data: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(OPMLError, match="DOCTYPE") as info:
        parse_opml(data)
    assert time.monotonic() - started < 1
    assert info.value.kind == "opml"


def test_an_undeclared_entity_is_not_xml() -> None:
    with pytest.raises(OPMLError, match="not well-formed XML"):
        parse_opml(doc('<outline text="&nbsp;" xmlUrl="https://a.example/"/>'))


def test_xinclude_is_not_processed() -> None:
    data = doc(
        '<outline xmlns:xi="http://www.w3.org/2001/XInclude" text="x" xmlUrl="https://a.example/">'
        '<xi:include href="file:///etc/passwd" parse="text"/></outline>'
    )
    assert parse_opml(data).entries == (entry("https://a.example/", "x"),)


NOT_OPML = {
    "empty": (b"", "empty"),
    "whitespace": (b"  \n\t ", "empty"),
    "plain text": (b"just some text", "not well-formed XML"),
    "JSON": (b'{"version": "https://jsonfeed.org/version/1.1"}', "not well-formed XML"),
    "truncated": (b'<opml version="2.0"><head><title>x</title></head><body><outline', "XML"),
    "two roots": (b"<opml><body/></opml><opml/>", "not well-formed XML"),
    "HTML page": (b"<html><head><title>x</title></head><body></body></html>", "<html>"),
    "RSS feed": (b'<rss version="2.0"><channel><title>x</title></channel></rss>', "<rss>"),
    "no body": (b'<opml version="2.0"><head><title>x</title></head></opml>', "no <body>"),
    "body not under opml": (b"<opml><head><body/></head></opml>", "no <body>"),
    "binary": (bytes(range(256)), "not well-formed XML"),
}


@pytest.mark.parametrize(("data", "reason"), list(NOT_OPML.values()), ids=list(NOT_OPML))
def test_not_opml_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(OPMLError) as info:
        parse_opml(data)
    assert reason in str(info.value)


def test_the_outline_cap() -> None:
    over = doc("<outline/>" * (MAX_OUTLINES + 1))
    with pytest.raises(OPMLError, match="more than 100,000 outlines"):
        parse_opml(over)


def test_the_outline_cap_counts_every_outline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opml, "MAX_OUTLINES", 3)
    at_cap = '<outline text="A"><outline xmlUrl="https://a.example/"/></outline><outline/>'
    assert len(parse_opml(doc(at_cap)).entries) == 1
    with pytest.raises(OPMLError, match="more than 3 outlines"):
        parse_opml(doc(at_cap + "<outline/>"))


# --- encodings -------------------------------------------------------------------------------


def test_encodings() -> None:
    body = '<outline text="Čaj in kava" xmlUrl="https://caj.example/"/>'
    latin2 = (
        '<?xml version="1.0" encoding="ISO-8859-2"?><opml><body>' + body + "</body></opml>"
    ).encode("iso-8859-2")
    utf16 = (
        "<?xml version='1.0' encoding='UTF-16'?><opml><body>" + body + "</body></opml>"
    ).encode("utf-16")
    bom = b"\xef\xbb\xbf" + doc(body)
    for data in (latin2, utf16, bom):
        assert parse_opml(data).entries == (entry("https://caj.example/", "Čaj in kava"),)


# --- real-world exports ----------------------------------------------------------------------

# Shaped like a Feedly export: OPML 1.0, a BOM, a feed listed once in each of its folders,
# entities in titles, titles renamed by the user (text) differing from the feed's (title).
FEEDLY_EXPORT = b"""\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>

<opml version="1.0">
    <head>
        <title>Jana subscriptions in feedly Cloud</title>
    </head>
    <body>
        <outline text="Tech" title="Tech">
            <outline type="rss" text="Ars Technica" title="Ars Technica - All content" \
xmlUrl="https://feeds.arstechnica.com/arstechnica/index" htmlUrl="https://arstechnica.com"/>
            <outline type="rss" text="LWN.net" title="LWN.net" \
xmlUrl="https://lwn.net/headlines/rss" htmlUrl="https://lwn.net"/>
            <outline type="rss" text="Planet Python" title="Planet Python" \
xmlUrl="https://planetpython.org/rss20.xml" htmlUrl="https://planetpython.org/"/>
        </outline>
        <outline text="Must read" title="Must read">
            <outline type="rss" text="LWN.net" title="LWN.net" \
xmlUrl="https://lwn.net/headlines/rss" htmlUrl="https://lwn.net"/>
            <outline type="rss" text="Nature &amp; Science" title="Nature" \
xmlUrl="https://www.nature.com/nature.rss" htmlUrl="https://www.nature.com/nature"/>
        </outline>
        <outline text="Slovenija" title="Slovenija">
            <outline type="rss" text="RTV SLO \xe2\x80\x93 Novice" title="RTV SLO" \
xmlUrl="https://img.rtvslo.si/feeds/00.xml" htmlUrl="https://www.rtvslo.si"/>
        </outline>
        <outline type="rss" text="xkcd.com" title="xkcd.com" \
xmlUrl="https://xkcd.com/atom.xml" htmlUrl="https://xkcd.com/"/>
    </body>
</opml>
"""


def test_feedly_like_export() -> None:
    document = parse_opml(FEEDLY_EXPORT)
    assert document.title == "Jana subscriptions in feedly Cloud"
    assert document.entries == (
        entry(
            "https://feeds.arstechnica.com/arstechnica/index",
            "Ars Technica",
            "https://arstechnica.com",
            "Tech",
        ),
        entry("https://lwn.net/headlines/rss", "LWN.net", "https://lwn.net", "Tech", "Must read"),
        entry(
            "https://planetpython.org/rss20.xml",
            "Planet Python",
            "https://planetpython.org/",
            "Tech",
        ),
        entry(
            "https://www.nature.com/nature.rss",
            "Nature & Science",
            "https://www.nature.com/nature",
            "Must read",
        ),
        entry(
            "https://img.rtvslo.si/feeds/00.xml",
            "RTV SLO – Novice",
            "https://www.rtvslo.si",
            "Slovenija",
        ),
        entry("https://xkcd.com/atom.xml", "xkcd.com", "https://xkcd.com/"),
    )
    assert document.warnings == (
        'line 14: outline "LWN.net" skipped: duplicate of https://lwn.net/headlines/rss'
        " (first at line 10); its categories Must read were added to the first",
    )


# Shaped like a Miniflux export: OPML 2.0, dateCreated, every feed inside a category (the
# default one is "All"), title and text both set, plus the kind of leftovers real files carry:
# a dead subscription without a URL, a podcast with its category attribute, lower-case names
# from a hand-edited file, and an extension namespace.
MINIFLUX_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0" xmlns:frss="https://freshrss.org/opml">
  <head>
    <title>Miniflux</title>
    <dateCreated>Sat, 28 Nov 2026 10:02:13 UTC</dateCreated>
  </head>
  <body>
    <outline text="All">
      <outline title="The Go Blog" text="The Go Blog" xmlUrl="https://go.dev/blog/feed.atom" \
htmlUrl="https://go.dev/blog/" frss:cssFullContent="article"></outline>
      <outline title="Old blog" text="Old blog" xmlUrl="" htmlUrl="https://old.example/">\
</outline>
    </outline>
    <outline text="Podcasts">
      <outline type="rss" title="Radio &lt;Ga Ga&gt;" text="Radio &lt;Ga Ga&gt;" \
xmlUrl="https://radio.example/podcast.xml" category="/Audio/Podcasts,/Music"></outline>
      <outline type="rss" text="Hand-edited" xmlurl="http://hand.example/rss" \
htmlurl="http://hand.example/"></outline>
    </outline>
  </body>
</opml>
"""


def test_miniflux_like_export() -> None:
    document = parse_opml(MINIFLUX_EXPORT)
    assert document.title == "Miniflux"
    assert document.entries == (
        entry("https://go.dev/blog/feed.atom", "The Go Blog", "https://go.dev/blog/", "All"),
        entry("https://radio.example/podcast.xml", "Radio <Ga Ga>", None, "Podcasts", "Music"),
        entry("http://hand.example/rss", "Hand-edited", "http://hand.example/", "Podcasts"),
    )
    assert document.warnings == ('line 10: outline "Old blog" skipped: its xmlUrl is empty',)


def test_an_export_survives_import_and_export_again() -> None:
    first = parse_opml(FEEDLY_EXPORT)
    again = parse_opml(write_opml(first.entries, title=first.title or "", now=NOW))
    assert again.entries == first.entries
    assert again.title == first.title
    assert again.warnings == ()
