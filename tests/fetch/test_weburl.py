from __future__ import annotations

import pytest

from tidings.errors import FetchError
from tidings.fetch.weburl import web_url_candidates


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("example.org/feed", ["https://example.org/feed", "http://example.org/feed"]),
        (" example.org ", ["https://example.org", "http://example.org"]),
        ("localhost:8080/feed", ["https://localhost:8080/feed", "http://localhost:8080/feed"]),
        ("127.0.0.1:8080", ["https://127.0.0.1:8080", "http://127.0.0.1:8080"]),
        ("//example.org/rss", ["https://example.org/rss", "http://example.org/rss"]),
        ("https://example.org/feed", ["https://example.org/feed"]),
        ("http://example.org/feed", ["http://example.org/feed"]),
        ("HTTP://Example.org/feed", ["HTTP://Example.org/feed"]),
    ],
)
def test_web_url_candidates(text: str, candidates: list[str]) -> None:
    assert web_url_candidates(text) == candidates


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("ftp://example.org/feed", "ftp: is not http or https"),
        ("javascript:alert(1)", "javascript: is not http or https"),
        ("mailto:someone@example.org", "mailto: is not http or https"),
        ("file:///etc/passwd", "file: is not http or https"),
        ("example.org/my feed", "no spaces"),
        ("https://", "no host"),
        ("http:///feed", "no host"),
    ],
)
def test_what_is_not_a_web_url_is_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(FetchError, match="not a web URL") as info:
        web_url_candidates(text)
    assert why in str(info.value)
    assert info.value.kind == "bad_url"
    assert info.value.permanent
