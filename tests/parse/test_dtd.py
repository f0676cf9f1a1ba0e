"""dtd.py and the XML-bomb / XXE cases (hostile-cases.md 4.3) through parse_feed.

Policy under test: the DOCTYPE is stripped; only internal entities with plain-text values are
kept, and only while all their uses expand to at most MAX_EXPANSION characters (else the document
is refused); nothing external is ever opened or fetched.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tidings.errors import ParseError
from tidings.parse.dtd import MAX_EXPANSION, apply_doctype_policy

from .conftest import ParseHelper

_recording: list[tuple[str, str]] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _recording is not None and event in ("open", "socket.connect", "urllib.Request"):
        _recording.append((event, repr(args[:2])))


sys.addaudithook(_audit)


@contextmanager
def no_outside_access() -> Iterator[None]:
    """O-NOCONN: no file opened, no connection made while the block runs."""
    global _recording
    _recording = []
    try:
        yield
    finally:
        seen, _recording = _recording, None
    touched = [event for event in seen if "passwd" in event[1] or event[0] != "open"]
    assert not touched, touched


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n  <!ENTITY a "aaaaaaaaaa">\n'
    + "".join(f'  <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
    + ']>\n<rss version="2.0"><channel><title>&j;</title>'
    + "<description>d</description></channel></rss>"
)


def test_billion_laughs_does_not_expand(parse: ParseHelper) -> None:
    started = time.monotonic()
    with no_outside_access():
        feed = parse(BILLION_LAUGHS)
    assert time.monotonic() - started < 1
    assert feed.title is None or len(feed.title) < 100
    assert any("DTD" in w for w in feed.warnings)


def test_quadratic_blowup_is_refused(parse: ParseHelper) -> None:
    body = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY x "' + "x" * 100_000 + '">\n]>\n'
        '<rss version="2.0"><channel><title>t</title><description>'
        + "&x;" * 100_000
        + "</description></channel></rss>"
    )
    started = time.monotonic()
    with pytest.raises(ParseError, match="entity expansion"):
        parse(body)
    assert time.monotonic() - started < 1


def test_small_internal_entities_still_work(parse: ParseHelper) -> None:
    body = (
        '<!DOCTYPE rss [\n  <!ENTITY id "tag:example.com,">\n  <!ENTITY nbsp "&#160;">\n]>\n'
        '<rss version="2.0"><channel><title>A&nbsp;B</title><item>'
        "<guid isPermaLink='false'>&id;2006-05-04:/blog/</guid></item></channel></rss>"
    )
    feed = parse(body)
    assert feed.items[0].guid == "tag:example.com,2006-05-04:/blog/"
    assert feed.title == "A B"  # collapse_whitespace folds the no-break space


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE rss [\n<!ENTITY x SYSTEM "file:///etc/passwd">\n]>',
        '<!DOCTYPE rss [<!ENTITY x PUBLIC "-//x//y" "http://127.0.0.1:9/xxe">]>',
        '<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/x.dtd">',
        '<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
        '<!DOCTYPE rss [<!ENTITY x "<![CDATA[y]]>">]>',
    ],
)
def test_external_entities_are_never_resolved(parse: ParseHelper, doctype: str) -> None:
    body = (
        f'<?xml version="1.0"?>\n{doctype}\n<rss version="2.0"><channel>'
        "<title>before &x; after</title><item><title>i</title></item></channel></rss>"
    )
    with no_outside_access():
        feed = parse(body)
    assert feed.version == "rss20"
    assert "root:" not in (feed.title or "")
    assert feed.items[0].title == "i"


def test_xinclude_is_not_processed(parse: ParseHelper) -> None:
    body = (
        '<rss version="2.0"><channel><title xmlns:xi="http://www.w3.org/2001/XInclude">'
        '<xi:include href="file:///etc/passwd" parse="text"/>T</title></channel></rss>'
    )
    with no_outside_access():
        feed = parse(body)
    assert "root:" not in (feed.title or "")


def test_stylesheet_processing_instruction_is_ignored(parse: ParseHelper) -> None:
    body = (
        '<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="http://127.0.0.1:9/x.xsl"?>'
        '<rss version="2.0"><channel><title>T</title></channel></rss>'
    )
    with no_outside_access():
        feed = parse(body)
    assert feed.title == "T"


def test_netscape_rss_091_with_its_doctype_parses(parse: ParseHelper) -> None:
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"\n'
        '  "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        '<rss version="0.91"><channel><title>Netscape &eacute;</title>'
        "<link>http://example.com/</link><description>d</description><language>en</language>"
        "<item><title>one</title><link>http://example.com/1</link></item></channel></rss>"
    )
    with no_outside_access():
        feed = parse(body.encode("latin-1"))
    assert feed.version == "rss091n"
    assert feed.title == "Netscape é"
    assert [item.link for item in feed.items] == ["http://example.com/1"]


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        ("<rss/>", "<rss/>", ()),
        ("<!DOCTYPE rss>\n<rss/>", "\n<rss/>", ()),
        (
            '<?xml version="1.0"?><!DOCTYPE rss [\n<!ENTITY a "b">\n'
            '<!ENTITY c SYSTEM "f">\n]><rss/>',
            '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "b">\n]><rss/>',
            ("c",),
        ),
        (
            "<!DOCTYPE rss [<!ENTITY a 'x&b;'><!ENTITY % p 'q'>]><rss/>",
            "<rss/>",
            ("a", "p"),
        ),
        # a ">" or "]" inside quotes does not end the DOCTYPE
        ('<!DOCTYPE rss [<!ENTITY a "x>]y">]><rss/>', "<rss/>", ("a",)),
        # a DOCTYPE after the root element is not ours to judge
        ("<rss><!DOCTYPE x></rss>", "<rss><!DOCTYPE x></rss>", ()),
    ],
)
def test_apply_doctype_policy(text: str, kept: str, dropped: tuple[str, ...]) -> None:
    result, doctype = apply_doctype_policy(text)
    assert result == kept
    assert doctype.dropped == dropped


@pytest.mark.parametrize(
    "text",
    [
        '<!-- says "<!DOCTYPE" --><rss><item><description><![CDATA[ <!DOCTYPE ]]></description>'
        "</item></rss>",
        "<?pi <!DOCTYPE x [ ?><rss/>",
        "<rss><![CDATA[<!DOCTYPE rss [<!ENTITY a SYSTEM 'f'>]>]]></rss>",
    ],
)
def test_doctype_text_outside_the_prolog_is_left_alone(text: str) -> None:
    assert apply_doctype_policy(text) == (text, apply_doctype_policy("<rss/>")[1])


def test_line_numbers_survive_the_doctype_removal() -> None:
    text = '<!DOCTYPE rss [\n<!ENTITY a SYSTEM "x">\n<!ENTITY b SYSTEM "y">\n]>\n<rss/>'
    result, _ = apply_doctype_policy(text)
    assert result.count("\n") == text.count("\n")


def test_unclosed_doctype_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="DOCTYPE"):
        apply_doctype_policy('<!DOCTYPE rss [<!ENTITY a "b">')


def test_expansion_limit_is_exact() -> None:
    value = "v" * 1000
    uses = MAX_EXPANSION // 1000
    ok = f'<!DOCTYPE r [<!ENTITY e "{value}">]><r>' + "&e;" * uses + "</r>"
    apply_doctype_policy(ok)
    with pytest.raises(ParseError):
        apply_doctype_policy(ok.replace("</r>", "&e;</r>"))
