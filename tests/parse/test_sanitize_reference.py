"""sanitize.py's attribute pass against nh3's own attribute_filter, the reference.

The sanitizer runs nh3 without a Python callback (so that nh3 keeps the GIL released) and
checks the attributes afterwards, in one pass over nh3's output. Here the same checks
(``_filter_attribute``) run the way nh3 runs an ``attribute_filter``, inside the cleaner, and the
two results must be the same string: over every HTML field of the shared corpus and of
feedparser's test documents (through both XML paths), over the hostile cases and over
generated markup full of the attributes that are checked.
"""

from __future__ import annotations

import contextlib
import string
from collections.abc import Iterator
from pathlib import Path

import nh3
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests import shared
from tidings.parse import _parse, items, sanitize
from tidings.parse.text import DROP_WITH_CONTENT, clean_text
from tidings.parse.urls import LINK_SCHEMES

from .conftest import corpus_files
from .test_sanitize import BASE, HOSTILE

_base: list[str | None] = [None]
_REFERENCE = nh3.Cleaner(
    tags=set(sanitize.ALLOWED_TAGS),
    clean_content_tags=set(DROP_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in sanitize.ALLOWED_ATTRIBUTES.items()},
    attribute_filter=lambda tag, name, value: sanitize._filter_attribute(
        _base[0], tag, name, value
    ),
    strip_comments=True,
    link_rel="noopener noreferrer",
    url_schemes=set(LINK_SCHEMES),
)


def _reference_clean_once(html: str, base_url: str | None) -> str:
    """The sanitizer's one pass as it was with the filter inside nh3."""
    _base[0] = base_url
    cleaned = clean_text(_REFERENCE.clean(html))
    cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    return sanitize._PRE_NEWLINE.sub("\\1\n\n", cleaned) if "<pre" in cleaned else cleaned


@contextlib.contextmanager
def _reference() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sanitize, "_clean_once", _reference_clean_once)
        yield


def assert_same(html: str, base: str | None) -> None:
    ours = sanitize.sanitize_html(html, base)
    with _reference():
        reference = sanitize.sanitize_html(html, base)
    assert ours == reference, (html, base)


def _fields(paths: list[Path], url: str) -> set[tuple[str, str | None]]:
    """Every (HTML, base) the mapping hands to the sanitizer for these documents."""
    seen: set[tuple[str, str | None]] = set()

    def record(html: str, base: str | None) -> str:
        seen.add((html, base))
        return html

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(items, "sanitize_html", record)
        for path in paths:
            body = path.read_bytes()
            for route in ("auto", "feedparser"):
                with contextlib.suppress(Exception):
                    _parse(body, url=url + path.name, headers={}, max_items=5000, path=route)
    return seen


@pytest.mark.slow
@pytest.mark.skipif(not corpus_files(), reason="no corpus")
def test_every_corpus_field_is_cleaned_as_the_reference_cleans_it() -> None:
    paths = corpus_files() + sorted(shared.FEEDPARSER_TESTS.rglob("*.xml"))
    fields = _fields(paths, "https://corpus.example.org/feeds/")
    assert len(fields) > 1000
    differ = []
    for html, base in fields:
        ours = sanitize.sanitize_html(html, base)
        with _reference():
            if ours != sanitize.sanitize_html(html, base):
                differ.append(html[:200])
    assert not differ, differ[:5]


@pytest.mark.parametrize("markup", [markup for markup, _ in HOSTILE])
def test_hostile_markup_is_cleaned_as_the_reference_cleans_it(markup: str) -> None:
    assert_same(markup, BASE)
    assert_same(markup, None)


