"""Error messages are text too: a server's reason phrase, a redirect's Location and a body are
the publisher's words, and they reach the admin pages, the fetch-history chart, the source
page and the health records. Each must show escaped (O-TEXT), and no page may run them."""

from __future__ import annotations

import asyncio

from markupsafe import escape
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.fetch.conftest import ServeRaw, read_request
from tests.hostile.oracles import page_problems
from tests.web.helpers import sign_in
from tidings.config import Settings
from tidings.core import make_aggregator
from tidings.web.app import create_app

PAYLOAD = '"><svg onload=alert(1)><script>alert(1)</script>'


def raw_answer(head: bytes) -> object:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(head)
        await writer.drain()

    return handle


async def test_hostile_error_text_is_escaped_everywhere(
    settings: Settings, clock: Clock, serve_raw: ServeRaw
) -> None:
    answers = {
        "reason": b"HTTP/1.1 500 " + PAYLOAD.encode() + b"\r\nContent-Length: 0\r\n\r\n",
        "location": b"HTTP/1.1 302 Found\r\nLocation: javascript:"
        + PAYLOAD.encode()
        + b"\r\nContent-Length: 0\r\n\r\n",
        "body": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
        + str(len(PAYLOAD) + 13).encode()
        + b"\r\n\r\n<html>"
        + PAYLOAD.encode()
        + b"</html>",
    }
    servers = {name: await serve_raw(raw_answer(head)) for name, head in answers.items()}  # type: ignore[arg-type]
    agg = make_aggregator(settings, clock=clock)
    ids = [agg.store.add_feed(s.url(f"/{name}"), now=clock.now) for name, s in servers.items()]
    async with agg:
        results = await agg.update(all_feeds=True)
    assert all(r.error for r in results), results
    # the reason phrase is replaced by the standard one, the Location is percent-encoded: the
    # publisher's words arrive disarmed, and are still escaped where shown
    assert any("onload" in (r.error or "") for r in results), results
    assert len(agg.health()) == len(ids)

    def pages() -> None:
        with TestClient(create_app(agg)) as client:
            sign_in(client, agg)
            paths = ["/admin", *(f"/admin/feeds/{i}" for i in ids), *(f"/sources/{i}" for i in ids)]
            for path in paths:
                response = client.get(path)
                assert response.status_code == 200, path
                assert page_problems(response.text) == [], path
                assert "<script>alert(1)" not in response.text, path
            for result in results:  # each reason shown on its feed's page, escaped once
                shown = client.get(f"/admin/feeds/{result.feed_id}").text
                assert str(escape(result.error)) in shown, result.error

    await asyncio.to_thread(pages)
    agg.close()
