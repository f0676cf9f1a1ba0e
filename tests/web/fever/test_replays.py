"""Read You and Fluent Reader, replayed request for request against the app (research notes
5.3.3 and 5.3.4): after each sync the app's own unread and starred sets are the server's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.fever.clients import MAX_SAFE_INTEGER, Fluent, ReadYou
from tests.web.fever.helpers import API_PASSWORD, HARBOUR, NATO, SCIENCE, Fever, arrive, item


@pytest.fixture
def stocked(fever: Fever) -> Fever:
    """126 items: pages of 50, 50 and 26."""
    nato = feed_of(fever, NATO)
    arrive(
        fever.agg, nato, fever.clock.now, *(item(n, "more", fever.clock.now) for n in range(120))
    )
    return fever


def feed_of(fever: Fever, url: str) -> int:
    return next(s.feed.id for s in fever.agg.subscriptions(fever.user_id) if s.feed.url == url)


def read_you(fever: Fever) -> ReadYou:
    return ReadYou.signed_in(fever.http, "http://testserver/api/fever.php", "ada", API_PASSWORD)


def fluent(fever: Fever) -> Fluent:
    return Fluent.signed_in(
        fever.http, "http://testserver/fever/", "ada", API_PASSWORD, lambda: fever.clock.now
    )


def assert_in_step(app: ReadYou | Fluent, fever: Fever) -> None:
    assert set(app.articles) == fever.all_ids()
    assert app.unread() == fever.unread()
    assert app.starred() == fever.saved()


def changes_elsewhere(fever: Fever) -> None:
    """Meanwhile, on the web: three items read, one starred; then a fetch brings new items."""
    some = sorted(fever.all_ids())[10:13]
    fever.agg.set_read(fever.user_id, some)
    fever.agg.set_starred(fever.user_id, [some[0]])
    fever.clock.now += timedelta(minutes=10)
    arrive(fever.agg, feed_of(fever, HARBOUR), fever.clock.now, item(7, "new", fever.clock.now))
    arrive(fever.agg, feed_of(fever, SCIENCE), fever.clock.now, item(8, "new", fever.clock.now))


def test_read_you_first_sync_sends_its_requests_and_ends_in_step(stocked: Fever) -> None:
    app = read_you(stocked)
    assert app.valid_credentials()
    stocked.agg.set_starred(stocked.user_id, [min(stocked.all_ids())])
    app.sync()
    ids = sorted(stocked.all_ids())
    assert app.queries() == [
        "api=&",
        "api=&groups",
        "api=&feeds",
        "api=&favicons",
        "api=&items&since_id=",
        f"api=&items&since_id={ids[49]}",
        f"api=&items&since_id={ids[99]}",
        "api=&unread_item_ids",
        "api=&saved_item_ids",
    ]
    assert all(body == f"api_key={app.key}" for _, body in app.sent)
    assert_in_step(app, stocked)
    assert set(app.feeds) == {s.feed.id for s in stocked.agg.subscriptions(stocked.user_id)}


def test_read_you_marks_in_the_query_string_and_stays_in_step(stocked: Fever) -> None:
    app = read_you(stocked)
    app.sync()
    first, second, third = sorted(app.articles)[:3]
    app.mark_item(first, "read")
    app.mark_item(second, "saved")
    app.mark_item(second, "saved")  # twice: still saved
    app.mark_item(third, "read")
    app.mark_item(third, "unread")
    assert app.sent[-1][0].endswith(f"?api=&&mark=item&as=unread&id={third}")
    assert_in_step(app, stocked)
    changes_elsewhere(stocked)
    last = app.last_article_id
    app.sync()
    assert f"api=&items&since_id={last}" in app.queries()
    assert_in_step(app, stocked)
    # a feed read up to now; a group marked unread again, as Read You's menu does
    app.mark_feed(feed_of(stocked, HARBOUR), stocked.clock.now + timedelta(seconds=1))
    world = next(g for g, title in app.groups.items() if title == "World")
    app.mark_group(world, None)
    app.mark_group(world, None, unread=True)
    app.sync()
    assert_in_step(app, stocked)
    harbour = {i for i, a in app.articles.items() if a.feed_id == feed_of(stocked, HARBOUR)}
    assert harbour and not harbour & app.unread()
    app.mark_all_read()  # before = Long.MAX_VALUE / 1000 for each feed
    assert stocked.unread() == set()
    app.sync()
    assert_in_step(app, stocked)


def test_fluent_first_sync_sends_its_requests_and_ends_in_step(stocked: Fever) -> None:
    app = fluent(stocked)
    assert app.authenticate()
    stocked.agg.set_read(stocked.user_id, sorted(stocked.all_ids())[:5])
    app.sync()
    ids = sorted(stocked.all_ids(), reverse=True)
    assert app.queries() == [
        "api",
        "api&feeds",
        "api&groups",
        "api&unread_item_ids",
        "api&saved_item_ids",
        f"api&items&max_id={MAX_SAFE_INTEGER}",
        f"api&items&max_id={ids[49]}",
        f"api&items&max_id={ids[99]}",
    ]
    assert not app.use_int32
    assert_in_step(app, stocked)
    assert app.source_groups[feed_of(stocked, HARBOUR)] == "Uncategorized"
    assert app.source_groups[feed_of(stocked, NATO)] == "World"


def test_fluent_marks_in_the_body_and_stays_in_step(stocked: Fever) -> None:
    app = fluent(stocked)
    app.sync()
    first, second, third = sorted(app.articles, reverse=True)[:3]
    app.mark_item(first, "read")
    app.mark_item(second, "saved")
    app.mark_item(third, "read")
    app.mark_item(third, "unread")
    app.mark_item(second, "unsaved")
    app.mark_item(second, "saved")
    assert app.sent[-1] == (
        "http://testserver/fever/?api",
        f"api_key={app.key}&mark=item&as=saved&id={second}",
    )
    assert_in_step(app, stocked)
    changes_elsewhere(stocked)
    app.sync()
    assert_in_step(app, stocked)
    app.mark_all_read([feed_of(stocked, NATO), feed_of(stocked, SCIENCE)])
    assert stocked.unread() == app.unread()
    assert {stocked.agg.entry(stocked.user_id, i).item.feed_id for i in app.unread()} == {
        feed_of(stocked, HARBOUR)
    }
    app.sync()
    assert_in_step(app, stocked)


def test_fluent_mark_all_leaves_what_arrived_after_it_unread(stocked: Fever) -> None:
    app = fluent(stocked)
    app.sync()
    seen = stocked.clock.now
    stocked.clock.now += timedelta(seconds=30)
    arrive(stocked.agg, feed_of(stocked, NATO), stocked.clock.now, item(1, "later", seen))
    app.mark_all_read([feed_of(stocked, NATO)], date=seen)
    app.sync()
    assert_in_step(app, stocked)
    later = {i for i, a in app.articles.items() if a.unread and a.feed_id == feed_of(stocked, NATO)}
    assert len(later) == 1


def test_both_apps_sync_on_after_a_feed_with_a_starred_item_is_unfollowed(fever: Fever) -> None:
    phone, desktop = read_you(fever), fluent(fever)
    phone.sync()
    desktop.sync()
    harbour = feed_of(fever, HARBOUR)
    kept = min(i for i, a in phone.articles.items() if a.feed_id == harbour)
    phone.mark_item(kept, "saved")
    fever.agg.unsubscribe(fever.user_id, harbour)
    arrive(fever.agg, feed_of(fever, NATO), fever.clock.now, item(4, "after", fever.clock.now))
    phone.sync()
    desktop.sync()
    for app in (phone, desktop):
        assert set(app.articles) == fever.all_ids()
        assert app.unread() == fever.unread()
        assert app.starred() == fever.saved() - {kept} == set()  # its item is not paged
