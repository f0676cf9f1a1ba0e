"""Which character encoding a feed is really in, and the feed decoded to clean text for parsing.

Three sources claim an encoding: the byte order mark, the HTTP ``charset`` and the XML
declaration. The BOM is always right. The other two are often wrong (server-wide defaults,
templates that hard-code a declaration), so the bytes get a say: text that is valid UTF-8 and
not plain ASCII is UTF-8 whatever was declared, and bytes that are not valid UTF-8 are read with
the legacy encoding that was declared, else as windows-1252. Labels follow what browsers do
(``iso-8859-1`` and ``us-ascii`` mean windows-1252, ``gb2312`` means gb18030), so ``’`` and ``“``
in a feed declared iso-8859-1 come out as the publisher meant. Each wrong declaration becomes a
readable warning.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from tidings.parse.text import clean_text
from tidings.timefmt import count

UTF8 = "utf-8"
WINDOWS_1252 = "cp1252"
_FALLBACK_ERRORS = "tidings.windows-1252"

# WHATWG windows-1252: the five bytes Python's cp1252 leaves undefined map to the C1 controls.
_WINDOWS_1252 = "".join(
    chr(b) if ch == "\ufffd" else ch
    for b, ch in enumerate(bytes(range(256)).decode(WINDOWS_1252, errors="replace"))
)


def _windows_1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that do not fit are read as windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_WINDOWS_1252[b] for b in bad), error.end


codecs.register_error(_FALLBACK_ERRORS, _windows_1252_fallback)

# Labels Python does not know, or knows as something narrower than what publishers mean.
_LABEL_ALIASES = {
    "x-sjis": "cp932", "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932",
    "windows-31j": "cp932", "x-mac-roman": "mac-roman", "x-mac-cyrillic": "mac-cyrillic",
    "x-euc-jp": "euc_jp", "iso-8859-8-i": "iso8859-8", "ks_c_5601-1987": "cp949",
    "unicode-1-1-utf-8": UTF8, "x-unicode20utf8": UTF8, "utf8": UTF8,
}  # fmt: skip
# Python codec names replaced by the superset browsers use for the same label.
_SUPERSETS = {
    "iso8859-1": WINDOWS_1252, "ascii": WINDOWS_1252, "latin-1": WINDOWS_1252,
    "iso8859-9": "cp1254", "iso8859-11": "cp874", "gb2312": "gb18030", "gbk": "gb18030",
    "euc_kr": "cp949", "big5": "big5hkscs", "utf-8-sig": UTF8,
}  # fmt: skip
# Text codecs that are not document encodings (or are an XSS vector, like UTF-7).
_REFUSED = frozenset(
    {"utf-7", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"}
)
_WIDE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
_DISPLAY = {WINDOWS_1252: "windows-1252", "cp1250": "windows-1250", "cp1251": "windows-1251",
            "cp1253": "windows-1253", "cp1254": "windows-1254", "cp1255": "windows-1255",
            "cp1256": "windows-1256", "cp1257": "windows-1257", "cp1258": "windows-1258",
            "cp932": "shift_jis", "cp949": "euc-kr"}  # fmt: skip
# Server defaults that are more often wrong than a document's own declaration.
_SERVER_DEFAULTS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})

_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, UTF8),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC
_XML_DECLARED = re.compile(
    rb"""<\?xml\s[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:\-]{1,40})\s*["']"""
)
_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE)
_DECLARATION = re.compile(r"<\?xml\b[^>]*\?>")
_FIRST_MARKUP = re.compile(r"<[?!A-Za-z]")
_FEED_ROOT = re.compile(r"<(?:[A-Za-z_][\w.\-]*:)?(?:rss|feed|RDF|channel)\b", re.IGNORECASE)
CLEAN_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


@dataclass(frozen=True, slots=True)
class Decoded:
    """A document as text, with the encoding it was read in and what was wrong with its labels."""

    text: str
    encoding: str  # a Python codec name
    warnings: tuple[str, ...] = ()


def display_name(codec: str) -> str:
    return _DISPLAY.get(codec, codec)


def codec_for_label(label: str | None) -> str | None:
    """The Python codec for an encoding label, as browsers read the label; None if unusable."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _LABEL_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    codec = info.name.replace("_", "-") if info.name.startswith("utf") else info.name
    if codec in _REFUSED or info.name in _REFUSED:
        return None
    return _SUPERSETS.get(codec, codec)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header (the last one, if it is repeated)."""
    if not content_type:
        return None
    found = _CHARSET.findall(content_type)
    return found[-1] if found else None


