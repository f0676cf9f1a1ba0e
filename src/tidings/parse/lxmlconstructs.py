"""Text constructs (title, summary, content ...) read from lxml elements as feedparser reads them.

A construct's value depends on its declared type and on what it holds: plain character data,
inline XHTML (written back tag by tag), markup inside a construct declared as text or HTML
(feedparser then changes its mind about the type), base64. The reader (``lxmlread``) files the
value and its detail record as feedparser would; anything not read here as feedparser would read
it raises :class:`~tidings.parse.lxmlnodes.Decline`.
"""

from __future__ import annotations

import base64
import binascii
from xml.sax.saxutils import escape

from tidings.parse.lxmlnodes import (
    END_HANDLERS,
    XHTML,
    Decline,
    Node,
    Record,
    attributes,
    finish,
    looks_like_html,
    name_of,
)


def read_construct(node: Node, base: str, version: str, default: str) -> tuple[str, Record]:
    """A text construct's value and its detail record (``type``, ``base``, ``value``).

    ``version`` is the document's (feedparser's name), ``default`` the type the element has when
    it declares none.
    """
    if default != XHTML and not len(node) and not node.items():
        # the usual case, plain character data of the default type: the steps below that
        # could change it are a text/plain value that looks like HTML, and finish()
        output, kind = (node.text or "").strip(), default
    else:
        attrs = attributes(node) if node.items() else {}
        declared = map_content_type(attrs.get("type", default))
        output, kind = _markup(node, declared, version)
        if is_base64(attrs, declared):
            output = decode_base64(output)
    if not version.startswith("atom") and kind == "text/plain" and looks_like_html(output):
        kind = "text/html"
    value = finish(output)
    return value, {"type": kind, "base": base, "value": value}


def _markup(node: Node, kind: str, version: str) -> tuple[str, str]:
    """The construct's content as text, and its type once read (markup can make it XHTML)."""
    if len(node):
        if kind == XHTML:
            pieces = xhtml_pieces(node)
        elif kind.endswith("xml"):
            raise Decline("elements inside an XML construct that is not XHTML")
        else:
            pieces, kind = mixed_pieces(node, kind)
        if version == "atom10" and kind == XHTML:
            pieces = strip_xhtml_div(pieces)
        return "".join(pieces).strip(), kind
    if kind == XHTML:
        return "".join(xhtml_pieces(node)).strip(), kind
    return (node.text or "").strip(), kind


def map_content_type(kind: str) -> str:
    kind = kind.lower()
    if kind in ("text", "plain"):
        return "text/plain"
    if kind == "html":
        return "text/html"
    if kind == "xhtml":
        return XHTML
    return kind


def is_base64(attrs: dict[str, str], kind: str) -> bool:
    if attrs.get("mode", "") == "base64":
        return True
    return not (kind.startswith("text/") or kind.endswith("+xml") or kind.endswith("/xml"))


def decode_base64(output: str) -> str:
    try:
        return base64.decodebytes(output.encode("utf8")).decode("utf8")
    except (binascii.Error, binascii.Incomplete, UnicodeDecodeError):
        return output


def xhtml_pieces(node: Node) -> list[str]:
    """Inline XHTML as feedparser writes it back: each element as start tag, content, end tag."""
    pieces: list[str] = []
    if node.text:
        pieces.append(escape(node.text))
    for child in node:
        _write_element(child, pieces)
    return pieces


def _write_element(node: Node, pieces: list[str]) -> None:
    if name_of(node) in END_HANDLERS:
        raise Decline("markup with an element name that feedparser acts on")
    local = str(node.tag).rsplit("}", 1)[-1].lower()
    pieces.append(f"<{local}{_write_attributes(node)}>")
    if node.text:
        pieces.append(escape(node.text))
    for child in node:
        _write_element(child, pieces)
    pieces.append(f"</{local}>")
    if node.tail:
        pieces.append(escape(node.tail))


def _write_attributes(node: Node) -> str:
    return "".join(
        f' {key}="{escape(value, {chr(34): "&quot;"})}"' for key, value in attributes(node).items()
    )


def mixed_pieces(node: Node, kind: str) -> tuple[list[str], str]:
    """Markup inside a construct declared as text or HTML, as feedparser reads it.

    feedparser drops the tags of ``div`` elements, and at the first other element decides the
    construct was XHTML after all: from there on, tags are written back and text is escaped.
    Returns the pieces and the type the construct ends with.
    """
    pieces: list[str] = []
    state = [kind]

    def data(text: str | None) -> None:
        if text:
            pieces.append(escape(text) if state[0] == XHTML else text)

    def element(child: Node) -> None:
        name = name_of(child)
        if name in END_HANDLERS:
            raise Decline("markup with an element name that feedparser acts on")
        local = str(child.tag).rsplit("}", 1)[-1].lower()
        dropped = state[0] != XHTML and name in ("div", "xhtml_div")
        if not dropped:
            state[0] = XHTML
            pieces.append(f"<{local}{_write_attributes(child)}>")
        data(child.text)
        for grandchild in child:
            element(grandchild)
        if state[0] == XHTML:
            pieces.append(f"</{local}>")
        data(child.tail)

    data(node.text)
    for child in node:
        element(child)
    return pieces, state[0]


def strip_xhtml_div(pieces: list[str]) -> list[str]:
    """feedparser's removal of the one ``div`` that wraps Atom 1.0 XHTML content."""
    while len(pieces) > 1 and not pieces[-1].strip():
        del pieces[-1]
    while len(pieces) > 1 and not pieces[0].strip():
        del pieces[0]
    wrapped = pieces and (pieces[0] == "<div>" or pieces[0].startswith("<div "))
    if wrapped and pieces[-1] == "</div>":
        depth = 0
        for piece in pieces[:-1]:
            if piece.startswith("</"):
                depth -= 1
                if depth == 0:
                    return pieces
            elif piece.startswith("<") and not piece.endswith("/>"):
                depth += 1
        return pieces[1:-1]
    return pieces
