"""Plain text out of feed strings: titles, descriptions, authors, categories.

Text fields are stored as text and escaped once when rendered, so everything here returns the
string a reader should see, never markup.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter

import nh3

# Characters that are not allowed in XML 1.0 or cannot be stored as UTF-8 (lone surrogates), plus
# DEL and the noncharacters U+FFFE/U+FFFF.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_BAD_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])

# Elements whose boundaries separate words; everything else is inline and simply unwrapped.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div",
        "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "img", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Elements whose content is not text a reader would see.
DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "object", "embed", "applet", "frame", "frameset",
        "noscript", "noembed", "noframes", "template", "svg", "math", "textarea", "select",
        "title", "xmp", "plaintext", "head",
    }
)  # fmt: skip
_TAG = re.compile(r"<[^>]*>")
_HTML_HINT = re.compile(
    r"</[A-Za-z][A-Za-z0-9]*\s*>|<(?:br|hr|img)\b[^>]*>"
    r"|&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);",
    re.IGNORECASE,
)
_START_OR_END = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
_START = re.compile(r"<([A-Za-z][^\s/>]*)")

# Deeper than this, html5ever's tree building turns quadratic (100,000 nested <div> take ~50 s);
# real content never comes close.
MAX_DEPTH = 1000
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
        "param", "source", "track", "wbr",
    }
)  # fmt: skip
# Elements the HTML parser closes by itself when a sibling starts, so they do not nest.
_SELF_CLOSING_SIBLINGS = frozenset(
    {
        "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody",
        "tfoot", "colgroup", "caption", "rb", "rt", "rp", "rtc",
    }
)  # fmt: skip
_NOT_NESTING = _VOID | _SELF_CLOSING_SIBLINGS


def clean_text(value: str) -> str:
    """Remove characters that cannot be stored or shown (controls, lone surrogates)."""
    if _is_clean(value):
        return value
    if _SURROGATES.search(value):
        value = _SURROGATES.sub("\ufffd", value)
    return _BAD_CHARS.sub("", value)


def _is_clean(value: str) -> bool:
    """Whether ``value`` has none of the characters clean_text removes.

    The usual case, answered in C at a few times the speed of a regular expression: UTF-8
    refuses a lone surrogate, and the control characters removed are the only characters
    whose UTF-8 bytes include those in ``_BAD_BYTES``.
    """
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    if len(encoded.translate(None, _BAD_BYTES)) != len(encoded):
        return False
    return value.isascii() or ("\ufffe" not in value and "\uffff" not in value)


def collapse_whitespace(value: str) -> str:
    return " ".join(value.split())


def plain(value: object) -> str | None:
    """A text field as given: cleaned, whitespace collapsed, None when empty."""
    if not isinstance(value, str):
        return None
    return collapse_whitespace(clean_text(value)) or None


def looks_like_html(value: str) -> bool:
    """Whether an untyped field (RSS author, category) carries markup or entities."""
    return _HTML_HINT.search(value) is not None


def too_deep(markup: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the elements nest deeper than ``limit`` (a cheap upper bound, no parsing)."""
    if markup.count("<") - markup.count("</") <= limit:  # at most that many start tags
        return False
    # nor deeper than its start tags of elements that can hold others, counted in C
    starts = Counter(_START.findall(markup))
    if sum(n for name, n in starts.items() if name.lower() not in _NOT_NESTING) <= limit:
        return False
    depth = 0
    for match in _START_OR_END.finditer(markup):
        name = match.group(2).lower()
        if name in _VOID or name in _SELF_CLOSING_SIBLINGS:
            continue
        if match.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > limit:
                return True
    return False


@functools.cache
def _text_cleaner() -> nh3.Cleaner:
    """Built once (nh3.clean would rebuild the allowlist on every call): keeps only block tags."""
    return nh3.Cleaner(
        tags=set(_BLOCK_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={},
        strip_comments=True,
        link_rel=None,
        url_schemes=set(),
    )


def html_to_text(html_fragment: str) -> str:
    """The text a reader would see: tags removed, entities decoded, whitespace collapsed.

    html5ever (through nh3) parses the fragment as a browser would, so comments, CDATA and broken
    markup end where a browser ends them; only word boundaries at block elements survive it.
    """
    value = clean_text(html_fragment)
    if "<" not in value and "&" not in value:
        return collapse_whitespace(value)
    if too_deep(value):
        # pathological nesting: a crude but linear strip is good enough for text
        return collapse_whitespace(html.unescape(_TAG.sub(" ", value)))
    cleaned = _text_cleaner().clean(value)
    return collapse_whitespace(html.unescape(_TAG.sub(" ", cleaned)))


def markup_to_text(value: object, is_html: bool) -> str | None:
    """A text field from a value that is HTML (``is_html``) or already text."""
    if not isinstance(value, str):
        return None
    text = html_to_text(value) if is_html else collapse_whitespace(clean_text(value))
    return text or None


def text_to_html(text: str) -> str:
    """Plain text as HTML that shows the same text: escaped, blank lines as paragraphs."""
    text = clean_text(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n", text)]
    return "".join(
        "<p>" + html.escape(p, quote=False).replace("\n", "<br>") + "</p>" for p in paragraphs if p
    )
