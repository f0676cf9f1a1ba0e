"""sniff.py: JSON, XML or a readable refusal, from the leading bytes (the header breaks ties)."""

from __future__ import annotations

import codecs

import pytest

from tidings.errors import NotAFeedError, ParseError
from tidings.parse.sniff import Kind, sniff

from .conftest import ParseHelper

HTML_MESSAGE = "the document is an HTML page, not a feed"


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1"}', None, Kind.JSON),
        (b'  \n {"items": []}', "text/plain", Kind.JSON),
        (codecs.BOM_UTF8 + b'{"items": []}', "application/feed+json", Kind.JSON),
        ('{"items": []}'.encode("utf-16-le"), None, Kind.JSON),
        (b"[1, 2]", None, Kind.JSON),  # JSON, refused later as "not a JSON Feed"
        (b'<?xml version="1.0"?><rss version="2.0"/>', None, Kind.XML),
        (b'<rss version="2.0"><channel/></rss>', "text/html", Kind.XML),  # mislabelled by server
        (
            b'\n\n  <?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"/>',
            None,
            Kind.XML,
        ),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", None, Kind.XML),
        (b"<!-- generator --><?xml-stylesheet href='x.xsl'?><feed/>", "text/xml", Kind.XML),
        (
            b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x"><rss/>',
            None,
            Kind.XML,
        ),
        (codecs.BOM_UTF16_BE + "<rss/>".encode("utf-16-be"), None, Kind.XML),
        (b"Warning: something in /var/www/feed.php\n<?xml version='1.0'?><rss/>", None, Kind.XML),
        (b'{"broken": ', "application/json", Kind.JSON),
        (b"callback({})", "application/json", Kind.JSON),  # JSONP: the JSON reader explains
        (b"<unknown-root/>", "application/xml", Kind.XML),  # feedparser decides
    ],
)
def test_sniff(body: bytes, content_type: str | None, kind: Kind) -> None:
    assert sniff(body, content_type) is kind


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!DOCTYPE html><html><head><title>Login</title></head></html>", "text/html"),
        (b"<!doctype HTML>\n<html>", None),
        (b"<html><body>Just a moment...</body></html>", "text/html; charset=utf-8"),
        (b"\n<head><title>Document Moved</title></head><body>here</body>", None),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x">'
            b'\n<html xmlns="http://www.w3.org/1999/xhtml"/>',
            "application/xhtml+xml",
        ),
        (b"<!-- a comment --><HTML><BODY>x</BODY></HTML>", None),
        (b"<p>hello</p>", None),
    ],
)
def test_html_pages_are_not_feeds(body: bytes, content_type: str | None) -> None:
    with pytest.raises(NotAFeedError, match=HTML_MESSAGE) as caught:
        sniff(body, content_type)
    assert caught.value.permanent
    assert caught.value.kind == "not_a_feed"


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", ["binary", "image/png"]),
        (b"GIF89a\x01\x00\x01\x00\x00\xff\x00", None, ["binary"]),
        (b"Hello, this is plain text.", "text/plain", ["text", "text/plain"]),
        (b"%PDF-1.4 ...", "application/pdf", ["application/pdf"]),
    ],
)
def test_other_documents_are_not_feeds(
    body: bytes, content_type: str | None, words: list[str]
) -> None:
    with pytest.raises(NotAFeedError) as caught:
        sniff(body, content_type)
    message = str(caught.value)
    assert message.startswith("the document is not a feed")
    for word in words:
        assert word in message


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n"])
def test_empty_body_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError, match="empty") as caught:
        sniff(body, "application/rss+xml")
    assert not isinstance(caught.value, NotAFeedError)


def test_parse_feed_refuses_html_with_the_readable_message(parse: ParseHelper) -> None:
    with pytest.raises(NotAFeedError, match=HTML_MESSAGE):
        parse("<!DOCTYPE html><html><body><a href='/feed'>feed</a></body></html>")


def test_parse_feed_refuses_an_empty_body(parse: ParseHelper) -> None:
    with pytest.raises(ParseError, match="the document is empty"):
        parse(b"")
