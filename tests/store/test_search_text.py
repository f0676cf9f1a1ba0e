"""The search index's plain text, worked out with regular expressions, against a real HTML
parser's text nodes: equal on every item of the shared corpus, and on markup built to fool it."""

from __future__ import annotations

import contextlib
from html.parser import HTMLParser

import pytest

from tests.parse.conftest import corpus_files
from tidings.errors import ParseError
from tidings.parse import parse_feed, sanitize_html
from tidings.store.searchtext import _BLOCKS, _HIDDEN, search_text_of


class _Reference(HTMLParser):
    """Text nodes only, as the standard library's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def reference(html: str) -> str:
    parser = _Reference()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def ours(html: str) -> str:
    return search_text_of(html, None) or ""


def test_every_corpus_item_gives_the_parsers_text() -> None:
    files = corpus_files()
    if not files:
        pytest.skip("the shared corpus is not here")
    fields = 0
    for path in files:
        with contextlib.suppress(ParseError):
            parsed = parse_feed(path.read_bytes(), url="https://corpus.example.org/f.xml")
            for item in parsed.items:
                for html in (item.summary_html, item.content_html):
                    if html:
                        fields += 1
                        assert ours(html) == reference(html), (path.name, html[:300])
    assert fields > 3_000


@pytest.mark.parametrize(
    "html",
    [
        '<img alt="a > b" src="https://e.org/i.png">after',
        "<p>one</p><p>two</p>three<br>four",
        "x &lt;p&gt; y &amp;amp; z &#60;b&#62;",
        "<a href='https://e.org/?a=1&amp;b=2' title='>'>link</a>",
        "<pre>\n  code   here\n</pre>",
        "<table><tr><td>a</td><td>b</td></tr></table>",
        "<em>in</em>line<strong>words</strong>",
    ],
)
def test_sanitized_markup_gives_the_parsers_text(html: str) -> None:
    cleaned = sanitize_html(html, "https://e.org/")
    assert ours(cleaned) == reference(cleaned)


def test_hidden_elements_and_comments_never_reach_the_index() -> None:
    raw = "<p>kept</p><script>var secret = 1;</script><style>p{}</style><!-- note -->end"
    assert ours(raw) == "kept end"
    assert ours("<title>t</title>body") == "body"
