"""The keys of a story: a link's canonical form (its fast path held equal to the parsed one),
titles and dates, text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidings.storykeys import (
    _canonical,
    _plain,
    canonical_link,
    content_key,
    link_key,
    same_title,
    title_key,
)


@pytest.mark.parametrize(
    ("link", "canonical"),
    [
        ("HTTPS://Example.ORG/A/b", "https://example.org/A/b"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/a#comments", "https://example.org/a"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("https://e.org/a?utm_source=rss&utm_medium=feed", "https://e.org/a"),
        ("https://e.org/a?b=2&fbclid=x&a=1&UTM_Campaign=y", "https://e.org/a?a=1&b=2"),
        ("https://medium.com/@w/story-3f2a?source=rss----9e1", "https://medium.com/@w/story-3f2a"),
        ("https://e.org/?p=123&ref=twitter", "https://e.org/?p=123"),
        ("  https://e.org/a \n", "https://e.org/a"),
        ("/relative/only", None),
        ("", None),
        (None, None),
        ("http://[::1/", None),
    ],
)
def test_canonical_link(link: str | None, canonical: str | None) -> None:
    assert canonical_link(link) == canonical


_parts = st.sampled_from(
    [
        "http",
        "HTTPS",
        "ftp",
        "svn+ssh",
        "://",
        ":",
        "/",
        "//",
        "a",
        "B",
        "e.org",
        "EX.com",
        "?",
        "#",
        "@",
        "%41",
        "\t",
        " ",
        "[",
        "]",
        "\\",
        "8080",
        "ü",
        "utm_source=x",
        "&",
        "=",
        "p=1",
    ]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_parts, max_size=12).map("".join))
def test_the_fast_path_is_the_parsed_one(link: str) -> None:
    plain = _plain(link)
    if plain is not None:
        assert plain == _canonical(link)


def test_titles_and_dates() -> None:
    when = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert same_title(" Fed  Holds ", "fed holds") and not same_title("", "")
    assert title_key("Fed Holds", when) == title_key("fed  holds", when)
    # the same moment in another zone, or naive (as stored: UTC)
    assert title_key("T", when) == title_key("T", when.astimezone(timezone(timedelta(hours=2))))
    assert title_key("T", when) == title_key("T", when.replace(tzinfo=None))
    assert title_key("T", when) != title_key("T", when + timedelta(seconds=1))
    assert title_key("T", None) is None and title_key(None, when) is None


def test_text_and_links() -> None:
    assert content_key(None, " ") is None
    assert content_key("<p>x</p>", None) != content_key(None, "<p>x</p>")
    assert link_key("https://e.org/a?utm_source=x") == link_key("HTTPS://e.org/a#top")
    assert link_key("https://e.org/a") != link_key("http://e.org/a")