@pytest.mark.parametrize(
    "markup",
    [
        # a dropped attribute takes the last one's place (ammonia's swap_remove), rel included
        '<a title="t" href="/x" hreflang="en">a</a>',
        '<table><tr><td colspan="2x" rowspan="2" headers="h">t</td></tr></table>',
        '<img width="x" height="y" src="/a.png" alt="a" title="t">',
        '<ol type="Q" start="x" reversed=""><li value="v">a</li></ol>',
        # values that change: resolved, stripped, escaped again
        '<a href="?a=1&amp;b=&quot;2&quot;&lt;&gt;">q</a>',
        '<img src=" https://a.example/i.png " width=" 10 " srcset="a.png 1x,b.png 2x">',
        '<a href="https://a.example/\u00a0x">nbsp</a><a href="https://a.example/&nbsp;">e</a>',
        '<a href="HTTPS://A.example/x">upper</a><a href="https://[::1]/">v6</a>',
        '<img src="https://a.example/' + "x" * 8200 + '">',
        '<source type=" video/mp4 " src="/v.mp4"><source type="bad type" src="/v.mp4">',
        '<p dir="RTL">r</p><p dir=" ltr">l</p><th scope="ROW">h</th><audio preload="Auto">',
        # text that reads like attributes is text
        '<p title="x"> href="javascript:alert(1)" src="/y"</p>',
        "<p>a &#13; b &#1; c</p><pre>\n\nx</pre>",
    ],
)
def test_attribute_checks_match_the_reference(markup: str) -> None:
    assert_same(markup, BASE)
    assert_same(markup, None)


_TAGS = ["a", "img", "source", "video", "audio", "td", "th", "ol", "li", "col", "q", "p", "time"]
_NAMES = [
    "href", "src", "srcset", "poster", "cite", "width", "height", "colspan", "rowspan", "span",
    "start", "value", "type", "dir", "scope", "preload", "title", "alt", "lang", "hreflang",
    "sizes", "media", "datetime", "headers", "abbr", "onerror", "style", "rel", "target",
]  # fmt: skip
_VALUES = st.one_of(
    st.sampled_from(
        [
            "https://a.example/i.png", "http://a.example/?a=1&b=2", "/rel", "../up", "x.png",
            "//cdn.example/x", "javascript:alert(1)", "&#106;avascript:x", "mailto:a@b.example",
            "data:image/png;base64,AA", " 12 ", "-3", "1e3", "100%", "10.5", "ltr", "RTL",
            "row", "auto", "video/mp4", 'video/mp4; codecs="avc1"', "a.png 1x, /b.png 2x",
            "a.png, javascript:x 2x", "&amp;&quot;&lt;&gt;&nbsp;", "caf\u00e9", "",
        ]
    ),
    st.text(alphabet=string.printable + "\u00a0\u00e9", max_size=24),
)  # fmt: skip


@st.composite
def _element(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attributes = ""
    for name in draw(st.lists(st.sampled_from(_NAMES), max_size=6)):
        value = draw(_VALUES).replace('"', "&quot;")
        attributes += f' {name}="{value}"'
    inner = draw(st.text(alphabet=string.ascii_letters + ' "=&<>', max_size=10))
    markup = f"<{tag}{attributes}>{inner}</{tag}>"
    return f"<table><tr>{markup}</tr></table>" if tag in ("td", "th") else markup


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_element(), min_size=1, max_size=4), st.sampled_from([BASE, None]))
@example(['<a href="/x" title="t">a</a>'], None)
def test_generated_attributes_match_the_reference(elements: list[str], base: str | None) -> None:
    assert_same("".join(elements), base)


def test_a_tag_written_otherwise_is_refused_not_passed() -> None:
    """Were nh3 to write a start tag in a shape the pass does not know, it would not guess."""
    with pytest.raises(sanitize._UnexpectedMarkup):
        sanitize._check("<img src='javascript:alert(1)'>", BASE)
    with pytest.raises(sanitize._UnexpectedMarkup):
        sanitize._check('<img alt="x" src=javascript:alert(1)>', BASE)
    assert sanitize._check('<img src="/a.png">', BASE) == (
        '<img src="https://news.example.org/a.png">'
    )
