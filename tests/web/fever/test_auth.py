"""Signing in to the Fever API: the key md5("name:API password") wherever the client puts it, at
every address; anything else is a 200 with ``auth`` 0, and guessing is slowed per address."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.fever.helpers import PASSWORD, Fever, fever_key

SIGNED_OUT = {"api_version": 3, "auth": 0}


@pytest.mark.parametrize("path", ["/fever/", "/fever", "/api/fever.php", "/api/fever.php/"])
def test_every_address_answers_a_posted_key(fever: Fever, path: str) -> None:
    body = fever.http.post(f"{path}?api", data={"api_key": fever.key}).json()
    assert body["auth"] == 1
    assert body["api_version"] == 3
    assert type(body["last_refreshed_on_time"]) is int


def test_the_key_in_the_query_of_a_get_or_a_multipart_body(fever: Fever) -> None:
    assert fever.http.get(f"/fever/?api&api_key={fever.key}").json()["auth"] == 1
    multipart = fever.http.post("/fever/?api", files={"api_key": (None, fever.key)})
    assert multipart.json()["auth"] == 1
    upper = fever.http.post("/api/fever.php?api", data={"api_key": fever.key.upper()})
    assert upper.json()["auth"] == 1  # hex digits in either case


@pytest.mark.parametrize(
    "key",
    ["", "not a key", fever_key("ada", "wrong"), fever_key("ada", PASSWORD), fever_key("nobody")],
)
def test_a_wrong_or_missing_key_is_auth_0_with_a_200(fever: Fever, key: str) -> None:
    response = fever.http.post("/fever/?api&items&unread_item_ids", data={"api_key": key})
    assert response.status_code == 200
    assert response.json() == SIGNED_OUT  # nothing of anyone's leaks
    assert fever.http.post("/fever/?api&items").json() == SIGNED_OUT  # no key at all


def test_the_sign_in_password_is_not_the_key_and_a_new_api_password_ends_the_old_key(
    fever: Fever,
) -> None:
    assert fever.post(key=fever_key("ada", PASSWORD)) == SIGNED_OUT
    fever.agg.set_api_password(fever.user_id, "another one for apps")
    assert fever.post() == SIGNED_OUT
    assert fever.post(key=fever_key("ada", "another one for apps"))["auth"] == 1
    fever.agg.clear_api_password(fever.user_id)
    assert fever.post(key=fever_key("ada", "another one for apps")) == SIGNED_OUT


def test_wrong_keys_from_an_address_are_refused_for_a_while_even_the_right_one(
    fever: Fever,
) -> None:
    for n in range(20):
        assert fever.post(key=fever_key("ada", f"guess {n}")) == SIGNED_OUT
    throttled = fever.post()
    assert throttled["auth"] == 0
    assert "try again in" in throttled["error"]
    fever.clock.now += timedelta(minutes=16)
    assert fever.post()["auth"] == 1


def test_last_refreshed_is_the_newest_successful_fetch_of_the_persons_feeds(
    fever: Fever,
) -> None:
    body = fever.post()
    newest = max(
        s.feed.last_success for s in fever.agg.subscriptions(fever.user_id) if s.feed.last_success
    )
    assert body["last_refreshed_on_time"] == int(newest.timestamp())


def test_last_refreshed_is_0_for_feeds_never_fetched(fever: Fever) -> None:
    for sub in fever.agg.subscriptions(fever.user_id):
        fever.agg.unsubscribe(fever.user_id, sub.feed.id)
    fever.agg.store.add_feed("https://new.example/feed", now=fever.clock.now, on_site=False)
    fever.agg.store.add_subscription(
        fever.user_id,
        fever.agg.store.find_feed("https://new.example/feed").id,  # type: ignore[union-attr]
        now=fever.clock.now,
    )
    assert fever.post()["last_refreshed_on_time"] == 0
