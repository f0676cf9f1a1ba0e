"""The plain text that full-text search indexes for an item (``store.search`` says why plain
text). Apart from the rest of search, and free of SQLAlchemy, because it is worked out where
items are parsed: in the parsing processes, off the store's one writing thread.
"""

from __future__ import annotations

import html
import re

MAX_TEXT_CHARS = 200_000  # plain text indexed per item

_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "img", "li", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_HIDDEN = frozenset({"script", "style", "template", "title", "head"})
# control characters, noncharacters and lone surrogates: kept out of the index and of queries
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


# a tag (its attributes quoted or not), a comment, or a declaration; and the elements whose
# content is never text, dropped whole before the tags (the sanitizer has removed them from
# stored HTML already: this is for any other caller)
_TAG = re.compile(
    r"""<(/?)([A-Za-z][^\s/>]*)(?:[^>"']|"[^"]*"|'[^']*')*>|<!--.*?(?:-->|$)|<![^>]*>""", re.S
)
_HIDDEN_ELEMENTS = re.compile(
    r"<(" + "|".join(sorted(_HIDDEN)) + r")\b.*?(?:</\1\s*>|$)", re.S | re.I
)


def _tag_as_text(match: re.Match[str]) -> str:
    name = match.group(2)
    return " " if name is not None and name.lower() in _BLOCKS else ""


def _html_text(fragment: str) -> str:
    """Text nodes only: attribute values and tag names never reach the index. Regular
    expressions rather than a parser: the sanitizer's output is regular, and this runs for
    every stored item."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    if "<" in fragment:
        fragment = _TAG.sub(_tag_as_text, _HIDDEN_ELEMENTS.sub("", fragment))
    return html.unescape(fragment) if "&" in fragment else fragment


def search_text_of(summary_html: str | None, content_html: str | None) -> str | None:
    """The plain text indexed for an item: its summary, then its content unless that repeats it."""
    summary = " ".join(_html_text(summary_html or "").split())
    content = " ".join(_html_text(content_html or "").split())
    text = content if summary and summary in content else f"{summary} {content}".strip()
    text = CONTROLS.sub("", text)[:MAX_TEXT_CHARS]
    return text or None