def declared_encoding(head: bytes) -> str | None:
    """The encoding label of the XML declaration among the first bytes (ASCII-compatible)."""
    match = _XML_DECLARED.search(head[:1024])
    return match.group(1).decode("ascii") if match else None


def _bom(body: bytes) -> tuple[str | None, int]:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    return None, 0


def _utf16_or_32_without_bom(body: bytes) -> str | None:
    """UTF-16/32 recognised by the zero bytes around the first ASCII characters."""
    head = body[:4]
    if len(head) < 4:
        return None
    if head[:3] == b"\x00\x00\x00" and head[3]:
        return "utf-32-be"
    if head[0] and head[1:] == b"\x00\x00\x00":
        return "utf-32-le"
    if head[0] == 0 and head[1] and head[2] == 0 and head[3]:
        return "utf-16-be"
    if head[0] and head[1] == 0 and head[2] and head[3] == 0:
        return "utf-16-le"
    return None


def _decode_unicode(
    body: bytes, codec: str, http_charset: str | None, xml: bool, bom: bool, notes: list[str]
) -> Decoded:
    """A document whose BOM (or zero-byte pattern) says which Unicode encoding it is."""
    text = _strict(body, codec)
    if text is None and codec == UTF8:
        notes.append("the document is UTF-8 but has bytes that are not; read those as windows-1252")
        text = body.decode(UTF8, errors=_FALLBACK_ERRORS)
    elif text is None:
        notes.append(f"the document has bytes that are not valid {codec}; replaced them")
        text = body.decode(codec, errors="replace")
    family = "-".join(codec.split("-")[:2])
    how = "its byte order mark" if bom else "its bytes"
    declared_label = declared_label_in_text(text) if xml else None
    for source, label in (("server", http_charset), ("XML", declared_label)):
        declared = codec_for_label(label)
        if label and declared and not declared.startswith(family):
            notes.append(
                f"the {_SOURCE[source]} says {label!r} but the document is {codec} "
                f"by {how}; read it as {codec}"
            )
    return Decoded(text, codec, tuple(notes))


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_document(body: bytes, *, http_charset: str | None, xml: bool = True) -> Decoded:
    """Decide the real encoding of ``body`` and decode it; never fails on bad bytes."""
    notes: list[str] = []
    http = codec_for_label(http_charset)
    if http_charset and http is None:
        notes.append(f"the server declared an unknown encoding {http_charset!r}; ignored it")
    bom, skip = _bom(body)
    unicode_codec = bom or _utf16_or_32_without_bom(body)
    if unicode_codec is not None:
        return _decode_unicode(body[skip:], unicode_codec, http_charset, xml, bool(bom), notes)
    if body.startswith(_EBCDIC_XML):
        return _decode_ebcdic(body, notes)

    sources = _declarations(body, http_charset, http, xml, notes)
    if body.isascii():
        codec = sources[0][2] if sources else UTF8
        return Decoded(body.decode(codec, errors="replace"), codec, tuple(notes))
    utf8 = _strict(body, UTF8)  # valid UTF-8 with non-ASCII: decoded once, here
    if utf8 is not None:
        codec, text = UTF8, utf8
    else:
        codec, text = _decode_invalid_utf8(body, [c for _, _, c in sources], notes)
    _note_wrong_declarations(sources, codec, notes)
    return Decoded(text, codec, tuple(notes))


def _decode_ebcdic(body: bytes, notes: list[str]) -> Decoded:
    """An XML document in EBCDIC: its declaration, read as cp037, names the code page."""
    label = declared_encoding(body[:200].decode("cp037").encode("ascii", errors="replace"))
    codec = codec_for_label(label) or "cp037"
    if _strict(b"<?xml", codec) is None or codec in (UTF8, WINDOWS_1252):
        codec = "cp037"
    return Decoded(body.decode(codec, errors="replace"), codec, tuple(notes))


