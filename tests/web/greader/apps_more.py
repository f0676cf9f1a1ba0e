"""More apps' sync algorithms, request by request: News+ (the GReader clone extension), Capy
Reader, FeedMe (from its logs) and Newsboat's ``freshrss`` mode."""

from __future__ import annotations

from collections.abc import Iterable

from tests.web.greader.apps import API, chunks
from tests.web.greader.clients import App, R, encode, from_long, hex_of, long_of

# -- News+ (GoogleReaderClient.java) ------------------------------------------------------------


def newsplus_sync(app: App, ck: int) -> None:
    if not app.auth:
        body = f"accountType=GOOGLE&Email={encode(app.name)}&Passwd={encode(app.password)}"
        app.login_lines(f"{body}&service=reader")
    app.get(f"{API}/tag/list?client=newsplus&output=json&ck={ck}")
    for sub in app.get(f"{API}/subscription/list?client=newsplus&output=json&ck={ck}").json()[
        "subscriptions"
    ]:
        app.feeds[sub["id"]] = sub
    counts = app.get(f"{API}/unread-count?client=newsplus&output=json&ck={ck}").json()
    reading = encode(f"{R}reading-list")
    cont, unread = "", set()
    for _ in range(100):  # JSON expected without output=json
        page = app.get(
            f"{API}/stream/contents/{reading}?client=newsplus&ck={ck}&xt={R}read{cont}&n=1000&r=n"
        ).json()
        app.keep(page["items"])
        for entry in page["items"]:
            assert not any(c.endswith("/state/com.google/read") for c in entry["categories"])
            unread.add(from_long(entry["id"]))
        if "continuation" not in page:
            break
        cont = f"&c={page['continuation']}"
    total = next(r["count"] for r in counts["unreadcounts"] if r["id"].endswith("reading-list"))
    assert total == len(unread)
    starred = app.ids(f"output=json&s={R}starred&n=1000&r=n", 1000)
    hexes = [hex_of(i) for i in starred]  # News+ keeps them as hex
    missing = [int(h, 16) for h in hexes if int(h, 16) not in app.items]
    for chunk in chunks(missing, 1000):
        page = app.post(f"{API}/stream/items/contents", "&".join(f"i={long_of(i)}" for i in chunk))
        app.keep(page.json()["items"])
    app.unread, app.starred = unread, set(starred)


def newsplus_token(app: App) -> None:
    app.token = app.get(f"{API}/token").text[:64].strip()


def newsplus_mark(app: App, ids: Iterable[int], tag: str, add: bool) -> None:
    ids = list(ids)
    app.change(ids, tag, add)
    pairs = "&".join(f"i={long_of(i)}&s={app.items[i]['origin']['streamId']}" for i in sorted(ids))
    body = f"T={app.token}&{'a' if add else 'r'}={R}{tag}&{pairs}&async=true"
    app.write(f"{API}/edit-tag?client=newsplus", body)


def newsplus_mark_all(app: App, stream: str, title: str, ms: int) -> None:
    body = f"T={app.token}&s={encode(stream)}&t={encode(title)}&ts={ms}999"
    app.write(f"{API}/mark-all-as-read?client=newsplus", body)


# -- Capy Reader (GoogleReader.kt, ReaderAccountDelegate.kt) ----------------------------------


def capy_sync(app: App) -> None:
    if not app.auth:  # the fields in the form
        app.login_lines(f"Email={encode(app.name)}&Passwd={encode(app.password)}")
    for sub in app.get(f"{API}/subscription/list?output=json").json()["subscriptions"]:
        app.feeds[sub["id"]] = sub
    app.get(f"{API}/tag/list?output=json")
    starred = app.ids(f"s={R}starred&n=10000&output=json", 10000)
    unread = app.ids(f"s={R}reading-list&xt={R}read&n=10000&output=json", 10000)
    if not app.token:
        app.token = app.get(f"{API}/token").text.strip()
    for chunk in chunks((set(starred) | set(unread)) - set(app.items), 250):
        body = "&".join(f"i={long_of(i)}" for i in chunk)
        for _ in range(2):  # a bad token: fetch a new one and try again
            app.calls.append(f"POST {API}/stream/items/contents")
            response = app.http.post(
                app.base + f"{API}/stream/items/contents?output=json",
                content=f"{body}&T={app.token}".encode(),
                headers=app.headers(**{"Content-Type": "application/x-www-form-urlencoded"}),
            )
            if response.status_code == 401 and response.headers.get("X-Reader-Google-Bad-Token"):
                app.token = app.get(f"{API}/token").text.strip()
                continue
            assert response.status_code == 200, response.text
            app.keep(response.json()["items"])
            break
        else:
            raise AssertionError("the token was refused twice")
    app.unread, app.starred = set(unread), set(starred)


