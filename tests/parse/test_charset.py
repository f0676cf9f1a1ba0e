"""charset.py: BOMs, HTTP charset vs XML declaration, misdeclared documents, clean UTF-8 out."""

from __future__ import annotations

import codecs

import pytest

from tidings.parse.charset import (
    CLEAN_DECLARATION,
    charset_from_content_type,
    codec_for_label,
    decode_document,
    normalize_xml,
)

from .conftest import ParseHelper

SPECIAL = "´ ’ “ č"  # what must survive every route exactly
LATIN = "´ ’ “ é"  # the same, in what windows-1252 can encode


def doc(text: str, declared: str | None) -> str:
    declaration = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    return f"{declaration}<rss><channel><title>{text}</title></channel></rss>"


@pytest.mark.parametrize(
    ("body", "http", "codec", "text", "warned"),
    [
        # a BOM wins over everything
        (codecs.BOM_UTF8 + doc(SPECIAL, "utf-8").encode(), None, "utf-8", SPECIAL, False),
        (
            codecs.BOM_UTF8 + doc(SPECIAL, "iso-8859-1").encode(),
            None,
            "utf-8",
            SPECIAL,
            True,
        ),
        (
            codecs.BOM_UTF16_LE + doc(SPECIAL, "utf-16").encode("utf-16-le"),
            None,
            "utf-16-le",
            SPECIAL,
            False,
        ),
        (
            codecs.BOM_UTF16_BE + doc(SPECIAL, "utf-16").encode("utf-16-be"),
            "text/xml; charset=iso-8859-1",
            "utf-16-be",
            SPECIAL,
            True,
        ),
        (
            codecs.BOM_UTF32_LE + doc(SPECIAL, None).encode("utf-32-le"),
            None,
            "utf-32-le",
            SPECIAL,
            False,
        ),
        # UTF-16 without a BOM, recognised by its zero bytes
        (doc(SPECIAL, "utf-16").encode("utf-16-le"), None, "utf-16-le", SPECIAL, False),
        (doc(SPECIAL, None).encode("utf-16-be"), None, "utf-16-be", SPECIAL, False),
        # correct declarations
        (doc(SPECIAL, "utf-8").encode(), None, "utf-8", SPECIAL, False),
        (doc(SPECIAL, None).encode(), None, "utf-8", SPECIAL, False),
        (doc(LATIN, "windows-1252").encode("cp1252"), None, "cp1252", LATIN, False),
        (doc("č ’ š", "windows-1250").encode("cp1250"), None, "cp1250", "č ’ š", False),
        (doc("Привет", "windows-1251").encode("cp1251"), None, "cp1251", "Привет", False),
        (doc("Καλημέρα", "iso-8859-7").encode("iso-8859-7"), None, "iso8859-7", "Καλημέρα", False),
        (doc("日本語", "Shift_JIS").encode("cp932"), None, "cp932", "日本語", False),
        (doc("中文", "gb2312").encode("gb18030"), None, "gb18030", "中文", False),
        # iso-8859-1 and us-ascii mean windows-1252, as in browsers: ’ and “ are 0x92 and 0x93
        (doc(LATIN, "iso-8859-1").encode("cp1252"), None, "cp1252", LATIN, False),
        (doc(LATIN, "ISO-8859-1").encode("cp1252"), None, "cp1252", LATIN, False),
        # misdeclared: says utf-8, is windows-1252
        (doc(LATIN, "utf-8").encode("cp1252"), None, "cp1252", LATIN, True),
        (doc(LATIN, None).encode("cp1252"), None, "cp1252", LATIN, True),
        # misdeclared: says iso-8859-1 (or windows-1252), is utf-8
        (doc(SPECIAL, "iso-8859-1").encode(), None, "utf-8", SPECIAL, True),
        (doc(SPECIAL, "windows-1252").encode(), None, "utf-8", SPECIAL, True),
        # HTTP charset vs XML declaration
        (doc(SPECIAL, "utf-8").encode(), "text/xml; charset=iso-8859-1", "utf-8", SPECIAL, True),
        (
            doc(SPECIAL, "iso-8859-1").encode(),
            "application/rss+xml; charset=utf-8",
            "utf-8",
            SPECIAL,
            True,
        ),
        (
            doc("Привет", "windows-1251").encode("cp1251"),
            "text/xml; charset=utf-8",
            "cp1251",
            "Привет",
            True,
        ),
        # a server-wide iso-8859-1 default loses against the document's own legacy declaration
        (
            doc("Привет", "windows-1251").encode("cp1251"),
            "text/xml; charset=ISO-8859-1",
            "cp1251",
            "Привет",
            True,
        ),
        # otherwise the server's legacy charset wins (RFC 7303)
        (
            doc("č š", "iso-8859-1").encode("cp1250"),
            "text/xml; charset=windows-1250",
            "cp1250",
            "č š",
            True,
        ),
        # unusable labels are ignored
        (doc(SPECIAL, "klingon").encode(), None, "utf-8", SPECIAL, True),
        (doc(SPECIAL, "utf-7").encode(), None, "utf-8", SPECIAL, True),
        (doc(SPECIAL, None).encode(), "text/xml; charset=base64", "utf-8", SPECIAL, True),
        (doc(SPECIAL, "utf-16").encode(), None, "utf-8", SPECIAL, True),
        # EBCDIC, recognised by "<?xm" in cp037
        (doc("é", "cp037").encode("cp037"), None, "cp037", "é", False),
    ],
)
def test_decode_document(
    body: bytes, http: str | None, codec: str, text: str, warned: bool
) -> None:
    decoded = decode_document(body, http_charset=charset_from_content_type(http))
    assert decoded.encoding == codec
    assert f"<title>{text}</title>" in decoded.text
    assert bool(decoded.warnings) is warned, decoded.warnings


