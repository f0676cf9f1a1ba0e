"""Fuzzing the parser: hypothesis mutates real feeds from the shared corpus.

Each input is a corpus file (RSS, RDF, Atom, JSON Feed) with a few mutations: bytes flipped,
ranges deleted, duplicated or swapped, the document cut short, hostile fragments inserted (DTDs,
entities, CDATA ends, BOMs, NULs, deep nesting, huge numbers), another corpus file spliced in, and
an arbitrary Content-Type. The only acceptable outcomes are a ParsedFeed or one of tidings' own
errors (TidingsError); anything else, or a parse that does not end, is a finding.

The test (``test_fuzz.py``) runs a fixed budget; for a longer run:

    .venv/bin/python -m tests.hostile.fuzz --examples 50000

which prints how many inputs were parsed and what came out.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.shared import CORPUS
from tidings.errors import TidingsError
from tidings.parse import parse_feed
from tidings.types import ParsedFeed

MAX_SEED_BYTES = 64 * 1024  # larger files cost more per input than they add
HANG_SECONDS = 30  # a parse still running after this is a hang, whatever the machine

FRAGMENTS = [
    b"<!DOCTYPE rss [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]>",
    b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">',
    b"<!ENTITY % p SYSTEM 'file:///etc/passwd'> %p;",
    b"&b;&b;&b;",
    b"&#0;&#x110000;&#xD800;&#65535;&#1114111;",
    b"&nbsp;&amp;amp;&lt;script&gt;alert(1)&lt;/script&gt;",
    b"<![CDATA[<script>alert(1)</script>]]>",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b"<?xml-stylesheet href='http://127.0.0.1:9/x.xsl'?>",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"\xc0\xaf\xed\xa0\x80\xc3\x28",
    b"<item>" * 64,
    b"<div>" * 2000,
    b"<entry><id>x</id></entry>" * 8,
    b'<a href="javascript:alert(1)">x</a>',
    b"<img src=x onerror=alert(1)>",
    b"<pubDate>Mon, 32 Foo 99999 25:61:61 +2500</pubDate>",
    b"<updated>9999-12-31T23:59:59Z</updated>",
    b'<enclosure url="https://e.example/a" length="1e309" type="x"/>',
    b'{"items": [null, 1, "x", {"id": {}}], "title": 123}',
    b'"date_published": "-1", "size_in_bytes": 1e400',
    b"[" * 500,
    b'xmlns="http://www.w3.org/2005/Atom"',
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"',
    b"\r\n\t ",
]
CONTENT_TYPES = [
    None,
    "application/rss+xml",
    "application/atom+xml; charset=iso-8859-1",
    "application/feed+json",
    "application/json; charset=utf-16",
    "text/html; charset=utf-8",
    "text/xml; charset=x-unknown",
    "image/png",
]


def seeds(corpus: Path = CORPUS) -> list[Path]:
    if not corpus.is_dir():
        return []
    return sorted(p for p in corpus.iterdir() if p.is_file() and p.stat().st_size <= MAX_SEED_BYTES)


@st.composite
def mutated(draw: st.DrawFn, files: list[Path]) -> tuple[bytes, str | None]:
    """A corpus file with one to four mutations, and the Content-Type it is served with."""
    data = bytearray(draw(st.sampled_from(files)).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        size = len(data)
        at = draw(st.integers(0, size))
        kind = draw(st.integers(0, 7))
        if kind == 0 and size:  # flip bytes
            for _ in range(draw(st.integers(1, 8))):
                data[draw(st.integers(0, size - 1))] = draw(st.integers(0, 255))
        elif kind == 1:  # insert a hostile fragment
            data[at:at] = draw(st.sampled_from(FRAGMENTS))
        elif kind == 2:  # delete a range
            data[at : at + draw(st.integers(1, 512))] = b""
        elif kind == 3:  # duplicate a range
            piece = data[at : at + draw(st.integers(1, 2048))]
            data[at:at] = piece * draw(st.integers(1, 8))
        elif kind == 4:  # cut short
            del data[at:]
        elif kind == 5:  # splice in another file
            other = draw(st.sampled_from(files)).read_bytes()
            start = draw(st.integers(0, len(other)))
            data[at:at] = other[start : start + draw(st.integers(1, 4096))]
        elif kind == 6:  # swap a tag name's case or a quote
            if size:
                i = draw(st.integers(0, size - 1))
                data[i] = {0x3C: 0x3E, 0x3E: 0x3C, 0x22: 0x27, 0x27: 0x22}.get(
                    data[i], data[i] ^ 0x20
                )
        else:  # arbitrary bytes
            data[at:at] = draw(st.binary(max_size=64))
    return bytes(data), draw(st.sampled_from(CONTENT_TYPES))


class Hang(Exception):
    """A parse did not end within HANG_SECONDS."""


@contextmanager
def hang_guard(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Raise Hang if the block runs longer than ``seconds`` (main thread, POSIX only)."""

    def alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"the parse did not end within {seconds} s")

    if not hasattr(signal, "SIGALRM"):
        yield
        return
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def parse_one(body: bytes, content_type: str | None) -> ParsedFeed | TidingsError:
    """Parse one input; a TidingsError is a result, anything else propagates."""
    headers = {"content-type": content_type} if content_type else {}
    with hang_guard():
        try:
            return parse_feed(body, url="https://fuzz.example/feed.xml", headers=headers)
        except TidingsError as exc:
            return exc


def check(result: ParsedFeed | TidingsError) -> None:
    """What comes out is storable: valid UTF-8, no NUL; an error carries a message."""
    if isinstance(result, TidingsError):
        assert str(result), "an error without a message"
        return
    for item in result.items:
        for text in (item.title, item.summary_html, item.content_html, item.author, item.link):
            if text is not None:
                text.encode("utf-8")
                assert "\x00" not in text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="inputs to parse")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (reproducible)")
    args = parser.parse_args(argv)
    files = seeds()
    if not files:
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    outcomes: Counter[str] = Counter()
    started = time.monotonic()

    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated(files))
    def run(case: tuple[bytes, str | None]) -> None:
        result = parse_one(*case)
        check(result)
        outcomes["parsed" if not isinstance(result, TidingsError) else result.kind] += 1

    if args.seed is not None:
        from hypothesis import seed

        run = seed(args.seed)(run)
    status = 0
    try:
        run()
    except Exception as exc:  # a finding: hypothesis has shrunk it and printed the input
        print(f"FINDING: {type(exc).__name__}: {exc}", file=sys.stderr)
        status = 1
    elapsed = time.monotonic() - started
    total = sum(outcomes.values())
    print(
        f"{total} inputs from {len(files)} corpus files in {elapsed:.0f} s "
        f"({total / max(elapsed, 1e-9):.0f}/s); outcomes: "
        + ", ".join(f"{k} {v}" for k, v in outcomes.most_common())
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
