"""Malformed input and encodings (M01-M12, D10): a liberal parse where one is possible, a
readable error where not, and never a crash, a 500 or text that cannot be stored as UTF-8."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.conftest import Clock
from tests.feedserver import FeedServer, Route
from tidings.core import Aggregator
from tidings.errors import ParseError
from tidings.parse import parse_feed
from tidings.types import ParsedFeed

# slow together (about 15 s here): each malformed feed through a real update
pytestmark = pytest.mark.slow

URL = "https://ok.example/feed"


def rss_bytes(title: bytes, *, prolog: bytes = b'<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (
        prolog + b'<rss version="2.0"><channel><title>' + title + b"</title>"
        b"<item><guid>1</guid><title>" + title + b"</title></item></channel></rss>"
    )


def all_text(parsed: ParsedFeed) -> list[str]:
    out = [parsed.title or "", parsed.description or ""]
    for item in parsed.items:
        out += [item.title or "", item.author or "", item.summary_html or "", item.guid or ""]
        out += list(item.categories)
    return out


def storable(parsed: ParsedFeed) -> None:
    """Every string encodes as UTF-8 and carries no NUL (SQLite and PostgreSQL take it)."""
    for text in all_text(parsed):
        text.encode("utf-8")
        assert "\x00" not in text


# --- M01, M02: encodings ---------------------------------------------------------------------

ENCODINGS = {
    "M01-latin1-prolog-utf8-bytes": (
        rss_bytes("café".encode(), prolog=b'<?xml version="1.0" encoding="ISO-8859-1"?>'),
        None,
    ),
    "M01-utf8-prolog-latin1-bytes": (rss_bytes("café".encode("latin-1")), None),
    "M01-header-disagrees": (rss_bytes("café".encode()), "text/xml; charset=windows-1251"),
    "M01-header-unknown-charset": (rss_bytes("café".encode()), "text/xml; charset=x-klingon"),
    "M01-prolog-unknown": (
        rss_bytes(b"caf\xc3\xa9", prolog=b'<?xml version="1.0" encoding="x-nope"?>'),
        None,
    ),
    "M01-utf16-no-bom": (rss_bytes(b"t").decode().encode("utf-16-le"), None),
    "M01-utf16-bom-utf8-prolog": (b"\xff\xfe" + rss_bytes(b"t").decode().encode("utf-16-le"), None),
    "M01-utf32": (rss_bytes(b"t").decode().encode("utf-32"), None),
    "M01-ebcdic-claim": (rss_bytes(b"t", prolog=b'<?xml version="1.0" encoding="cp500"?>'), None),
    "M02-invalid-continuation": (rss_bytes(b"a\xc3\x28b"), None),
    "M02-surrogate-bytes": (rss_bytes(b"a\xed\xa0\x80b"), None),
    "M02-overlong": (rss_bytes(b"a\xc0\xafb"), None),
    "M02-truncated": (rss_bytes(b"a\xe2\x82"), None),
    "M02-nul-byte": (rss_bytes(b"a\x00b"), None),
    "M02-control-chars": (rss_bytes(b"a\x01\x02\x1bb"), None),
    "M02-char-ref-nul": (rss_bytes(b"a&#0;b&#xFFFE;c&#xD800;d"), None),
    "M02-bom-only": (b"\xef\xbb\xbf", None),
    "M02-double-bom": (b"\xef\xbb\xbf\xef\xbb\xbf" + rss_bytes(b"t"), None),
}


@pytest.mark.parametrize("case", list(ENCODINGS))
def test_encodings(case: str) -> None:
    body, content_type = ENCODINGS[case]
    headers = {"content-type": content_type} if content_type else {}
    try:
        parsed = parse_feed(body, url=URL, headers=headers)
    except ParseError as exc:
        assert not case.startswith("M01-utf8") and not case.startswith("M01-header")
        error = str(exc)
        assert error  # a reason a person can read
        return
    storable(parsed)
    if case.startswith("M01-") and "caf" in (parsed.title or ""):
        assert parsed.title in ("café", "cafÃ©"), parsed.title
    if case in ("M01-utf8-prolog-latin1-bytes", "M01-header-disagrees"):
        assert parsed.title == "café"  # the common cases decode right


# --- M06, M11: JSON Feed with wrong types ---------------------------------------------------

JSON_CASES = {
    "M06-lone-surrogate": '{"version":"https://jsonfeed.org/version/1.1","title":"\\ud800",'
    '"items":[{"id":"\\udfff","title":"a\\ud800b","content_html":"<p>\\ud800</p>"}]}',
    "M11-items-object": '{"version":"https://jsonfeed.org/version/1.1","title":"t","items":{}}',
    "M11-title-number": '{"version":"https://jsonfeed.org/version/1.1","title":123,"items":[]}',
    "M11-content-null": '{"version":"https://jsonfeed.org/version/1.1","title":"t",'
    '"items":[{"id":"1","content_html":null}]}',
    "M11-authors-string": '{"version":"https://jsonfeed.org/version/1.1","title":"t",'
    '"items":[{"id":"1","title":"x","authors":"x","tags":"y","attachments":"z"}]}',
    "M11-junk-items": '{"version":"https://jsonfeed.org/version/1.1","title":"t",'
    '"items":[null,1,"x",[],{"id":{"a":1},"url":["x"],"date_published":42}]}',
    "M11-top-level-array": '[{"version":"https://jsonfeed.org/version/1.1"}]',
    "M11-version-missing": '{"title":"t","items":[{"id":"1"}]}',
    "M11-huge-numbers": '{"version":"https://jsonfeed.org/version/1.1","title":"t",'
    '"items":[{"id":1e400,"attachments":[{"url":"https://ok.example/a","size_in_bytes":1e400}]}]}',
    "M11-nan": '{"version":"https://jsonfeed.org/version/1.1","title":NaN,"items":[]}',
    "M11-duplicate-keys": '{"version":"https://jsonfeed.org/version/1.1","title":"a","title":"b",'
    '"items":[]}',
    "M11-truncated": '{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":',
}


@pytest.mark.parametrize("case", list(JSON_CASES))
def test_json_wrong_types(case: str) -> None:
    try:
        parsed = parse_feed(
            JSON_CASES[case].encode(), url=URL, headers={"content-type": "application/feed+json"}
        )
    except ParseError as exc:
        error = str(exc)
    else:
        storable(parsed)
        return
    assert error  # a reason a person can read


def test_json_50mb_string() -> None:
    """M11: one 50 MB string field: parsed or refused, without a traceback."""
    big = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "t",
            "items": [{"id": "1", "content_text": "x" * (50 << 20)}],
        }
    ).encode()
    try:
        parsed = parse_feed(big, url=URL)
    except ParseError:
        return
    storable(parsed)


# --- M07: dates -----------------------------------------------------------------------------

DATES = {
    "M07-nonsense": "Mon, 32 Foo 99999 25:61:61 +2500",
    "M07-zero": "0000-00-00T00:00:00Z",
    "M07-minus-one": "-1",
    "M07-far-future": "Fri, 31 Dec 9999 23:59:59 GMT",
    "M07-far-future-iso": "9999-12-31T23:59:59Z",
    "M07-epoch": "Thu, 01 Jan 1970 00:00:00 GMT",
    "M07-ambiguous": "01/02/03",
    "M07-year-one": "0001-01-01T00:00:00Z",
    "M07-offset-overflow": "2026-01-01T00:00:00+99:99",
    "M07-huge-year": "Mon, 01 Jan 999999999999 00:00:00 GMT",
    "M07-empty": "",
}


def dated(date: str, n: int = 1) -> bytes:
    items = "".join(
        f"<item><guid>{i}</guid><title>t{i}</title><pubDate>{date}</pubDate>"
        f"<dc:date>{date}</dc:date></item>"
        for i in range(n)
    )
    return (
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>'
        f"<pubDate>{date}</pubDate>{items}</channel></rss>"
    ).encode()


@pytest.mark.parametrize("case", list(DATES))
def test_dates_parse(case: str) -> None:
    parsed = parse_feed(dated(DATES[case]), url=URL)
    (item,) = parsed.items
    for when in (item.published, item.updated):
        assert when is None or when.tzinfo is not None


@pytest.mark.parametrize("case", ["M07-far-future", "M07-far-future-iso", "M07-nonsense"])
async def test_dates_are_clamped_for_sorting(
    case: str, agg: Aggregator, server: FeedServer, clock: Clock
) -> None:
    """A date in the far future does not pin an item to the top: sorted at most a day ahead."""
    server.routes["/f"] = Route(dated(DATES[case]))
    feed = await agg.add_feed(server.url("/f"))
    (item,) = agg.items(feed_id=feed.id)
    assert item.sort_date <= clock.now + timedelta(days=1)


# --- M08: identities ----------------------------------------------------------------------


def items_xml(*pairs: tuple[str, str]) -> bytes:
    items = "".join(f"<item><guid>{g}</guid><title>{t}</title></item>" for g, t in pairs)
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


async def test_duplicate_guids_in_one_document(agg: Aggregator, server: FeedServer) -> None:
    """M08: the same guid three times: one item, deterministically, no constraint error."""
    server.routes["/f"] = Route(items_xml(("a", "first"), ("a", "second"), ("a", "third")))
    feed = await agg.add_feed(server.url("/f"))
    titles = [i.title for i in agg.items(feed_id=feed.id)]
    assert len(titles) == 1 and titles[0] in ("first", "third")


async def test_huge_guid_and_whitespace_variants(agg: Aggregator, server: FeedServer) -> None:
    """M08: a 1 MB guid is a key like any other; guids differing by case are distinct items."""
    big = "g" * (1 << 20)
    server.routes["/f"] = Route(items_xml((big, "big"), ("Case", "upper"), ("case", "lower")))
    feed = await agg.add_feed(server.url("/f"))
    assert {i.title for i in agg.items(feed_id=feed.id)} == {"big", "upper", "lower"}
    results = await agg.update([feed.id])
    assert results[0].error is None and results[0].new == 0


async def test_missing_guids_are_stable(agg: Aggregator, server: FeedServer) -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>a</title></item>'
        b"<item><link>https://ok.example/b</link></item><item><description>c</description>"
        b"</item></channel></rss>"
    )
    server.routes["/f"] = Route(body, validators=False)
    feed = await agg.add_feed(server.url("/f"))
    assert agg.count_items(feed_id=feed.id) == 3
    server.routes["/f"] = Route(body + b" ", validators=False)  # same items, new bytes
    (result,) = await agg.update([feed.id])
    assert result.new == 0 and agg.count_items(feed_id=feed.id) == 3


# --- M09, M12, D10: through the pipeline (O-ISO) ---------------------------------------------

NOT_FEEDS = {
    "M09-html-login-wall": Route(
        b"<!doctype html><html><head><title>Sign in</title></head><body><form></form></body>"
        b"</html>",
        content_type="text/html",
    ),
    "M09-cloudflare": Route(
        b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
        b"<div id=cf-challenge></div></body></html>",
        status=200,
        content_type="text/html",
    ),
    "M09-empty": Route(b""),
    "M09-whitespace": Route(b" \n\t "),
    "M09-png": Route(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, content_type="image/png"),
    "M09-204": Route(b"", status=204),
    "M09-json-not-feed": Route(b'{"hello": "world"}', content_type="application/json"),
    "M09-xml-not-feed": Route(b"<note><to>x</to></note>"),
    "M09-truncated-xml": Route(b'<rss version="2.0"><channel><title>t</title><item><title>'),
    "M09-binary": Route(bytes(range(256)) * 10, content_type="application/octet-stream"),
}


@pytest.mark.parametrize("case", list(NOT_FEEDS))
async def test_not_a_feed_keeps_stored_items(
    case: str, agg: Aggregator, server: FeedServer
) -> None:
    """O-ISO: the feed is errored with a readable reason; its items, validators stay."""
    server.routes["/f"] = Route(items_xml(("1", "one"), ("2", "two")))
    feed = await agg.add_feed(server.url("/f"))
    before = [(i.guid, i.title, i.summary_html) for i in agg.items(feed_id=feed.id)]
    etag = agg.feed(feed.id).etag
    server.routes["/f"] = NOT_FEEDS[case]
    (result,) = await agg.update([feed.id])
    after = agg.feed(feed.id)
    if case == "M09-truncated-xml" and result.error is None:
        pass  # a liberal parse of what arrived; nothing lost either way
    else:
        assert result.error, case
        assert after.error_count == 1 and after.last_error
        assert after.etag == etag
    assert [(i.guid, i.title, i.summary_html) for i in agg.items(feed_id=feed.id)] == before


async def test_temporary_shrink_deletes_nothing(agg: Aggregator, server: FeedServer) -> None:
    """M12: 50 items, then an empty channel, then all-new guids: the 50 stay."""
    server.routes["/f"] = Route(items_xml(*[(str(n), f"t{n}") for n in range(50)]))
    feed = await agg.add_feed(server.url("/f"))
    server.routes["/f"] = Route(items_xml())
    await agg.update([feed.id])
    assert agg.count_items(feed_id=feed.id) == 50
    server.routes["/f"] = Route(items_xml(*[(f"new{n}", f"n{n}") for n in range(5)]))
    await agg.update([feed.id])
    assert agg.count_items(feed_id=feed.id) == 55


async def test_poisoned_rows_do_not_cost_the_batch(agg: Aggregator, server: FeedServer) -> None:
    """D10: a NUL, a lone surrogate and a 5 MB body among 100 items: the others are stored."""
    items = [{"id": str(n), "title": f"t{n}", "content_text": "ok"} for n in range(97)]
    items += [
        {"id": "nul", "title": "a\x00b", "content_html": "<p>a\x00b</p>"},
        {"id": "surrogate", "title": "a\ud800b", "content_html": "<p>\udfff</p>"},
        {"id": "big", "title": "big", "content_html": "<p>" + "x" * (5 << 20) + "</p>"},
    ]
    body = json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": items}
    ).encode()
    server.routes["/f"] = Route(body, content_type="application/feed+json")
    feed = await agg.add_feed(server.url("/f"))
    stored = agg.items(feed_id=feed.id, limit=1000)
    assert len(stored) >= 99
    for item in stored:
        (item.title or "").encode("utf-8")
        assert "\x00" not in (item.title or "") + (item.content_html or "")
