"""XSS at ingest: every content case in every format, every text and URL field in every format.

What the parser hands to the store is what every page and outgoing feed shows, so the oracles
run here on ``ParsedFeed``; ``test_xss_render`` checks the same data once more where it is shown.
"""

from __future__ import annotations

import pytest

from tests.hostile import cases
from tests.hostile.cases import CONTENT, FORMATS, TEXT, URLS, Doc, Entry
from tests.hostile.oracles import element_names, fragment_problems, url_problem
from tidings.parse import ALLOWED_TAGS, html_to_text, parse_feed, sanitize_html
from tidings.types import ParsedFeed

FEED_URL = "https://feeds.example/hostile.xml"


def parse(fmt: str, doc: Doc, *, cdata: bool = False) -> ParsedFeed:
    body = cases.rss(doc, cdata=True) if cdata else cases.build(fmt, doc)
    return parse_feed(body, url=FEED_URL, headers={"content-type": cases.CONTENT_TYPES[fmt]})


def html_fields(parsed: ParsedFeed) -> list[str]:
    return [h for i in parsed.items for h in (i.summary_html, i.content_html) if h]


DELIVERIES = [*FORMATS, "rss-cdata"]


@pytest.mark.parametrize("fmt", DELIVERIES)
@pytest.mark.parametrize("case", list(CONTENT))
def test_content_is_safe_html(case: str, fmt: str) -> None:
    """O-SAFE on the stored HTML, plus the text a reader must still see."""
    html, expected_text = CONTENT[case]
    doc = Doc(entries=[Entry(content=html)])
    parsed = parse(fmt.split("-")[0], doc, cdata=fmt == "rss-cdata")
    assert len(parsed.items) == 1
    fields = html_fields(parsed)
    for stored in fields:
        assert fragment_problems(stored) == [], stored
        assert element_names(stored) <= ALLOWED_TAGS
        assert sanitize_html(stored, FEED_URL) == stored, "not a fixed point"
    if expected_text is not None:
        assert fields, "the item's text was lost"
        assert all(html_to_text(f) == expected_text for f in fields), fields


@pytest.mark.parametrize("case", list(CONTENT))
def test_content_sanitizer_directly(case: str) -> None:
    """The sanitizer alone, as the API write paths and the settings' re-narrowing call it."""
    html, expected_text = CONTENT[case]
    out = sanitize_html(html, FEED_URL)
    assert fragment_problems(out) == []
    assert sanitize_html(out, FEED_URL) == out
    if expected_text is not None:
        assert html_to_text(out) == expected_text


def test_relative_urls_resolve_against_the_feed_not_our_origin() -> None:
    """X31: '/logout' in an item is the publisher's /logout, never ours."""
    out = sanitize_html('<img src="/logout"><a href="/admin">a</a>', FEED_URL)
    assert 'src="https://feeds.example/logout"' in out
    assert 'href="https://feeds.example/admin"' in out


def test_links_get_noopener_noreferrer() -> None:
    """X27: every link the sanitizer keeps gets rel=noopener noreferrer; target is dropped."""
    out = sanitize_html('<a href="https://evil.example/" target="_blank">x</a>', FEED_URL)
    assert 'rel="noopener noreferrer"' in out
    assert "target" not in out


