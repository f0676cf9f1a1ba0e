from __future__ import annotations

import pytest

from tidings.fetch.discover import (
    GUESSED_PATHS,
    MAX_SCAN,
    feed_links_in_html,
    guess_feed_urls,
    looks_like_html,
)

BASE = "https://example.com/blog/post.html"

PAGE = b"""<!DOCTYPE html>
<html><head>
<title>Blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" href="atom.xml">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rdf+xml" href="https://other.example/index.rdf">
<link rel="alternate" type="application/feed+json" href="//cdn.example.com/feed.json">
<link rel="alternate" type="application/json" href="/wp-json/feed">
<link rel="alternate" type="application/rss+xml" href="/feed.xml#dup">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
</head><body>hello</body></html>
"""


def test_feed_links_in_document_order_absolute_and_deduplicated() -> None:
    assert feed_links_in_html(PAGE, BASE) == [
        "https://example.com/feed.xml",
        "https://example.com/blog/atom.xml",
        "https://other.example/index.rdf",
        "https://cdn.example.com/feed.json",
        "https://example.com/wp-json/feed",
    ]


@pytest.mark.parametrize(
    "tag",
    [
        b'<link rel="alternate feed" type="application/rss+xml" href="/f">',
        b'<LINK REL="Alternate" TYPE="Application/RSS+XML" HREF="/f">',
        b"<link rel=alternate type=application/rss+xml href=/f>",
        b'<link rel=" feed  alternate " type="application/rss+xml; charset=utf-8" href=" /f ">',
        b'<link type="application/atom+xml" href="/f" rel="alternate" />',
        b'<link rel="alternate" type="application/rss+xml" href="/f" rel="stylesheet">',
        b'<link rel="alternate" type="application/rss+xml" href="&#x2f;f">',
    ],
)
def test_rel_and_type_variants(tag: bytes) -> None:
    assert feed_links_in_html(b"<head>" + tag, "https://example.com/") == ["https://example.com/f"]


@pytest.mark.parametrize(
    "tag",
    [
        b'<link rel="stylesheet" type="application/rss+xml" href="/f">',
        b'<link rel="alternate" type="text/html" href="/f">',
        b'<link rel="alternate" href="/f">',
        b'<link rel="alternate" type="application/rss+xml">',
        b'<link rel="alternate" type="application/rss+xml" href="">',
        b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">',
        b'<link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">',
        b'<link rel="alternate" type="application/rss+xml" href="http://[::1/">',
        b'<a rel="alternate" type="application/rss+xml" href="/f">',
        b'<!-- <link rel="alternate" type="application/rss+xml" href="/f"> -->',
        b'<script>"<link rel=alternate type=application/rss+xml href=/f>"</script>',
    ],
)
def test_non_feed_links_are_ignored(tag: bytes) -> None:
    assert feed_links_in_html(b"<head>" + tag, "https://example.com/") == []


def test_base_href_is_honoured() -> None:
    page = (
        b'<head><base href="https://static.example/sub/">'
        b'<base href="https://ignored.example/">'
        b'<link rel="alternate" type="application/rss+xml" href="rss.xml"></head>'
    )
    assert feed_links_in_html(page, BASE) == ["https://static.example/sub/rss.xml"]


def test_a_relative_base_resolves_against_the_page() -> None:
    page = b'<base href="/other/"><link rel="alternate" type="application/atom+xml" href="a.xml">'
    assert feed_links_in_html(page, BASE) == ["https://example.com/other/a.xml"]


def test_a_javascript_base_is_ignored() -> None:
    page = b'<base href="javascript:x"><link rel="alternate" type="application/atom+xml" href="a">'
    assert feed_links_in_html(page, BASE) == ["https://example.com/blog/a"]


@pytest.mark.parametrize(
    "page",
    [
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/f"',
        b'<head><title>unclosed<link rel="alternate" type="application/rss+xml" href="/f">',
        b'<<<>>><link rel="alternate" type="application/rss+xml" href="/f"></div></p>',
        b'<head><link rel="alternate" type="application/rss+xml" href="/f"><p <a href=">',
        b"\xff\xfe<\x00h\x00e\x00a\x00d\x00>\x00",  # UTF-16 with a BOM, no links
        b'\xef\xbb\xbf<link rel="alternate" type="application/rss+xml" href="/f">',
        b'<meta charset="latin-1"><title>caf\xe9</title>'
        b'<link rel="alternate" type="application/rss+xml" href="/f">',
        b"",
    ],
)
def test_broken_html_is_tolerated(page: bytes) -> None:
    links = feed_links_in_html(page, "https://example.com/")
    assert links in ([], ["https://example.com/f"])


