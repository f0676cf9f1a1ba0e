"""urls.py: resolution against the right base, and only http(s) (mailto on links) out."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidings.parse import urls
from tidings.parse.urls import LINK_SCHEMES, absolute_url, resolve_base, safe_srcset, split_srcset

BASE = "https://news.example.org/blog/feed.xml"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://a.example/x", "https://a.example/x"),
        ("HTTP://A.example/x", "HTTP://A.example/x"),
        ("/about", "https://news.example.org/about"),
        ("post/1", "https://news.example.org/blog/post/1"),
        ("../up", "https://news.example.org/up"),
        ("//cdn.example/i.png", "https://cdn.example/i.png"),
        ("  https://a.example/x \n", "https://a.example/x"),
        ("https://a.exa\nmple/x", "https://a.example/x"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        (" \x01java\tscript:alert(1)", None),
        ("data:image/png;base64,AAAA", None),
        ("vbscript:x", None),
        ("file:///etc/passwd", None),
        ("ftp://files.example/x", None),
        ("mailto:ed@example.org", None),  # not on media and enclosures
        ("http://", None),
        ("https:///path-only", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_absolute_url(value: object, expected: str | None) -> None:
    assert absolute_url(value, BASE) == expected


def test_mailto_only_where_allowed() -> None:
    assert absolute_url("mailto:ed@example.org", BASE, schemes=LINK_SCHEMES) == (
        "mailto:ed@example.org"
    )
    assert absolute_url("mailto:", BASE, schemes=LINK_SCHEMES) is None


def test_relative_without_base_is_dropped() -> None:
    assert absolute_url("/x", None) is None
    assert absolute_url("https://a.example/", None) == "https://a.example/"


@pytest.mark.parametrize(
    ("xml_base", "expected"),
    [
        (None, BASE),
        ("", BASE),
        ("https://other.example/dir/", "https://other.example/dir/"),
        ("sub/", "https://news.example.org/blog/sub/"),
        ("javascript:alert(1)", BASE),
    ],
)
def test_resolve_base(xml_base: str | None, expected: str) -> None:
    assert resolve_base(xml_base, BASE) == expected


@pytest.mark.parametrize(
    ("srcset", "candidates"),
    [
        ("a.png 1x, b.png 2x", [("a.png", "1x"), ("b.png", "2x")]),
        ("a.png, b.png 2x", [("a.png", ""), ("b.png", "2x")]),
        ("a,b.png 100w,c.png 200w", [("a,b.png", "100w"), ("c.png", "200w")]),
        ("  x.png  ", [("x.png", "")]),
        ("", []),
    ],
)
def test_split_srcset(srcset: str, candidates: list[tuple[str, str]]) -> None:
    assert list(split_srcset(srcset)) == candidates


@pytest.mark.parametrize(
    ("srcset", "expected"),
    [
        (
            "a.png 1x, /b.png 2x",
            "https://news.example.org/blog/a.png 1x, https://news.example.org/b.png 2x",
        ),
        ("javascript:alert(1) 1x, ok.png 2x", "https://news.example.org/blog/ok.png 2x"),
        ("javascript:alert(1)", None),
        ("x.png bogus", "https://news.example.org/blog/x.png"),
    ],
)
def test_safe_srcset(srcset: str, expected: str | None) -> None:
    assert safe_srcset(srcset, BASE) == expected


_PATH_CHARS = st.sampled_from([*"/abc.-_~?#=&%:@!$'()*+,;[]\\ é\t", "..", "./", "/."])
_BASES = st.sampled_from(
    [
        "https://e.org",
        "https://e.org/x/y.html?q=1#top",
        "HTTPS://E.org:8080/a/",
        "http://user:pw@h.example/x",
        "http://h.example?x",
        "http://h.example#y",
        "mailto:someone@e.org",
        "https://[::1]/x",
    ]
)


@given(base=_BASES, path=st.lists(_PATH_CHARS, max_size=12).map(lambda p: "/" + "".join(p)))
def test_an_absolute_path_resolves_as_the_long_way_does(base: str, path: str) -> None:
    """The shortcut for "/a/b" gives what resolving with urljoin and checking would."""
    for schemes in (urls.WEB_SCHEMES, urls.LINK_SCHEMES, frozenset({"mailto"})):
        long_way = _absolute_url_the_long_way(path, base, schemes)
        assert absolute_url(path, base, schemes=schemes) == long_way


def _absolute_url_the_long_way(value: str, base: str, schemes: frozenset[str]) -> str | None:
    """absolute_url with the shortcuts for plain URLs and paths turned off."""
    never = re.compile(r"(?!)")
    with (
        mock.patch.object(urls, "_PLAIN_PATH", never),
        mock.patch.object(urls, "_PLAIN_WEB_URL", never),
    ):
        return absolute_url(value, base, schemes=schemes)