def _declarations(
    body: bytes, http_charset: str | None, http: str | None, xml: bool, notes: list[str]
) -> list[tuple[str, str, str]]:
    """The usable declared encodings as (source, label, codec), the most trusted first.

    RFC 7303 puts the server first, but a server-wide default (iso-8859-1, us-ascii) is more
    often wrong than the document's own declaration. A UTF-16/32 declaration is ignored: a
    document read here is ASCII-compatible, so it cannot be UTF-16/32.
    """
    declared_label = declared_encoding(body) if xml else None
    declared = codec_for_label(declared_label)
    if declared_label and declared is None:
        notes.append(f"the document declares an unknown encoding {declared_label!r}; ignored it")
    if declared in _WIDE:
        notes.append(f"the document declares {declared_label!r} but is not; ignored it")
        declared = None
    if http in _WIDE:
        notes.append(f"the server declared {http_charset!r} but the document is not; ignored it")
        http = None
    sources: list[tuple[str, str, str]] = []
    if http is not None and http_charset is not None:
        sources.append(("server", http_charset, http))
    if declared is not None and declared_label is not None:
        if sources and http_charset and http_charset.strip().lower() in _SERVER_DEFAULTS:
            sources.insert(0, ("XML", declared_label, declared))
        else:
            sources.append(("XML", declared_label, declared))
    return sources


def _note_wrong_declarations(
    sources: list[tuple[str, str, str]], codec: str, notes: list[str]
) -> None:
    """A warning for each declaration the bytes contradicted, or for a missing one."""
    for source, label, declared_codec in sources:
        if declared_codec != codec:
            notes.append(
                f"the {_SOURCE[source]} says {label!r} but the document is "
                f"{display_name(codec)}; read it as {display_name(codec)}"
            )
    if not sources and codec != UTF8:
        notes.append(
            "the document declares no encoding and is not valid UTF-8; "
            f"read it as {display_name(codec)}"
        )


_SOURCE = {"server": "HTTP charset", "XML": "XML declaration"}


def _decode_invalid_utf8(body: bytes, declared: list[str], notes: list[str]) -> tuple[str, str]:
    """Bytes that are not valid UTF-8: the first declared legacy encoding that fits, else 1252."""
    legacy = [codec for codec in declared if codec != UTF8]
    for codec in legacy:
        if codec == WINDOWS_1252:
            return codec, body.decode(codec, errors=_FALLBACK_ERRORS)
        text = _strict(body, codec)
        if text is not None:
            return codec, text
    if legacy:
        codec = legacy[0]
        notes.append(f"the document has bytes that are not valid {display_name(codec)}")
        return codec, body.decode(codec, errors="replace")
    # Declared UTF-8 (or nothing): mostly UTF-8 with a few stray windows-1252 bytes, or all 1252.
    if _mostly_utf8(body):
        notes.append("the document is UTF-8 but has bytes that are not; read those as windows-1252")
        return UTF8, body.decode(UTF8, errors=_FALLBACK_ERRORS)
    return WINDOWS_1252, body.decode(WINDOWS_1252, errors=_FALLBACK_ERRORS)


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _mostly_utf8(body: bytes) -> bool:
    """Whether more non-ASCII bytes sit in valid UTF-8 sequences than outside them."""
    in_sequences = sum(len(m) for m in _UTF8_SEQUENCE.findall(body))
    high = len(body) - len(body.translate(None, _HIGH_BYTES))
    return in_sequences > high - in_sequences


def declared_label_in_text(text: str) -> str | None:
    return declared_encoding(text[:1024].encode("ascii", errors="replace"))


def normalize_xml(text: str) -> tuple[str, list[str]]:
    """The decoded document made ready for an XML parser fed UTF-8.

    Drops a BOM and anything before the XML (whitespace, or the PHP notice some servers print
    first), writes a UTF-8 XML declaration in place of the old one and removes characters that
    XML 1.0 forbids. Line numbers stay as in the original, so parser errors point at the
    publisher's line.
    """
    notes: list[str] = []
    text = text.lstrip("\ufeff")
    start = _FIRST_MARKUP.search(text, 0, 65536)
    declaration = _DECLARATION.search(text, 0, 4096)
    if declaration is not None and not _FEED_ROOT.search(text, 0, declaration.start()):
        start = declaration
    lead = text[: start.start()] if start is not None else ""
    if lead.strip():
        notes.append(
            f"ignored {count(len(lead.strip()), 'character', 'characters')} of text before the XML"
        )
    text = text[len(lead) :]
    leading = _DECLARATION.match(text)
    if leading is not None:
        text = text[leading.end() :]
    text = CLEAN_DECLARATION + "\n" * lead.count("\n") + text
    cleaned = clean_text(text)
    if len(cleaned) != len(text):
        removed = len(text) - len(cleaned)
        notes.append(f"removed {removed} control characters that XML does not allow")
    return cleaned, notes
