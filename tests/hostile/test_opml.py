"""OPML attacks (P01-P10): size and outline caps, deep nesting, entities (in test_xml), includes,
private and javascript: URLs, duplicates, and an exact report of what was and was not imported."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.hostile.conftest import Canary
from tests.hostile.oracles import page_problems, xml_feed_problems
from tests.web.helpers import sign_in
from tidings.config import Settings
from tidings.core import make_aggregator
from tidings.errors import OPMLError
from tidings.publish.opml import MAX_BYTES, MAX_FEEDS, parse_opml
from tidings.web.app import create_app


def opml(body: str, head: str = "") -> bytes:
    head = f'<?xml version="1.0"?><opml version="2.0"><head>{head}</head>'
    return f"{head}<body>{body}</body></opml>".encode()


def outlines(n: int, prefix: str = "https://e{}.example/f") -> str:
    return "".join(f'<outline text="f{i}" xmlUrl="{prefix.format(i)}"/>' for i in range(n))


def test_p01_too_many_feeds_is_refused_before_importing(settings: Settings, clock: Clock) -> None:
    """P01: more feeds than the cap: one clear error, nothing imported."""
    agg = make_aggregator(settings, clock=clock)
    try:
        with pytest.raises(OPMLError, match="feeds"):
            agg.import_opml(opml(outlines(MAX_FEEDS + 1)))
        assert agg.feeds() == []
    finally:
        agg.close()


@pytest.mark.slow
def test_p01_200000_outlines_in_5mb() -> None:
    body = opml('<outline xmlUrl="https://e.example/"/>' * 200_000)[: MAX_BYTES - 100] + b"</body>"
    tracemalloc.start()
    try:
        with pytest.raises(OPMLError):
            parse_opml(body)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


def test_p01_oversized_document_is_refused() -> None:
    """A document over the byte cap is refused whatever brings it (CLI, URL, admin form)."""
    body = opml("<!--" + "x" * MAX_BYTES + "-->")
    with pytest.raises(OPMLError, match="MB limit"):
        parse_opml(body)


def test_p02_deep_nesting() -> None:
    """P02: 10,000 nested folders: no RecursionError; the feed gets its nearest folder."""
    depth = 10_000
    body = (
        "".join(f'<outline text="c{i}">' for i in range(depth))
        + '<outline text="f" xmlUrl="https://e.example/f"/>'
        + "</outline>" * depth
    )
    document = parse_opml(opml(body))
    (entry,) = document.entries
    assert entry.categories == (f"c{depth - 1}",)


def test_p02_deep_nesting_without_feeds() -> None:
    body = "<outline>" * 50_000 + "</outline>" * 50_000
    try:
        document = parse_opml(opml(body))
    except OPMLError:
        return
    assert document.entries == ()


def test_p05_includes_are_never_followed(tripwire: Canary) -> None:
    """P05: an include outline is reported as not a feed; nothing is fetched."""
    body = (
        f'<outline type="include" url="{tripwire.url("/x.opml")}" text="inc"/>'
        f'<outline type="link" url="{tripwire.url("/y")}" text="link"/>'
    )
    document = parse_opml(opml(body))
    assert document.entries == ()
    assert len(document.warnings) == 2
    assert tripwire.connections == 0


BAD_URLS = {
    "javascript": "javascript:alert(1)",
    "data": "data:application/rss+xml,<rss/>",
    "file": "file:///etc/passwd",
    "bare-path": "/etc/passwd",
    "gopher": "gopher://127.0.0.1:6379/_x",
    "no-host": "http:///x",
    "space": "https://e.example/a b",
    "newline": "https://e.example/a&#10;Host: evil",
    "vbscript": "vbscript:x",
}


@pytest.mark.parametrize("case", list(BAD_URLS))
def test_p_bad_urls_are_skipped_with_a_reason(case: str) -> None:
    body = (
        outlines(1)
        + f'<outline text="bad" xmlUrl={quoteattr(BAD_URLS[case])} '
        + f"htmlUrl={quoteattr(BAD_URLS[case])}/>"
    )
    document = parse_opml(opml(body))
    assert [e.url for e in document.entries] == ["https://e0.example/f"]
    assert any("bad" in w for w in document.warnings)
    for entry in document.entries:
        assert entry.site_url is None or entry.site_url.startswith("http")


def test_p07_duplicates(settings: Settings, clock: Clock) -> None:
    """P07: one xmlUrl 1,000 times and spelling variants: one subscription, an exact report."""
    body = '<outline text="x" xmlUrl="https://dup.example/feed"/>' * 1000 + "".join(
        f'<outline text="v" xmlUrl="{u}"/>'
        for u in ("HTTPS://DUP.EXAMPLE/feed", "https://dup.example:443/feed",
                  "https://dup.example/feed#frag")
    )  # fmt: skip
    agg = make_aggregator(settings, clock=clock)
    try:
        report = agg.import_opml(opml(body))
        assert len(agg.feeds()) == 1
        assert len(report.added) == 1
        assert len(report.added) + len(report.skipped) == 1003
    finally:
        agg.close()


def test_p10_report_is_exact(settings: Settings, clock: Clock) -> None:
    """P10: per-outline results: every outline is either added or named in a warning."""
    good = outlines(3000)
    bad = '<outline text="bad" xmlUrl="javascript:x"/>'
    agg = make_aggregator(settings, clock=clock)
    try:
        agg.import_opml(opml(outlines(1)))  # already subscribed: a duplicate in the next import
        report = agg.import_opml(opml(good + bad))
        assert len(report.added) == 2999
        assert len(report.skipped) == 2
        assert len(agg.feeds()) == 3000
    finally:
        agg.close()


HOSTILE_NAMES = ['"><img src=x onerror=alert(1)>', "<script>alert(1)</script>", "a\x00b"]


def test_hostile_names_from_opml_are_text_everywhere(
    settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    """Titles and folder names from an imported OPML: escaped on every page, valid in the
    export (T02/T04 through the OPML door)."""
    name = HOSTILE_NAMES[0]
    body = (
        f"<outline text={quoteattr(name)}>"
        f'<outline text={quoteattr(HOSTILE_NAMES[1])} xmlUrl="https://e.example/f" '
        f'htmlUrl="javascript:alert(1)" category="/&lt;svg onload=alert(1)&gt;"/></outline>'
    )
    agg = make_aggregator(settings, clock=clock)
    try:
        agg.import_opml(opml(body))
        with TestClient(create_app(agg)) as client:
            sign_in(client, agg)
            for path in ("/sources", "/categories", "/admin", f"/admin/feeds/{agg.feeds()[0].id}"):
                response = client.get(path)
                assert response.status_code == 200
                assert page_problems(response.text) == [], path
            export = client.get("/opml.xml")
            assert xml_feed_problems(export.content) == []
            again = parse_opml(export.content)
            assert again.entries[0].title == HOSTILE_NAMES[1]
    finally:
        agg.close()


def test_admin_upload_over_the_cap(settings: Settings, clock: Clock) -> None:
    """The admin form: a file over 5 MB is a 400 with the reason, nothing imported."""
    agg = make_aggregator(settings, clock=clock)
    try:
        with TestClient(create_app(agg)) as client:
            token = sign_in(client, agg)
            big = opml("<!--" + "x" * (6 << 20) + "-->")
            response = client.post(
                "/admin/opml",
                data={"csrf_token": token},
                files={"file": ("subs.opml", big, "text/x-opml")},
            )
            assert response.status_code in (400, 413)
        assert agg.feeds() == []
    finally:
        agg.close()
