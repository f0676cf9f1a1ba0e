"""Field conversions shared by the XML and JSON readers, so both give the same kind of values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

from tidings.parse.sanitize import sanitize_html, text_as_html
from tidings.parse.text import clean_text, looks_like_html, markup_to_text
from tidings.parse.urls import absolute_url
from tidings.types import Enclosure

T = TypeVar("T")

MAX_ID_LENGTH = 4096
_MIME = re.compile(r"[A-Za-z0-9][\w.+\-]*/[\w.+\-]+")
_LENGTH = re.compile(r"\d{1,19}")


def clean_id(value: object) -> str | None:
    """An item id as the feed gives it (numbers become strings), None when empty or absurd."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if not isinstance(value, str):
        return None
    value = clean_text(value).strip()
    if not value or len(value) > MAX_ID_LENGTH:
        return None
    return value


Sanitized = dict[tuple[str, str | None], str | None]


def html_field(
    value: object, kind: object, base: str | None, done: Sanitized | None = None
) -> str | None:
    """An item's summary or content as sanitized HTML; text/plain is escaped so it stays text.

    ``done`` keeps one document's results: its items often repeat a summary in the content,
    or the same HTML from item to item, and the sanitizer is most of the cost of a parse.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    is_html = not isinstance(kind, str) or not kind or "html" in kind
    if not is_html:
        return text_as_html(value).strip() or None
    if done is None:
        return sanitize_html(value, base).strip() or None
    key = (value, base)
    if key not in done:
        done[key] = sanitize_html(value, base).strip() or None
    return done[key]


def markup_or_text(value: object) -> str | None:
    """An untyped text field (author, category) that may carry escaped markup."""
    if not isinstance(value, str):
        return None
    return markup_to_text(value, is_html=looks_like_html(value))


def unique(values: Iterable[str | None]) -> list[str]:
    """Non-empty values, first occurrence kept, in order."""
    seen: set[str] = set()
    result = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            result.append(value)
    return result


def enclosure(url: object, kind: object, length: object, base: str | None) -> Enclosure | None:
    """An enclosure with an absolute http(s) URL; a bad type or length becomes None."""
    href = absolute_url(url, base)
    if href is None:
        return None
    mime = kind.strip().lower() if isinstance(kind, str) else None
    if mime is not None and not _MIME.fullmatch(mime):
        mime = None
    return Enclosure(url=href, type=mime, length=_length(length))


def _length(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 2**63 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 <= value < 2**63 else None
    if isinstance(value, str) and _LENGTH.fullmatch(value.strip()):
        number = int(value.strip())
        return number if number < 2**63 else None
    return None


def cap_items(entries: Sequence[T], max_items: int) -> tuple[Sequence[T], str | None]:
    """The first ``max_items`` entries (document order), and a note when some were cut."""
    if len(entries) <= max_items:
        return entries, None
    return entries[:max_items], f"the feed has {len(entries)} items; kept the first {max_items}"