def capy_mark(app: App, ids: Iterable[int], tag: str, add: bool) -> None:
    ids = list(ids)
    app.change(ids, tag, add)
    body = "&".join(f"i={long_of(i)}" for i in sorted(ids))
    app.write(f"{API}/edit-tag", f"{body}&{'a' if add else 'r'}={R}{tag}&T={app.token}")


# -- FeedMe (from FreshRSS #4618's log) ---------------------------------------------------------


def feedme_sync(app: App) -> None:
    if not app.auth:
        app.login_lines(f"Email={encode(app.name)}&Passwd={encode(app.password)}")
    app.get(f"{API}/tag/list?output=json")
    for sub in app.get(f"{API}/subscription/list?output=json").json()["subscriptions"]:
        app.feeds[sub["id"]] = sub
    starred = app.ids(f"output=json&n=500&ot=0&s={encode(R + 'starred')}", 500)
    counts = app.get(f"{API}/unread-count?output=json").json()["unreadcounts"]
    # the unread items themselves: stream/contents with no stream is the reading list
    unread: set[int] = set()
    cont = ""
    for _ in range(100):
        page = app.get(f"{API}/stream/contents?output=json&xt={R}read&n=1000{cont}").json()
        app.keep(page["items"])
        unread |= {from_long(i["id"]) for i in page["items"]}
        if "continuation" not in page:
            break
        cont = f"&c={page['continuation']}"
    by_feed: dict[str, int] = {}
    for item_id in unread:
        feed = app.items[item_id]["origin"]["streamId"]
        by_feed[feed] = by_feed.get(feed, 0) + 1
    for row in counts:
        if row["id"].startswith("feed/"):
            assert row["count"] == by_feed.get(row["id"], 0), row
    for chunk in chunks(set(starred) - set(app.items), 250):
        page = app.post(
            f"{API}/stream/items/contents?output=json", "&".join(f"i={i}" for i in chunk)
        )
        app.keep(page.json()["items"])
    app.unread, app.starred = unread, set(starred)


def feedme_mark(app: App, ids: Iterable[int], tag: str, add: bool) -> None:
    ids = list(ids)
    app.change(ids, tag, add)
    body = "&".join(f"i={i}" for i in sorted(ids))
    app.write(f"{API}/edit-tag", f"T=&{body}&{'a' if add else 'r'}={R}{tag}")


# -- Newsboat, freshrss url-source (freshrssapi.cpp) --------------------------------------------


def newsboat_sync(app: App, min_items: int = 20) -> set[int]:
    """The items Newsboat holds after a reload; the unread ones are its unread set."""
    app.login_lines(
        f"Email={encode(app.name)}&Passwd={encode(app.password)}&source=newsboat%2F2.30"
    )
    seen: set[int] = set()
    for sub in app.get(f"{API}/subscription/list?output=json").json()["subscriptions"]:
        app.feeds[sub["id"]] = sub
        page = app.get(f"{API}/stream/contents/{encode(sub['id'])}?n={min_items}").json()
        app.keep(page["items"])
        for entry in page["items"]:
            item_id = from_long(entry["id"])
            seen.add(item_id)
            (app.unread.discard if f"{R}read" in entry["categories"] else app.unread.add)(item_id)
            (app.starred.add if f"{R}starred" in entry["categories"] else app.starred.discard)(
                item_id
            )
    return seen


def newsboat_mark(app: App, item_id: int, read: bool) -> None:
    token = app.get(f"{API}/token").text  # sent as it came, newline and all
    if read:
        body = f"i={long_of(item_id)}&a={R}read&r={R}kept-unread&ac=edit&T={token}"
    else:
        body = (
            f"i={long_of(item_id)}&r={R}read&a={R}kept-unread&a={R}tracking-kept-unread"
            f"&ac=edit&T={token}"
        )
    app.write(f"{API}/edit-tag", body)
