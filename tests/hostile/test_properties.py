"""Properties of the sanitizer, for any input hypothesis can build (O-SAFE as laws).

- idempotent: cleaning clean HTML changes nothing;
- it never adds markup: the output's elements are a subset of the input's (plus the table
  sections an HTML parser implies) and of the allowlist, and there are no more of them;
- no unsafe scheme gets through, however the scheme is spelled: character references (decimal,
  hex, padded, without semicolons, named), case, and whitespace or control characters inside.
"""

from __future__ import annotations

import html
import os
import string

import nh3
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.hostile.oracles import element_names, fragment_problems, url_scheme
from tidings.parse import ALLOWED_TAGS, sanitize_html

# slow together (about 13 s here): property tests with many examples each
pytestmark = pytest.mark.slow

BASE = "https://feeds.example/dir/feed.xml"
# a few seconds in CI; TIDINGS_PROPERTY_EXAMPLES=5000 for a longer search
PROPERTIES = settings(
    max_examples=int(os.environ.get("TIDINGS_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TAGS = sorted(
    ALLOWED_TAGS
    | {"script", "style", "iframe", "svg", "math", "form", "input", "button", "object", "embed",
       "meta", "base", "link", "noscript", "template", "textarea", "select", "option", "body",
       "html", "head", "title", "frameset", "frame", "marquee", "animate", "set", "use",
       "foreignObject", "xmp", "plaintext", "noembed", "image", "isindex", "keygen"}
)  # fmt: skip
ATTRIBUTES = [
    "href", "src", "srcset", "poster", "cite", "data", "action", "formaction", "style", "onerror",
    "onload", "OnMouseOver", "onfocus", "srcdoc", "xlink:href", "xmlns", "ping", "target", "rel",
    "background", "dynsrc", "lowsrc", "title", "alt", "width", "colspan", "dir", "type", "open",
    "http-equiv", "content", "autofocus", "referrerpolicy", "values", "to", "attributeName",
]  # fmt: skip
DANGEROUS_SCHEMES = ["javascript", "vbscript", "livescript", "mocha", "data", "file", "jar"]
# whatever a browser strips from a scheme before reading it, and what it decodes first
INVISIBLE = ["\t", "\n", "\r", "&#9;", "&#10;", "&#x0A;", "&Tab;", "&NewLine;", "&#13;"]
LEADING = ["", " ", "\x01", "\x00", "&#1;", "&#x20;", "\x1f", "\u00a0", "\ufeff"]


@st.composite
def encoded_char(draw: st.DrawFn, char: str) -> str:
    """One character spelled as raw, upper/lower case, or a character reference."""
    code = ord(char)
    spelling = draw(st.integers(0, 6))
    if spelling == 0:
        return char
    if spelling == 1:
        return char.upper() if draw(st.booleans()) else char.lower()
    zeros = "0" * draw(st.integers(0, 7))
    semicolon = ";" if draw(st.booleans()) else ""
    if spelling == 2:
        return f"&#{zeros}{code}{semicolon}"
    if spelling == 3:
        x = draw(st.sampled_from(["x", "X"]))
        digits = f"{code:x}" if draw(st.booleans()) else f"{code:X}"
        return f"&#{x}{zeros}{digits}{semicolon}"
    if spelling == 4 and char == ":":
        return "&colon;"
    if spelling == 5:
        return char + draw(st.sampled_from(INVISIBLE))
    return char


@st.composite
def hostile_url(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(DANGEROUS_SCHEMES))
    spelled = "".join(draw(encoded_char(c)) for c in scheme + ":")
    payload = draw(st.sampled_from(["alert(1)", "text/html,<script>alert(1)</script>", "x"]))
    return draw(st.sampled_from(LEADING)) + spelled + payload


@st.composite
def attribute(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(ATTRIBUTES))
    value = draw(
        st.one_of(
            hostile_url(),
            st.sampled_from(["https://ok.example/i.png", "/rel", "x", "alert(1)", ""]),
            st.text(alphabet=string.printable, max_size=20),
        )
    )
    quote = draw(st.sampled_from(['"', "'", ""]))
    if not quote:
        value = "".join(c for c in value if c not in " \t\n\r\f>\"'=<`") or "x"
    else:
        value = value.replace(quote, html.escape(quote))
    return f" {name}={quote}{value}{quote}"


@st.composite
def fragment(draw: st.DrawFn, depth: int = 0) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 9))
        if kind <= 5 and depth < 4:
            tag = draw(st.sampled_from(TAGS))
            attrs = "".join(draw(st.lists(attribute(), max_size=3)))
            inner = draw(fragment(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag.upper()}>"]))
            parts.append(f"<{tag}{attrs}>{inner}{close}")
        elif kind == 6:
            parts.append(draw(st.sampled_from(["<!--", "-->", "<!-- x -->", "<![CDATA[", "]]>",
                                               "<!--><script>", "<!", "</", "<", ">", "&", "&amp;",
                                               "&lt;script&gt;", "<?php ?>", "\x00"])))  # fmt: skip
        else:
            parts.append(draw(st.text(alphabet=string.ascii_letters + " <>&\"'=/", max_size=12)))
    return "".join(parts)


# the table sections an HTML parser inserts by itself around rows and cells
IMPLIED = {"tbody", "tr", "colgroup"}
RENAMED = {"image": "img"}
_HTML5 = nh3.Cleaner(tags=set(ALLOWED_TAGS), attributes={}, link_rel=None, strip_comments=True)


@PROPERTIES
@given(fragment())
# found by this test: a control character or CR from a character reference, an unwrapped
# element between two that cannot nest
@example('<a title="&#1;vbscript:alert(1)"></a>')
@example('<a title="javascript:&#13;alert(1)"></a>')
@example("<h1><foreignObject><h1></h1></foreignObject></h1>")
@example("<p>a<font><p>b</p></font></p><a href=x><blink><a href=y>c</a></blink></a>")
def test_idempotent(markup: str) -> None:
    once = sanitize_html(markup, BASE)
    assert sanitize_html(once, BASE) == once


@PROPERTIES
@given(fragment())
def test_never_adds_markup(markup: str) -> None:
    out = sanitize_html(markup, BASE)
    names = element_names(out)
    assert names <= ALLOWED_TAGS
    # the elements an HTML5 parser finds in the input: html5ever (through a cleaner that keeps
    # every allowed element and nothing else), since Python's tokenizer reads comments and raw
    # text differently from browsers; and its renames (<image> is read as <img>)
    source = {RENAMED.get(n.lower(), n.lower()) for n in element_names(markup)}
    source |= element_names(_HTML5.clean(markup))
    implied = IMPLIED if "table" in source else set()
    assert names <= source | implied, (names - source, markup, out)
    assert out.count("<") - out.count("</") <= markup.count("<") + 2 * len(implied & names)


@PROPERTIES
@given(fragment())
def test_output_is_safe(markup: str) -> None:
    assert fragment_problems(sanitize_html(markup, BASE)) == []


@PROPERTIES
@given(
    url=hostile_url(),
    tag=st.sampled_from(["a", "img", "video", "audio", "source", "blockquote", "q", "iframe"]),
    attr=st.sampled_from(["href", "src", "poster", "cite", "srcset", "xlink:href", "action"]),
)
def test_no_unsafe_scheme_after_decoding(url: str, tag: str, attr: str) -> None:
    """However ``javascript:`` is spelled, no URL attribute keeps a scheme outside the allowlist."""
    out = sanitize_html(f'<{tag} {attr}="{url}">x</{tag}>', BASE)
    assert fragment_problems(out) == [], (url, out)
    for value in _attribute_values(out):
        scheme = url_scheme(value)
        assert scheme in (None, "http", "https", "mailto"), (url, out)


def _attribute_values(markup: str) -> list[str]:
    from html.parser import HTMLParser

    values: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values.extend(v for k, v in attrs if v and k in ("href", "src", "poster", "cite"))

    Collect(convert_charrefs=True).feed(markup)
    return values


@PROPERTIES
@given(st.text(max_size=200))
def test_any_text_is_safe_and_stable(text: str) -> None:
    out = sanitize_html(text, BASE)
    assert fragment_problems(out) == []
    assert sanitize_html(out, BASE) == out
    out.encode("utf-8")