def test_utf16_page() -> None:
    page = '<link rel="alternate" type="application/rss+xml" href="/f">'.encode("utf-16")
    assert feed_links_in_html(page, "https://example.com/") == ["https://example.com/f"]


def test_only_the_start_of_a_huge_page_is_scanned() -> None:
    link = b'<link rel="alternate" type="application/rss+xml" href="/late">'
    page = b"<head>" + b" " * MAX_SCAN + link
    assert feed_links_in_html(page, "https://example.com/") == []


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"<!DOCTYPE html><html><head>", "text/html", True),
        (b"  \n<html lang=en>", None, True),
        (b"\xef\xbb\xbf<!doctype HTML>", "application/octet-stream", True),
        (
            b'<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">',
            "application/xml",
            True,
        ),
        (b"<head><title>x</title></head>", None, True),
        (b'<?xml version="1.0"?><rss version="2.0"><channel>', "text/html", False),
        (b'<feed xmlns="http://www.w3.org/2005/Atom">', "text/html; charset=utf-8", False),
        (b"<rdf:RDF xmlns:rdf=...>", "text/html", False),
        (b"<rss><channel><description>&lt;html&gt;</description>", "text/html", False),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "text/html", False),
        (b"[]", None, False),
        (b"just some text", "text/html", True),
        (b"just some text", "text/plain", False),
        (b"", "application/xhtml+xml", True),
        (b"", None, False),
    ],
)
def test_looks_like_html(body: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_html(body, content_type) is expected


def test_guess_feed_urls_on_the_same_origin_in_order() -> None:
    assert guess_feed_urls("https://user:pw@Example.com:8443/?x=1#y") == [
        "https://Example.com:8443/feed",
        "https://Example.com:8443/feed/",
        "https://Example.com:8443/rss",
        "https://Example.com:8443/rss.xml",
        "https://Example.com:8443/atom.xml",
        "https://Example.com:8443/feed.xml",
        "https://Example.com:8443/index.xml",
        "https://Example.com:8443/feed.json",
        "https://Example.com:8443/?feed=rss2",
    ]


@pytest.mark.parametrize(
    ("url", "directories"),
    [
        ("https://example.com", ["/"]),
        ("https://example.com/", ["/"]),
        ("https://example.com/blog/", ["/blog/", "/"]),
        ("https://example.com/blog", ["/blog/", "/"]),
        ("https://example.com/blog/index.html", ["/blog/", "/"]),
        ("https://example.com/a/b/", ["/a/b/", "/"]),
        ("https://example.com/blog/post?x=1", ["/blog/post/", "/blog/", "/"]),
        ("https://example.com/index.php", ["/"]),
    ],
)
def test_guess_feed_urls_beside_the_page_first_then_at_the_root(
    url: str, directories: list[str]
) -> None:
    guesses = guess_feed_urls(url)
    assert guesses[:: len(GUESSED_PATHS)] == [f"https://example.com{d}feed" for d in directories]
    assert len(guesses) == len(directories) * len(GUESSED_PATHS)
    if directories[0] == "/blog/":
        assert guesses[:4] == [
            "https://example.com/blog/feed",
            "https://example.com/blog/feed/",
            "https://example.com/blog/rss",
            "https://example.com/blog/rss.xml",
        ]
        assert "https://example.com/blog/?feed=rss2" in guesses


def test_guess_feed_urls_keeps_ipv6_brackets() -> None:
    assert guess_feed_urls("http://[2001:db8::1]/x")[0] == "http://[2001:db8::1]/x/feed"
    assert guess_feed_urls("http://[2001:db8::1]/")[0] == "http://[2001:db8::1]/feed"


@pytest.mark.parametrize("url", ["ftp://example.com/", "/relative", "javascript:x", "http://", ""])
def test_guess_feed_urls_needs_an_http_origin(url: str) -> None:
    assert guess_feed_urls(url) == []
