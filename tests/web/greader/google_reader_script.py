"""Run by the google-reader venv's Python (>= 3.12, tests/web/greader/test_clients.py): PyPI's
``google-reader`` client (by the Miniflux authors) against a real ``tidings serve``.

Arguments: the server's address, a name, its API password. Prints one JSON object of what the
client saw; any failure of the client raises, and the exit status says so.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import google_reader as gr  # type: ignore[import-not-found]  # in the venv of its own


def every_id(client: Any, auth: Any, limit: int, exclude: str | None = None) -> list[str]:
    found: list[str] = []
    continuation = None
    for _ in range(100):  # bounded: 2,000 items in pages of at least 100
        page = client.get_stream_items_ids(
            auth,
            gr.STREAM_READING_LIST,
            limit=limit,
            continuation=continuation,
            exclude_target=exclude,
        )
        found += [ref.id for ref in page.item_refs]
        continuation = page.continuation
        if not continuation:
            return found
    raise RuntimeError("paging did not end")


def main(base: str, name: str, password: str) -> dict[str, Any]:
    client = gr.Client(base)
    try:
        client.login(name, password + "x")
        raise RuntimeError("a wrong password signed in")
    except gr.AuthenticationError:
        pass
    auth = client.login(name, password)
    token = client.get_token(auth)
    user = client.get_user_info(auth)
    subscriptions = client.list_subscriptions(auth)
    tags = client.list_tags(auth)
    all_ids = every_id(client, auth, 500)
    unread_before = every_id(client, auth, 1000, gr.STREAM_READ)
    contents = client.get_stream_items_contents(auth, token, all_ids[:250])
    item = contents.items[0]
    read = all_ids[:10]
    starred = all_ids[10:15]
    client.edit_tags(auth, token, read, add_tags=[gr.STREAM_READ])
    client.edit_tags(auth, token, starred, add_tags=[gr.STREAM_STARRED])
    client.edit_tags(auth, token, starred[:1], remove_tags=[gr.STREAM_STARRED])
    unread_after = every_id(client, auth, 1000, gr.STREAM_READ)
    starred_ids = client.get_stream_items_ids(auth, gr.STREAM_STARRED, limit=100).item_refs
    first = next(s for s in subscriptions if s.title == "Trains")
    second = next(s for s in subscriptions if s.title == "Planes")
    client.edit_subscription(auth, token, first.id, "edit", title="Renamed by the client")
    client.rename_tag(auth, token, gr.get_label_id("Ships"), "Boats")
    client.mark_all_as_read(auth, token, second.id)
    try:
        client.mark_all_as_read(auth, token, "feed/999999")
        raise RuntimeError("an unknown stream was marked read")
    except gr.ClientError:
        pass
    return {
        "user": user.user_name,
        "token": len(token),
        "subscriptions": [[s.id, s.title, [c.label for c in s.categories]] for s in subscriptions],
        "tags": [t.id for t in tags],
        "all": all_ids,
        "unread_before": unread_before,
        "unread_after": unread_after,
        "contents": [i.id for i in contents.items],
        "item": {
            "title": item.title,
            "published": item.published,
            "crawl": item.crawl_time_msec,
            "origin": item.origin.stream_id,
            "summary": item.summary.content,
            "canonical": item.canonical[0].href,
        },
        "read": read,
        "starred": [r.id for r in starred_ids],
        "asked_starred": starred[1:],
        "renamed": first.id,
        "marked_feed": second.id,
        "after": [
            [s.id, s.title, [c.label for c in s.categories]]
            for s in client.list_subscriptions(auth)
        ],
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
