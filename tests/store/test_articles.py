"""The article queue in the items table, on SQLite and PostgreSQL: new items of a feed with full
articles are queued as they are written, a claim is taken by one claimer only, a claim that died
comes back, a late result of a claim taken over is dropped."""

from __future__ import annotations

import threading
from datetime import timedelta

from tests.store.plans import NOW, ok, write
from tidings.arrival import ArticleOutcome
from tidings.store.store import Store
from tidings.types import Item, ParsedItem

LEASE = timedelta(minutes=10)


def _feed(store: Store, url: str, *, full: bool, items: int = 3) -> int:
    fid = store.add_feed(url, now=NOW)
    store.set_full_articles(fid, full)
    news = tuple(
        write(ParsedItem(guid=f"{url}#{i}", title=f"item {i}", link=f"{url}/{i}", summary_html="s"))
        for i in range(items)
    )
    store.apply(ok(fid, NOW, new=news))
    return fid


def _items(store: Store, fid: int) -> list[Item]:
    return store.items(feed_id=fid, limit=100, with_article=True)


def _claim(store: Store, limit: int = 10, *, later: timedelta = timedelta()) -> list[int]:
    jobs = store.claim_articles(now=NOW + later, limit=limit, lease=LEASE, max_attempts=3)
    return [j.item_id for j in jobs]


def test_new_items_of_a_full_articles_feed_are_queued_the_others_not(store: Store) -> None:
    full = _feed(store, "https://a.example/feed", full=True)
    plain = _feed(store, "https://b.example/feed", full=False)
    assert {i.article_status for i in _items(store, full)} == {"pending"}
    assert {i.article_status for i in _items(store, plain)} == {None}
    # turned on later: only what arrives from then on
    store.set_full_articles(plain, True)
    assert {i.article_status for i in _items(store, plain)} == {None}
    late = write(ParsedItem(guid="late", title="late", link="https://b.example/late"))
    store.apply(ok(plain, NOW + timedelta(hours=1), new=(late,)))
    assert {i.guid: i.article_status for i in _items(store, plain)}["late"] == "pending"
    counts = store.article_counts([full, plain])
    assert counts[full].pending == 3 and counts[plain].pending == 1


def test_a_claim_carries_what_the_fetch_needs_and_is_taken_once(store: Store) -> None:
    fid = _feed(store, "https://a.example/feed", full=True)
    jobs = store.claim_articles(now=NOW, limit=2, lease=LEASE, max_attempts=3)
    assert [j.link for j in jobs] == ["https://a.example/feed/0", "https://a.example/feed/1"]
    assert all(j.attempt == 1 and j.feed_html == "s" and j.feed_id == fid for j in jobs)
    assert _claim(store) == [jobs[-1].item_id + 1]  # the rest: nothing twice
    assert _claim(store) == []
    assert store.article_counts([fid])[fid].fetching == 3


def test_results_done_failed_and_retried(store: Store) -> None:
    fid = _feed(store, "https://a.example/feed", full=True)
    first, second, third = store.claim_articles(now=NOW, limit=3, lease=LEASE, max_attempts=3)
    assert store.finish_article(ArticleOutcome(first.item_id, 1, html="<p>art</p>"), now=NOW)
    assert store.finish_article(ArticleOutcome(second.item_id, 1, error="HTTP 404"), now=NOW)
    retry = NOW + timedelta(minutes=15)
    assert store.finish_article(
        ArticleOutcome(third.item_id, 1, error="timed out", retry_at=retry), now=NOW
    )
    by_id = {i.id: i for i in _items(store, fid)}
    assert (by_id[first.item_id].article_status, by_id[first.item_id].article_html) == (
        "done",
        "<p>art</p>",
    )
    assert by_id[second.item_id].article_status == "failed"
    assert by_id[second.item_id].article_error == "HTTP 404"
    assert by_id[third.item_id].article_status == "pending"
    # the retry waits for its time, then is claimed as the second attempt
    assert _claim(store, later=timedelta(minutes=14)) == []
    again = store.claim_articles(now=retry, limit=5, lease=LEASE, max_attempts=3)
    assert [(j.item_id, j.attempt) for j in again] == [(third.item_id, 2)]
    # a list leaves the article out; the item views read it
    assert {i.article_html for i in store.items(feed_id=fid)} == {None}


def test_a_claim_that_died_comes_back_and_its_late_result_is_dropped(store: Store) -> None:
    _feed(store, "https://a.example/feed", full=True, items=1)
    (dead,) = store.claim_articles(now=NOW, limit=5, lease=LEASE, max_attempts=3)
    assert _claim(store, later=LEASE - timedelta(seconds=1)) == []
    (taken,) = store.claim_articles(now=NOW + LEASE, limit=5, lease=LEASE, max_attempts=3)
    assert (taken.item_id, taken.attempt) == (dead.item_id, 2)
    # the first claimer finishes late: its result is not written over the new claim's
    assert not store.finish_article(ArticleOutcome(dead.item_id, 1, html="<p>old</p>"), now=NOW)
    assert store.finish_article(ArticleOutcome(taken.item_id, 2, html="<p>new</p>"), now=NOW)
    assert store.get_item_article(dead.item_id) == ("done", "<p>new</p>", None)


def test_an_item_whose_claims_keep_dying_is_given_up(store: Store) -> None:
    _feed(store, "https://a.example/feed", full=True, items=1)
    for n in range(3):
        assert len(_claim(store, later=LEASE * n)) == 1
    assert _claim(store, later=LEASE * 3) == []  # the fourth claim fails it instead
    (item_id,) = [i.id for i in store.items(limit=5)]
    status, _, error = store.get_item_article(item_id)
    assert status == "failed" and error and "gave up after 3 attempts" in error


def test_turning_off_leaves_the_pending_unfetched_and_latest_queues_again(store: Store) -> None:
    fid = _feed(store, "https://a.example/feed", full=True, items=4)
    store.set_full_articles(fid, False)
    assert _claim(store) == []
    assert {i.article_status for i in _items(store, fid)} == {None}
    assert not store.get_feed(fid).full_articles
    store.set_full_articles(fid, True)
    assert store.queue_articles(fid, 2) == 2
    assert len(_claim(store)) == 2
    assert store.queue_articles(fid, 2) == 0  # claimed: not queued twice


def test_two_claimers_at_once_never_share_an_item(store: Store) -> None:
    """Threads claiming from one queue together: every item claimed exactly once."""
    for n in range(4):
        _feed(store, f"https://h{n}.example/feed", full=True, items=10)
    got: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def claimer(mine: list[int]) -> None:
        try:
            start.wait(timeout=10)
            for _ in range(20):  # bounded: 40 items, 3 at a time, four claimers
                taken = _claim(store, 3)
                mine.extend(taken)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(mine,)) for mine in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    every = [i for mine in got for i in mine]
    assert len(every) == len(set(every)) == 40
