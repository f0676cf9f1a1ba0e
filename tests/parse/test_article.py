"""The article of a page: the post's text without the page's navigation, sidebar, comments and
footer, sanitized as any feed's HTML, and a reason when a page holds none."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.parse.article import MIN_WORDS, ArticleError, extract_article, page_text
from tidings.parse.text import html_to_text

PAGES = Path(__file__).parent / "fixtures" / "articles"
BLOG = (PAGES / "blog.html").read_bytes()
PAYWALL = (PAGES / "paywall.html").read_bytes()
HTML = {"content-type": "text/html; charset=utf-8"}
URL = "https://lowmarsh.example/2026/11/ferry/"

# the article's own sentences, and what surrounds it on the page
IN_ARTICLE = [
    "For ninety years the council of Lowmarsh",
    "The arithmetic of a crossing",
    "We are not against bridges",
    "The council has already booked the fitters.",
]
AROUND = [
    "Newsletter signup",  # navigation
    "Popular posts",  # sidebar
    "A field guide to eel traps",
    "cheap boat insurance",  # comments
    "My grandmother worked the horse gin",
    "Post comment",
    "All rights reserved",  # footer
    "Cookie settings",
    "analyticsQueue",  # scripts
]


def test_the_article_of_a_blog_page_without_what_surrounds_it() -> None:
    article = extract_article(BLOG, HTML, URL)
    text = html_to_text(article)
    for sentence in IN_ARTICLE:
        assert sentence in text
    for other in AROUND:
        assert other not in text, other


def test_relative_urls_are_resolved_against_the_pages_final_url() -> None:
    article = extract_article(BLOG, HTML, URL)
    assert 'href="https://lowmarsh.example/archive/ferry-minutes-1932.pdf"' in article
    assert 'src="https://lowmarsh.example/images/ferry-1961.jpg"' in article
    assert 'rel="noopener noreferrer"' in article


def test_a_paywall_stub_is_no_article() -> None:
    with pytest.raises(ArticleError, match="no article on the page") as info:
        extract_article(PAYWALL, HTML, URL)
    assert info.value.permanent


def test_a_page_no_longer_than_the_feeds_own_text_adds_nothing() -> None:
    article = extract_article(BLOG, HTML, URL)
    with pytest.raises(ArticleError, match="no more text than the feed's own"):
        extract_article(BLOG, HTML, URL, feed_html=article + "<p>and a line more</p>")
    # a short summary in the feed: the page's article is kept
    assert extract_article(BLOG, HTML, URL, feed_html="<p>The ferry stays.</p>") == article


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/pdf", b"%PDF-1.7"),
        ("image/png", b"\x89PNG\r\n"),
        ("application/json", b'{"a": 1}'),
        (None, b"just some bytes"),
    ],
)
def test_what_is_not_a_web_page_is_refused(content_type: str | None, body: bytes) -> None:
    headers = {"content-type": content_type} if content_type else {}
    with pytest.raises(ArticleError, match="not a web page"):
        extract_article(body, headers, URL)


def test_the_pages_own_charset_is_read_when_the_server_gives_none() -> None:
    page = BLOG.replace(b'<meta charset="utf-8">', b'<meta charset="iso-8859-1">')
    page = page.replace(b"Mara Fen writes", "Mara Fen écrit".encode("latin-1"))
    page = page.replace(b"For ninety years", "Für ninety years".encode("latin-1"))
    assert "Für ninety years" in page_text(page, {"content-type": "text/html"})
    assert "Für ninety years" in html_to_text(
        extract_article(page, {"content-type": "text/html"}, URL)
    )


# hostile markup inside the article (../shared/security/hostile-cases.md X01, X02, X04, X05,
# X09, X12, X19, X24): whatever trafilatura keeps of it, the sanitizer has the last word
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">a javascript link</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="vbscript:msgbox(1)">vbscript</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<img src="x" alt="&quot; onerror=alert(1) x=&quot;">',
    '<svg><a xlink:href="javascript:alert(1)"><text y=20>x</text></a></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">styled</p>',
]


def test_hostile_markup_in_the_article_is_sanitized() -> None:
    marker = b"<p>The bridge, by the council"
    hostile = "".join(f"<p>Case {i}: {case} end.</p>" for i, case in enumerate(HOSTILE))
    page = BLOG.replace(marker, hostile.encode() + marker)
    article = extract_article(page, HTML, URL).lower()
    assert "For ninety years".lower() in article
    for bad in ("<script", "onerror", "javascript:", "vbscript:", "<meta", "<iframe", "<svg"):
        assert bad not in article, bad
    for bad in ("onclick", "style=", "alert(1)</"):
        assert bad not in article, bad


def test_the_threshold_is_words_of_text() -> None:
    words = " ".join(["word"] * (MIN_WORDS + 5))
    page = f"<html><body><article><h1>T</h1><p>{words}.</p></article></body></html>".encode()
    assert "word word" in extract_article(page, HTML, URL)


def test_extraction_never_opens_a_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the extractor tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert "ninety years" in extract_article(BLOG, HTML, URL)
