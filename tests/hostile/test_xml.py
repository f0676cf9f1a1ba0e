"""XML bombs and external entities (XML01-XML11) in every XML format, and in OPML.

The policy under test (parse/dtd.py): the DOCTYPE is stripped before any parser sees it; simple
text entities are kept only while their total expansion stays under a bound, else the document
is refused with a ParseError; nothing external is ever fetched or opened. So each case either
parses with bounded results or raises ParseError, never anything else, never a connection, never
a file read, and never more than a few MB of memory.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile.conftest import Canary, FileAudit
from tidings.errors import OPMLError, ParseError, TidingsError
from tidings.parse import parse_feed
from tidings.publish.opml import parse_opml
from tidings.types import ParsedFeed

SECRET = "tidings-secret-7f3a"


def wrap(fmt: str, doctype: str, title: str, *, pi: str = "") -> bytes:
    """A feed of ``fmt`` with ``doctype`` in its prolog and ``title`` (raw XML) as its title."""
    head = f'<?xml version="1.0" encoding="utf-8"?>\n{pi}{doctype}\n'
    if fmt == "rss":
        body = (
            f'<rss version="2.0"><channel><title>{title}</title><link>https://ok.example/</link>'
            f"<description>{title}</description><item><title>{title}</title>"
            "<guid>urn:1</guid></item></channel></rss>"
        )
    elif fmt == "atom":
        body = (
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title><id>urn:f</id>'
            f"<entry><id>urn:1</id><title>{title}</title><summary>{title}</summary></entry></feed>"
        )
    else:
        body = (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://ok.example/">'
            f"<title>{title}</title><link>https://ok.example/</link></channel>"
            f'<item rdf:about="urn:1"><title>{title}</title><link>https://ok.example/1</link>'
            "</item></rdf:RDF>"
        )
    return (head + body).encode()


def laughs(levels: int = 10) -> str:
    lines = ['<!ENTITY a0 "lollollollol">']
    lines += [f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, levels)]
    return "<!DOCTYPE rss [\n" + "\n".join(lines) + "\n]>"


QUADRATIC = '<!DOCTYPE rss [<!ENTITY x "' + "x" * 100_000 + '">]>'

# id -> (DOCTYPE / prolog, title XML, processing instruction); {file} and {canary} are filled in
CASES: dict[str, tuple[str, str, str]] = {
    "XML01-billion-laughs": (laughs(), f"&a{9};", ""),
    "XML01-billion-laughs-short": (laughs(4), "&a3;&a3;&a3;&a3;", ""),
    "XML02-quadratic": (QUADRATIC, "&x;" * 100_000, ""),
    "XML02-many-small": (
        "<!DOCTYPE rss [" + "".join(f'<!ENTITY e{n} "{"y" * 900}">' for n in range(300)) + "]>",
        "".join(f"&e{n};" for n in range(300)) * 10,
        "",
    ),
    "XML03-xxe-file": ('<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{file}">]>', "&x;", ""),
    "XML03-xxe-file-public": (
        '<!DOCTYPE rss [<!ENTITY x PUBLIC "-//x//y" "file://{file}">]>',
        "&x;",
        "",
    ),
    "XML03-xxe-relative": ('<!DOCTYPE rss [<!ENTITY x SYSTEM "{file}">]>', "&x;", ""),
    "XML04-xxe-http": ('<!DOCTYPE rss [<!ENTITY x SYSTEM "{canary}/xxe">]>', "&x;", ""),
    "XML05-external-dtd": ('<!DOCTYPE rss SYSTEM "{canary}/x.dtd">', "t", ""),
    "XML05-parameter-entity": (
        '<!DOCTYPE rss [<!ENTITY % p SYSTEM "{canary}/p.dtd"> %p;]>',
        "t",
        "",
    ),
    "XML05-parameter-in-value": (
        "<!DOCTYPE rss [<!ENTITY % p \"<!ENTITY x SYSTEM '{canary}/n'>\"> %p;]>",
        "&x;",
        "",
    ),
    "XML06-xinclude": (
        "",
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{file}" '
        'parse="text"/>',
        "",
    ),
    "XML07-netscape-dtd": (
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"{canary}/rss-0.91.dtd">',
        "Netscape",
        "",
    ),
    "XML11-stylesheet": ("", "t", '<?xml-stylesheet type="text/xsl" href="{canary}/x.xsl"?>\n'),
    "XML-entity-in-attribute": (
        '<!DOCTYPE rss [<!ENTITY x SYSTEM "{canary}/attr">]>',
        "t&x;",
        "",
    ),
    "XML-doctype-after-comment": (
        '<!-- c --><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{file}">]>',
        "&x;",
        "",
    ),
}
MEMORY_BOUND = 50 * 1024 * 1024  # bytes of Python allocations while parsing one bomb


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(f"root:x:0:0:{SECRET}\n")
    return path


def measure(parse: Callable[[], ParsedFeed | None]) -> tuple[ParsedFeed | None, int]:
    """Run ``parse``; return its result (None on ParseError) and the peak of its allocations."""
    tracemalloc.start()
    try:
        result = parse()
    except ParseError:
        result = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, peak


def texts(parsed: ParsedFeed) -> list[str]:
    out = [parsed.title or "", parsed.description or ""]
    for item in parsed.items:
        out += [item.title or "", item.summary_html or "", item.content_html or ""]
    return out


@pytest.mark.parametrize("fmt", ["rss", "atom", "rdf"])
@pytest.mark.parametrize("case", list(CASES))
def test_xml_attack(
    case: str, fmt: str, tripwire: Canary, secret_file: Path, file_audit: FileAudit
) -> None:
    doctype, title, pi = CASES[case]
    fill = {"file": str(secret_file), "canary": tripwire.url("")}
    body = wrap(
        fmt,
        doctype.replace("{file}", fill["file"]).replace("{canary}", fill["canary"]),
        title.replace("{file}", fill["file"]).replace("{canary}", fill["canary"]),
        pi=pi.replace("{canary}", fill["canary"]),
    )
    parsed, peak = measure(lambda: parse_feed(body, url="https://ok.example/feed"))
    assert peak < MEMORY_BOUND, f"{peak / 1e6:.1f} MB while parsing"
    assert tripwire.connections == 0, "the parser connected to the canary"
    assert file_audit.touched(str(secret_file)) == []
    if parsed is not None:
        for text in texts(parsed):
            assert SECRET not in text and "root:x" not in text
            assert len(text) <= 2_000_000
    if case == "XML07-netscape-dtd":
        assert parsed is not None and parsed.title == "Netscape", "a real 0.91 feed must parse"


@pytest.mark.parametrize(
    "case", ["XML01-billion-laughs", "XML02-quadratic", "XML03-xxe-file", "XML04-xxe-http"]
)
def test_xml_attack_in_opml(case: str, tripwire: Canary, secret_file: Path) -> None:
    """P03: the same attacks inside OPML are refused before anything is expanded or fetched."""
    doctype, title, _ = CASES[case]
    doctype = doctype.replace("{file}", str(secret_file)).replace("{canary}", tripwire.url(""))
    body = (
        f'<?xml version="1.0"?>\n{doctype.replace("DOCTYPE rss", "DOCTYPE opml")}\n'
        f'<opml version="2.0"><head><title>{title}</title></head><body>'
        f'<outline text="{title[:400]}" xmlUrl="https://ok.example/f"/></body></opml>'
    ).encode()
    tracemalloc.start()
    try:
        with pytest.raises(OPMLError, match="DOCTYPE"):
            parse_opml(body)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < MEMORY_BOUND
    assert tripwire.connections == 0


def test_only_tidings_errors_come_out_of_a_bomb() -> None:
    """A refused bomb is a ParseError a person can read, not a library exception."""
    body = wrap("rss", QUADRATIC, "&x;" * 100_000)
    with pytest.raises(TidingsError) as info:
        parse_feed(body, url="https://ok.example/feed")
    assert isinstance(info.value, ParseError)
    assert "entit" in str(info.value)