def test_raster_data_images_and_privacy_attributes() -> None:
    """X08/X28: a data: image is dropped with the rest of data:, ping/referrerpolicy too."""
    out = sanitize_html(
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="a">'
        '<a href="https://ok.example/" ping="https://t.example/">x</a>',
        FEED_URL,
    )
    assert "data:" not in out
    assert "ping" not in out


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", list(TEXT))
def test_text_fields_stay_text(case: str, fmt: str) -> None:
    """O-TEXT at ingest: titles, authors, categories and the feed's own text are the literal
    string (markup and all), to be escaped once where shown, never HTML."""
    text = TEXT[case]
    doc = Doc(
        title=text,
        description=text,
        entries=[Entry(title=text, author=text, categories=(text, "plain"))],
    )
    parsed = parse(fmt, doc)
    (item,) = parsed.items
    assert parsed.title == text
    assert item.title == text
    # an untyped RSS author or category may be HTML (publishers write "&lt;b&gt;"): it is the
    # literal string or the text of that HTML, either way text to be escaped where shown
    read_as = {text, html_to_text(text) or None}
    assert item.author in read_as or (item.author and text in item.author)
    assert "plain" in item.categories
    assert set(item.categories) - {"plain"} <= read_as
    # a feed's description is HTML in RSS and Atom: stored as the text of that HTML
    assert parsed.description in read_as


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", list(URLS))
def test_url_fields_are_web_urls(case: str, fmt: str) -> None:
    """T06-T08: a hostile link, comments, enclosure, image, site or self URL is dropped, never
    stored; the safe fields of the same item survive."""
    url = URLS[case]
    doc = Doc(
        link=url,
        image=url,
        self_url=url,
        entries=[Entry(link=url, enclosure=url, image=url, comments=url, content="<p>kept</p>")],
    )
    parsed = parse(fmt, doc)
    (item,) = parsed.items
    for value in (parsed.link, parsed.image, item.link, item.image):
        assert value is None or url_problem(value, relative_ok=False) is None, value
    for enclosure in item.enclosures:
        assert url_problem(enclosure.url, relative_ok=False) is None, enclosure
    assert item.summary_html or item.content_html


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
@pytest.mark.parametrize(
    ("case", "length", "mime"),
    [
        ("T07-negative-length", "-1", "audio/mpeg"),
        ("T07-overflow-length", "1e309", "audio/mpeg"),
        ("T07-text-length", "abc", "audio/mpeg"),
        ("T07-huge-length", "9" * 40, "audio/mpeg"),
        ("T07-type-breakout", "1", 'audio/mpeg" onerror="alert(1)'),
    ],
)
def test_enclosure_attributes(fmt: str, case: str, length: str, mime: str) -> None:
    """T07: odd lengths are unknown (no crash), an odd type stays an attribute value."""
    doc = Doc(entries=[Entry(enclosure="https://ok.example/a.mp3", enclosure_length=length,
                             enclosure_type=mime)])  # fmt: skip
    parsed = parse(fmt, doc)
    (item,) = parsed.items
    for enclosure in item.enclosures:
        assert enclosure.length is None or 0 <= enclosure.length < 2**63
        assert url_problem(enclosure.url, relative_ok=False) is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_plain_text_content_is_shown_literally(fmt: str) -> None:
    """X32: content declared as text keeps its '<script>' as text, escaped in the stored HTML."""
    if fmt == "atom":
        body = (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>'
            b"<entry><id>urn:1</id><title>e</title>"
            b'<content type="text">&lt;script&gt;alert(1)&lt;/script&gt;</content></entry></feed>'
        )
    elif fmt == "json":
        body = (
            b'{"version":"https://jsonfeed.org/version/1.1","title":"t",'
            b'"items":[{"id":"1","content_text":"<script>alert(1)</script>"}]}'
        )
    else:
        doc = Doc(entries=[Entry(content="&lt;script&gt;alert(1)&lt;/script&gt;")])
        body = cases.build(fmt, doc)
    parsed = parse_feed(body, url=FEED_URL)
    for stored in html_fields(parsed):
        assert fragment_problems(stored) == []
        assert "&lt;script&gt;" in stored or "alert" not in stored


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_huge_and_combining_titles(fmt: str) -> None:
    """T12: a 1 MB title and one of 10,000 combining characters parse and stay bounded text."""
    for title in ("A" * 1_000_000, "a" + "\u0301" * 10_000):
        parsed = parse(fmt, Doc(entries=[Entry(title=title)]))
        (item,) = parsed.items
        assert item.title is not None
        assert item.title.startswith(title[:100])