def test_bom_utf8_with_a_stray_windows_1252_byte() -> None:
    body = codecs.BOM_UTF8 + "<x>Ѩ España</x>".encode().replace("ñ".encode(), b"\xf1")
    decoded = decode_document(body, http_charset=None)
    assert (decoded.encoding, decoded.text) == ("utf-8", "<x>Ѩ España</x>")
    assert decoded.warnings


def test_mixed_utf8_with_stray_windows_1252_bytes() -> None:
    body = "<x>’quoted’ and ".encode() + "“1252”".encode("cp1252") + " and ’more’</x>".encode()
    decoded = decode_document(body, http_charset=None)
    assert decoded.text == "<x>’quoted’ and “1252” and ’more’</x>"
    assert decoded.warnings


@pytest.mark.parametrize(
    "bad", [b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\xff\xfe\xfd", b"\x81\x8d\x8f\x90\x9d"]
)
def test_invalid_utf8_never_fails_and_gives_storable_text(bad: bytes) -> None:
    body = b'<?xml version="1.0" encoding="utf-8"?><x>ok ' + bad + b" \xe2\x80\x99</x>"
    decoded = decode_document(body, http_charset="utf-8")
    decoded.text.encode("utf-8")  # no lone surrogates
    assert decoded.text.startswith('<?xml version="1.0" encoding="utf-8"?><x>ok ')
    assert decoded.warnings


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf-8", "utf-8"),
        ("UTF8", "utf-8"),
        ("iso-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("windows-1252", "cp1252"),
        ("ISO-8859-15", "iso8859-15"),
        ("gb2312", "gb18030"),
        ("shift_jis", "cp932"),
        ("euc-kr", "cp949"),
        ("koi8-r", "koi8-r"),
        ('"utf-8"', "utf-8"),
        ("utf-7", None),
        ("base64", None),
        ("rot13", None),
        ("unicode-escape", None),
        ("nonsense", None),
        ("", None),
        (None, None),
    ],
)
def test_codec_for_label(label: str | None, codec: str | None) -> None:
    assert codec_for_label(label) == codec


@pytest.mark.parametrize(
    ("header", "charset"),
    [
        ("application/rss+xml; charset=utf-8", "utf-8"),
        ('text/xml; charset="ISO-8859-1"', "ISO-8859-1"),
        ("application/xml; charset=utf-8; charset=utf-8", "utf-8"),
        ("text/xml", None),
        (None, None),
    ],
)
def test_charset_from_content_type(header: str | None, charset: str | None) -> None:
    assert charset_from_content_type(header) == charset


@pytest.mark.parametrize(
    ("text", "expected", "warned"),
    [
        ('<?xml version="1.0" encoding="iso-8859-1"?><rss/>', CLEAN_DECLARATION + "<rss/>", False),
        ("<rss/>", CLEAN_DECLARATION + "<rss/>", False),
        ("\ufeff<rss/>", CLEAN_DECLARATION + "<rss/>", False),
        # leading whitespace before the declaration is dropped, its newlines kept after it
        ('\n\n  <?xml version="1.0"?>\n<rss/>', CLEAN_DECLARATION + "\n\n\n<rss/>", False),
        # a PHP notice before the XML
        (
            "<br />\n<b>Notice</b>: x in <b>/var/www/feed.php</b><br />\n"
            '<?xml version="1.0"?><rss/>',
            CLEAN_DECLARATION + "\n\n<rss/>",
            True,
        ),
        # characters XML forbids
        ("<rss>a\x00b\x0bc\x1fd\ufffe</rss>", CLEAN_DECLARATION + "<rss>abcd</rss>", True),
        # a declaration inside the document is content, not a prolog
        (
            "<rss><![CDATA[<?xml ?>]]></rss>",
            CLEAN_DECLARATION + "<rss><![CDATA[<?xml ?>]]></rss>",
            False,
        ),
    ],
)
def test_normalize_xml(text: str, expected: str, warned: bool) -> None:
    result, notes = normalize_xml(text)
    assert result == expected
    assert bool(notes) is warned


@pytest.mark.parametrize(
    ("body", "content_type", "warned"),
    [
        (doc(SPECIAL, "utf-8").encode(), None, False),
        (doc(SPECIAL, "iso-8859-1").encode(), None, True),
        (doc(LATIN, "utf-8").encode("cp1252"), None, True),
        (doc(LATIN, "iso-8859-1").encode("cp1252"), "text/xml", False),
        (codecs.BOM_UTF16_LE + doc(SPECIAL, "utf-16").encode("utf-16-le"), None, False),
        (doc(SPECIAL, "utf-8").encode(), "application/rss+xml; charset=iso-8859-1", True),
    ],
)
def test_characters_arrive_exactly_through_parse_feed(
    parse: ParseHelper, body: bytes, content_type: str | None, warned: bool
) -> None:
    body = body.replace(b"<rss>", b'<rss version="2.0">', 1)
    body = body.replace("<rss>".encode("utf-16-le"), '<rss version="2.0">'.encode("utf-16-le"))
    feed = parse(body, content_type=content_type)
    assert feed.title in (SPECIAL, LATIN)
    assert any("encoding" in w or "says" in w or "UTF-8" in w for w in feed.warnings) is warned


def test_feed_declared_iso_8859_1_with_numeric_references(parse: ParseHelper) -> None:
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>'
        "<title>caf\xe9 &#180; &#8217; &#x201C; &#269;</title>"
        "<description>It&amp;#180;s \x92quoted\x92</description></channel></rss>"
    ).encode("latin-1")
    feed = parse(body)
    assert feed.title == "café ´ ’ “ č"
    assert feed.description == "It´s ’quoted’"
    assert feed.warnings == ()
