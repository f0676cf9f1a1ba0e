"""Replays of real apps' syncs (research notes 5.3): each scripted app signs in, syncs, changes
state locally and pushes it, sees changes made elsewhere and new arrivals, and after each sync
its local unread and starred sets are the server's. 1,211 items, so the apps that page do."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.web.greader import apps, apps_more
from tests.web.greader.clients import App
from tests.web.greader.helpers import API_PASSWORD, Reader, arrive, item

MANY = 1205

Sync = Callable[[App], None]
Mark = Callable[[App, Iterable[int], str, bool], None]


@pytest.fixture
def library(reader: Reader) -> Reader:
    """ada's 1,211 items: 1,205 more from NATO over two months, 400 of them read, 30 starred
    (15 read), and a starred item of a feed she no longer follows."""
    nato = reader.feeds["nato"]
    start = reader.clock.now - timedelta(days=60)
    for batch in range(5):
        when = start + timedelta(days=12 * batch)
        new = [item(1000 + batch * 241 + n, "more", when) for n in range(241)]
        arrive(reader.agg, nato, when, *new)
    every = sorted(reader.every())
    assert len(every) == MANY + 6
    reader.agg.set_read(reader.user_id, every[10:410])
    reader.agg.set_starred(reader.user_id, every[395:425])
    harbour = reader.ids(s=f"feed/{reader.feeds['harbour']}")
    reader.agg.set_starred(reader.user_id, harbour[:1])
    reader.agg.unsubscribe(reader.user_id, reader.feeds["harbour"])
    return reader


def app_for(reader: Reader, base: str = "") -> App:
    return App(reader.http, base, "ada", API_PASSWORD)


def same(app: App, reader: Reader) -> None:
    assert app.unread == reader.unread()
    assert app.starred == reader.starred()
    assert (app.unread | app.starred) <= set(app.items)  # every item it lists, it can show


@dataclass
class Elsewhere:
    """Changes made on another device, and items that arrive, between two syncs."""

    read: list[int]
    starred: list[int]


def happen_elsewhere(reader: Reader) -> Elsewhere:
    unread = sorted(reader.unread())
    done = Elsewhere(read=unread[:7], starred=unread[7:9])
    reader.agg.set_read(reader.user_id, done.read)
    reader.agg.set_starred(reader.user_id, done.starred)
    reader.clock.now += timedelta(hours=1)
    fresh = [item(5000 + n, "fresh", reader.clock.now) for n in range(3)]
    arrive(reader.agg, reader.feeds["nato"], reader.clock.now, *fresh)
    return done


def local_changes(app: App, reader: Reader, mark: Mark) -> None:
    """Read 5, make 2 read ones unread, star 3, unstar 1: each pushed as the app pushes it."""
    followed = {i for i, e in app.items.items() if e["origin"]["streamId"] in app.feeds}
    unread, read = sorted(app.unread), sorted(followed - app.unread)
    starred = sorted(app.starred)
    to_read, to_unread, to_star = unread[:5], read[:2], unread[5:8]
    mark(app, to_read, "read", True)
    mark(app, to_unread, "read", False)
    mark(app, to_star, "starred", True)
    mark(app, starred[:1], "starred", False)
    server_unread, server_starred = reader.unread(), reader.starred()
    assert not set(to_read) & server_unread and set(to_unread) <= server_unread
    assert set(to_star) <= server_starred and starred[0] not in server_starred


def replay(reader: Reader, app: App, sync: Sync, mark: Mark) -> None:
    sync(app)
    same(app, reader)
    local_changes(app, reader, mark)
    sync(app)
    same(app, reader)
    happen_elsewhere(reader)
    sync(app)
    same(app, reader)
    assert len(app.calls) < 400  # no request loops


def now_s(reader: Reader) -> int:
    return int(reader.clock.now.timestamp())


@pytest.mark.parametrize("base", ["", "/api/greader.php"])
def test_netnewswire(library: Reader, base: str) -> None:
    app = app_for(library, base)
    replay(library, app, lambda a: apps.netnewswire_sync(a, now_s(library)), apps.netnewswire_send)
    # a token gone stale (another sign-in elsewhere changed nothing, but the app's copy is old)
    app.token = "stale"
    first = min(app.unread)
    apps.netnewswire_send(app, [first], "read", True)
    assert app.token != "stale" and first not in library.unread()


@pytest.mark.parametrize("freshrss", [False, True])
def test_read_you(library: Reader, freshrss: bool) -> None:
    app = app_for(library, "/api/greader.php" if freshrss else "")
    apps.readyou_login(app)

    def sync(a: App) -> None:
        apps.readyou_sync(a, now_s(library), freshrss=freshrss)

    sync(app)
    same(app, library)
    # offline: read and starred locally; the next sync pushes both
    offline_read, offline_star = sorted(app.unread)[:4], sorted(app.unread)[4:6]
    app.unread -= set(offline_read)
    app.starred |= set(offline_star)
    sync(app)
    same(app, library)
    assert not set(offline_read) & library.unread() and set(offline_star) <= library.starred()
    replay(library, app, sync, apps.readyou_mark)


def test_fluent_reader(library: Reader) -> None:
    app = app_for(library)
    state: dict[str, int | None] = {"ot": None}

    def sync(a: App) -> None:
        state["ot"] = apps.fluent_sync(a, state["ot"])

    replay(library, app, sync, apps.fluent_mark)
    apps.fluent_mark_feed(app, f"feed/{library.feeds['nato']}")
    sync(app)
    same(app, library)
    assert not library.unread() & set(library.ids(s=f"feed/{library.feeds['nato']}"))


def test_news_plus(library: Reader) -> None:
    app = app_for(library)
    ck = now_s(library) * 1000

    def sync(a: App) -> None:
        apps_more.newsplus_sync(a, ck)
        apps_more.newsplus_token(a)

    replay(library, app, sync, apps_more.newsplus_mark)
    apps_more.newsplus_mark_all(app, "user/-/label/World", "World", now_s(library) * 1000)
    sync(app)
    same(app, library)
    assert not library.unread() & set(library.ids(s="user/-/label/World"))


def test_capy_reader(library: Reader) -> None:
    app = app_for(library)
    replay(library, app, apps_more.capy_sync, apps_more.capy_mark)
    app.token = "expired"
    library.agg.set_read(library.user_id, sorted(library.unread())[:2], False)
    apps_more.capy_sync(app)
    same(app, library)


def test_feedme(library: Reader) -> None:
    replay(library, app_for(library), apps_more.feedme_sync, apps_more.feedme_mark)


def test_newsboat_freshrss(library: Reader) -> None:
    app = app_for(library)
    seen = apps_more.newsboat_sync(app, min_items=2000)
    # Newsboat reads each feed's newest items, without following continuations
    assert app.unread == library.unread() & seen and app.starred == library.starred() & seen
    nato = library.ids(s=f"feed/{library.feeds['nato']}", xt="user/-/state/com.google/read")
    apps_more.newsboat_mark(app, nato[0], True)
    apps_more.newsboat_mark(app, nato[1], True)
    apps_more.newsboat_mark(app, nato[1], False)
    assert nato[0] not in library.unread() and nato[1] in library.unread()
    happen_elsewhere(library)
    seen = apps_more.newsboat_sync(app, min_items=2000)
    assert app.unread & seen == library.unread() & seen
