"""The apps' sync algorithms, request by request (research notes, section 5.3): NetNewsWire,
Read You, Fluent Reader, News+, Capy Reader, FeedMe and Newsboat's ``freshrss`` mode."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tests.web.greader.clients import App, R, encode, from_long, hex_of, long_of

API = "/reader/api/0"
MONTH = 30 * 86400


def chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    found = sorted(ids)
    for start in range(0, len(found), size):
        yield found[start : start + size]


# -- NetNewsWire (ReaderAPICaller, ReaderAPIAccountDelegate) -------------------------------------


def netnewswire_sync(app: App, now: int) -> None:
    if not app.auth:
        app.login_lines(f"Email={encode(app.name)}&Passwd={encode(app.password)}")
    app.get(f"{API}/tag/list?output=json")
    for sub in app.get(f"{API}/subscription/list?output=json").json()["subscriptions"]:
        app.feeds[sub["id"]] = sub
    recent = app.ids(f"n=1000&output=json&ot={now - 3 * MONTH}&s={R}reading-list", 1000)
    unread = app.ids(f"n=1000&output=json&s={R}reading-list&xt={R}read", 1000)
    starred = app.ids(f"n=1000&output=json&s={R}starred", 1000)
    if not app.token:
        app.token = app.get(f"{API}/token").text.strip()
    missing = (set(recent) | set(unread) | set(starred)) - set(app.items)
    for chunk in chunks(missing, 150):
        ids = "&".join(f"i={encode(long_of(i))}" for i in chunk)
        found = app.post(f"{API}/stream/items/contents", f"T={app.token}&output=json&{ids}")
        app.keep(found.json()["items"])
    app.unread, app.starred = set(unread), set(starred)


def netnewswire_send(app: App, ids: Iterable[int], tag: str, add: bool) -> None:
    """Local changes, 1000 ids a request; on a bad token, a new token and one retry."""
    ids = list(ids)
    app.change(ids, tag, add)
    for chunk in chunks(ids, 1000):
        body = "&".join(f"i={encode(long_of(i))}" for i in chunk)
        for _ in range(2):
            app.calls.append(f"POST {API}/edit-tag")
            response = app.http.post(
                app.base + f"{API}/edit-tag",
                content=f"T={app.token}&{body}&{'a' if add else 'r'}={R}{tag}".encode(),
                headers=app.headers(**{"Content-Type": "application/x-www-form-urlencoded"}),
            )
            if response.status_code == 401 and response.headers.get("X-Reader-Google-Bad-Token"):
                app.token = app.get(f"{API}/token").text.strip()
                continue
            assert response.text == "OK", response.text
            break


# -- Read You (GoogleReaderAPI, GoogleReaderRssService) ----------------------------------------


def readyou_login(app: App) -> None:
    body = (
        f"output=json&Email={encode(app.name)}&Passwd={encode(app.password)}"
        "&client=ReadYou&accountType=HOSTED_OR_GOOGLE&service=reader"
    )
    app.auth = app.post("/accounts/ClientLogin", body, auth=False).json()["Auth"]
    app.token = app.get(f"{API}/token").text.strip()
    assert app.get(f"{API}/user-info?output=json").json()["userName"] == app.name


def readyou_sync(app: App, now: int, *, freshrss: bool = False) -> None:
    """One sync: fetch the remote lists, push local state the server lacks, fetch what is
    missing, take the remote state."""
    unread = app.ids(f"output=json&s={R}reading-list&xt={R}read&n=10000", 10000)
    starred = app.ids(f"output=json&s={R}starred&n=10000", 10000)
    if freshrss:
        read = app.ids(f"output=json&s={R}reading-list&it={R}read&ot={now - MONTH}&n=10000", 10000)
    else:
        read = app.ids(f"output=json&s={R}read&ot={now - MONTH}&n=10000", 10000)
    # push: starred here and not there; read here and unread there
    push_star = app.starred - set(starred)
    push_read = (set(app.items) - app.unread) & set(unread)
    for ids, tag in ((push_star, "starred"), (push_read, "read")):
        for chunk in chunks(ids, 500):
            body = "&".join(f"i={hex_of(i)}" for i in chunk)
            app.write(f"{API}/edit-tag?output=json", f"{body}&a={R}{tag}&T={app.token}")
    for sub in app.get(f"{API}/subscription/list?output=json").json()["subscriptions"]:
        app.feeds[sub["id"]] = sub
    after_push_unread = set(unread) - push_read
    missing = (after_push_unread | set(starred) | push_star | set(read)) - set(app.items)
    for chunk in chunks(missing, 100):
        body = "&".join(f"i={hex_of(i)}" for i in chunk)
        found = app.post(f"{API}/stream/items/contents?output=json", f"{body}&T={app.token}")
        app.keep(found.json()["items"])
    app.unread = after_push_unread
    app.starred = set(starred) | push_star


def readyou_mark(app: App, ids: Iterable[int], tag: str, add: bool) -> None:
    ids = list(ids)
    app.change(ids, tag, add)
    for chunk in chunks(ids, 500):
        body = "&".join(f"i={hex_of(i)}" for i in chunk)
        app.write(
            f"{API}/edit-tag?output=json", f"{body}&{'a' if add else 'r'}={R}{tag}&T={app.token}"
        )


# -- Fluent Reader (greader.ts) ---------------------------------------------------------------


def fluent_sync(app: App, last_crawl: int | None, limit: int = 5000) -> int | None:
    """One sync; returns the crawl time (s) of the newest item, its ``ot`` next time."""
    if app.get(f"{API}/user-info", status=200 if app.auth else 401).status_code != 200:
        app.login_lines(f"Email={encode(app.name)}&Passwd={encode(app.password)}")
    for sub in app.get(f"{API}/subscription/list?output=json").json()["subscriptions"]:
        app.feeds[sub["id"]] = sub

    def listed(query: str) -> set[int]:  # pages while a page holds 1000
        found: list[int] = []
        cont = ""
        for _ in range(100):
            refs = app.get(f"{API}/stream/items/ids?output=json&{query}&n=1000{cont}").json()
            found += [int(r["id"]) for r in refs["itemRefs"]]
            if len(refs["itemRefs"]) < 1000 or "continuation" not in refs:
                return set(found)
            cont = f"&c={refs['continuation']}"
        raise AssertionError("paging did not end")

    unread = listed(f"s={R}reading-list&xt={R}read")
    starred = listed(f"s={R}starred")
    newest_known = max(app.items, default=0)
    ot = f"&ot={last_crawl}" if last_crawl is not None else ""
    cont, fetched, newest = "", 0, last_crawl
    for _ in range(100):  # newest first, until the ot bound or the fetch limit
        page = app.get(f"{API}/stream/contents?output=json&n={min(limit, 1000)}{ot}{cont}").json()
        fresh = [i for i in page["items"] if from_long(i["id"]) > newest_known]
        app.keep(fresh)
        for entry in page["items"]:
            crawled = int(entry["crawlTimeMsec"]) // 1000
            newest = crawled if newest is None else max(newest, crawled)
        fetched += len(page["items"])
        if "continuation" not in page or fetched >= limit:
            break
        cont = f"&c={page['continuation']}"
    # ids known to be unread or starred whose items were not fetched are fetched by id
    for chunk in chunks((unread | starred) - set(app.items), 1000):
        found = app.get(
            f"{API}/stream/items/contents?output=json&" + "&".join(f"i={hex_of(i)}" for i in chunk)
        )
        app.keep(found.json()["items"])
    app.unread, app.starred = unread, starred
    return newest


def fluent_mark(app: App, ids: Iterable[int], tag: str, add: bool) -> None:
    ids = list(ids)
    body = "&".join(f"i={hex_of(i)}" for i in sorted(ids))
    app.change(ids, tag, add)
    app.write(f"{API}/edit-tag", f"{body}&{'a' if add else 'r'}={R}{tag}")


def fluent_mark_feed(app: App, feed: str) -> None:
    app.write(f"{API}/mark-all-as-read", f"s={feed}")
