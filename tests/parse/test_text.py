"""text.py: markup to the text a reader sees, text to HTML that shows the same text."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tidings.parse import html_to_text, sanitize_html
from tidings.parse.text import (
    clean_text,
    looks_like_html,
    markup_to_text,
    plain,
    text_to_html,
)


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("plain words", "plain words"),
        ("  spaced \n\t out  ", "spaced out"),
        ("<b>Bold</b> news", "Bold news"),
        ("a &#180; b", "a ´ b"),
        ("It&#8217;s &#x201C;quoted&#x201D; &amp; &lt;fine&gt;", "It’s “quoted” & <fine>"),
        ("Ben &amp;amp; Jerry", "Ben &amp; Jerry"),  # decoded once, not twice
        ("AT&T", "AT&T"),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
        ("<p>one</p><p>two</p>", "one two"),
        ("line<br>break", "line break"),
        ("<ul><li>a</li><li>b</li></ul>", "a b"),
        ("in<b>line</b>", "inline"),
        ("<script>alert(1)</script>safe", "safe"),
        ("<style>p{}</style>shown", "shown"),
        ("x<!-- hidden -->y", "xy"),
        ("<![CDATA[x]]>y", "y"),
        ("&nbsp;nbsp&nbsp;", "nbsp"),
        ("a\x00b\x1fc\ud800d", "abc\ufffdd"),
        ("<img src=x onerror=alert(1)>", ""),
        ("", ""),
    ],
)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_html_to_text_survives_pathological_nesting() -> None:
    assert html_to_text("<div>" * 100_000 + "deep &amp; down") == "deep & down"


@pytest.mark.parametrize(
    ("value", "is_html", "text"),
    [
        ("<b>x</b> &amp;", True, "x &"),
        ("<b>x</b> &amp;", False, "<b>x</b> &amp;"),  # text stays exactly as given
        ("   ", False, None),
        (None, True, None),
        (42, False, None),
    ],
)
def test_markup_to_text(value: object, is_html: bool, text: str | None) -> None:
    assert markup_to_text(value, is_html) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tom &amp; Jerry", True),
        ("<b>bold</b>", True),
        ("line<br/>break", True),
        ("Why <div> is bad", False),
        ("a < b > c", False),
        ("AT&T", False),
        ("<svg onload=alert(1)>", False),
    ],
)
def test_looks_like_html(value: str, expected: bool) -> None:
    assert looks_like_html(value) is expected


@pytest.mark.parametrize(
    ("text", "markup"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("a & b", "<p>a &amp; b</p>"),
        ("one\ntwo\n\nthree", "<p>one<br>two</p><p>three</p>"),
        ("\r\n para \r\n\r\n next ", "<p>para</p><p>next</p>"),
        ("", ""),
    ],
)
def test_text_to_html(text: str, markup: str) -> None:
    assert text_to_html(text) == markup
    assert sanitize_html(markup, None) == markup  # already a fixed point of the sanitizer
    assert html_to_text(markup) == " ".join(text.split())


@pytest.mark.parametrize(
    ("value", "expected"),
    [("  a  b ", "a b"), ("", None), ("\x00", None), (None, None), (["x"], None)],
)
def test_plain(value: object, expected: str | None) -> None:
    assert plain(value) == expected


_REMOVED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(exclude_categories=())))
@example("a\x7fb\ud800c\ufffe\uffff\t\n\r\x0c")
@example("caf\u00e9 \U0001f600")
def test_clean_text_removes_exactly_the_characters_it_names(value: str) -> None:
    """Controls (but tab, newline and CR), DEL and U+FFFE/U+FFFF go; a lone surrogate becomes
    U+FFFD; anything else stays, and a clean value is returned as it is."""
    expected = _REMOVED.sub("", re.sub("[\ud800-\udfff]", "\ufffd", value))
    assert clean_text(value) == expected
    if expected == value:
        assert clean_text(value) is value
