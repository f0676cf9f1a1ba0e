"""Our copy of feedparser's vocabulary is still feedparser's.

:mod:`tidings.parse.vocabulary` writes out the tables the fast path shares with feedparser (its
namespace prefixes, the elements it has end handlers for, the URIs it resolves, the types it
takes for HTML) and its guess that a text is HTML. These tests compare each with feedparser's
own, which live only on private classes: importing them here, and nowhere in ``src/``, is on
purpose. When a feedparser upgrade changes what the fast path must know, this is what fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from feedparser.mixin import _FeedParserMixin  # the reference; private, so tests only
from feedparser.sanitizer import _HTMLSanitizer  # the reference; private, so tests only
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from tests.shared import require
from tidings.parse.vocabulary import (
    CAN_BE_RELATIVE,
    END_HANDLERS,
    HTML_ELEMENTS,
    HTML_TYPES,
    NAMESPACES,
    looks_like_html,
)

from .conftest import corpus_dir


def test_namespaces_are_feedparsers() -> None:
    # feedparser matches namespace URIs lower-cased (its _matchnamespaces), as do we
    expected = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
    assert expected == NAMESPACES


def test_end_handlers_are_feedparsers() -> None:
    expected = {name[len("_end_") :] for name in dir(_FeedParserMixin) if name.startswith("_end_")}
    assert expected == END_HANDLERS


def test_relative_uri_elements_are_feedparsers() -> None:
    assert set(_FeedParserMixin.can_be_relative_uri) == CAN_BE_RELATIVE


def test_html_types_are_feedparsers() -> None:
    assert set(_FeedParserMixin.html_types) == HTML_TYPES


def test_html_elements_are_feedparsers() -> None:
    assert set(_HTMLSanitizer.acceptable_elements) == HTML_ELEMENTS


SAMPLES = [
    "",
    "plain text",
    "a < b and c > d",
    "AT&T",
    "R&D;",
    "Tom &amp Jerry",
    "&amp;",
    "&AMP;",
    "&#38;",
    "&#x26;",
    "&#;",
    "&nbsp;",
    "&apos;",
    "&bogus;",
    "&café;",
    "<p>hi</p>",
    "<P>Hi</P>",
    "<DIV>x</DIV>",
    "<b>bold",
    "<br/>",
    "<br />x</br>",
    "</p>",
    "<p>x</p",
    "x</>",
    "<h1>x</h1>",
    "<script>x</script>",
    "<p>x</p><script>",
    "<svg>x</svg>",
    "<custom>x</custom>",
    "<event-source>x</event-source>",
    "<über>x</über>",
    "<p>&copy; 2024</p>",
    "<p>&apos;</p>",
    "<a href='/x'>&lt;tag&gt;</a>",
    "<em>x</em> &amp; <strong>y</strong>",
    "1 &lt 2 </b>",
    "<img src=x onerror=alert(1)>",
    "<p>caf\u00e9 &eacute;</p>",
]


@pytest.mark.parametrize("value", SAMPLES)
def test_looks_like_html_agrees(value: str) -> None:
    assert looks_like_html(value) is bool(_FeedParserMixin.looks_like_html(value))


def _markup_like_values(folder: Path) -> Iterator[str]:
    """Every text, tail and attribute value with a "<" or "&" in the XML files under ``folder``."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        try:
            root = etree.fromstring(path.read_bytes(), parser)
        except etree.Error:
            continue
        if root is None:
            continue
        for node in root.iter():
            for value in (node.text, node.tail, *node.attrib.values()):
                if value and ("<" in value or "&" in value):
                    yield value


def test_looks_like_html_agrees_on_corpus_text() -> None:
    folder = require(corpus_dir())
    values = {
        *_markup_like_values(folder),
        *_markup_like_values(folder.parent / "feedparser-tests"),
    }
    assert values
    wrong = sorted(
        value[:200]
        for value in values
        if looks_like_html(value) is not bool(_FeedParserMixin.looks_like_html(value))
    )
    assert not wrong
