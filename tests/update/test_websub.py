"""WebSub's pure parts: the hub and topic of a fetched feed, and how rarely a pushed feed is
polled (table tests)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tidings.types import FeedState, FetchResult, ParsedFeed
from tidings.update.decide import decide_success
from tidings.update.schedule import Policy, success_interval
from tidings.update.websub import (
    header_links,
    hub_and_topic,
    lease_of,
    renew_at,
    retry_delay,
    signature_problem,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HOUR, DAY = 3600, 24 * 3600
URL = "https://pub.example/feed"


def fetched(headers: dict[str, str] | None = None, final_url: str = URL) -> FetchResult:
    return FetchResult(URL, final_url, 200, headers or {}, b"<rss/>", 0.1)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", {}),
        ('<https://hub.example/>; rel="hub"', {"hub": ["https://hub.example/"]}),
        (
            '<https://hub.example/>; rel="hub", <https://pub.example/self>; rel="self"',
            {"hub": ["https://hub.example/"], "self": ["https://pub.example/self"]},
        ),
        ("</hub>; rel=hub", {"hub": ["https://pub.example/hub"]}),  # relative, unquoted
        ('<https://a.example/x,y>; title="a, b"; rel="hub self"', {
            "hub": ["https://a.example/x,y"], "self": ["https://a.example/x,y"]}),
        ('<https://a.example/>; rel="alternate"', {"alternate": ["https://a.example/"]}),
        ("<mailto:a@b>; rel=hub", {}),  # only the web
        ("<https://a.example/>", {}),  # no relation
        ("garbage; rel=hub", {}),
    ],
)  # fmt: skip
def test_header_links(header: str, expected: dict[str, list[str]]) -> None:
    assert header_links({"link": header} if header else {}, URL) == expected


@pytest.mark.parametrize(
    ("headers", "hubs", "self_url", "final_url", "expected"),
    [
        # no hub anywhere: nothing to subscribe to
        ({}, (), "https://pub.example/self", URL, (None, None)),
        # the document's hub and self
        ({}, ("https://hub.example/",), "https://pub.example/self", URL,
         ("https://hub.example/", "https://pub.example/self")),
        # no self link: the URL the document came from, after redirects
        ({}, ("https://hub.example/",), None, "https://pub.example/moved",
         ("https://hub.example/", "https://pub.example/moved")),
        # the Link header first (hub and self)
        ({"link": '<https://h2.example/>; rel="hub", <https://pub.example/s2>; rel="self"'},
         ("https://hub.example/",), "https://pub.example/self", URL,
         ("https://h2.example/", "https://pub.example/s2")),
        # a hub only in the header, the self in the document
        ({"link": '<https://h2.example/>; rel="hub"'}, (), "https://pub.example/self", URL,
         ("https://h2.example/", "https://pub.example/self")),
    ],
)  # fmt: skip
def test_hub_and_topic(
    headers: dict[str, str],
    hubs: tuple[str, ...],
    self_url: str | None,
    final_url: str,
    expected: tuple[str | None, str | None],
) -> None:
    parsed = ParsedFeed(version="atom10", hubs=hubs, self_url=self_url)
    assert hub_and_topic(parsed, fetched(headers, final_url)) == expected


def test_the_plan_carries_hub_and_topic() -> None:
    parsed = ParsedFeed(version="atom10", hubs=("https://hub.example/",), self_url=None)
    plan = decide_success(FeedState(1, URL), fetched(), parsed, NOW, Policy())
    assert plan.meta is not None
    assert (plan.meta.websub_hub, plan.meta.websub_topic) == ("https://hub.example/", URL)
    bare = decide_success(FeedState(1, URL), fetched(), ParsedFeed(version="rss20"), NOW, Policy())
    assert bare.meta is not None and bare.meta.websub_hub is None


@pytest.mark.parametrize(
    ("pushed", "refresh", "push_poll", "expected", "reason"),
    [
        (False, None, DAY, HOUR, "the default interval"),
        (True, None, DAY, DAY, "pushed by its WebSub hub"),
        (True, 600, DAY, DAY, "pushed by its WebSub hub"),  # over a person's own interval too
        (True, None, 2 * DAY, 2 * DAY, "pushed by its WebSub hub"),  # past the 24 h cap
        (True, 3 * DAY, 2 * DAY, 3 * DAY, "the feed's own interval"),  # never shorter
        (True, None, 1800, HOUR, "the default interval"),  # a push poll under the default
    ],
)
def test_a_pushed_feed_is_polled_rarely(
    pushed: bool, refresh: int | None, push_poll: int, expected: int, reason: str
) -> None:
    policy = replace(Policy(), push_poll=push_poll, max_refresh=max(DAY, refresh or 0))
    chosen = success_interval(refresh_seconds=refresh, policy=policy, now=NOW, pushed=pushed)
    assert (chosen.seconds, chosen.reason) == (expected, reason)


@pytest.mark.parametrize("push_poll", [DAY, 2 * DAY])
def test_the_next_check_of_a_pushed_feed(push_poll: int) -> None:
    policy = replace(Policy(), push_poll=push_poll)
    state = FeedState(1, URL, pushed=True)
    plan = decide_success(state, fetched(), ParsedFeed(version="rss20"), NOW, policy)
    waited = (plan.next_check - NOW).total_seconds()
    assert push_poll * (1 - policy.jitter) - 1 <= waited <= push_poll * (1 + policy.jitter) + 1
    assert plan.schedule_reason == "pushed by its WebSub hub"
    polled = decide_success(
        replace(state, pushed=False), fetched(), ParsedFeed(version="rss20"), NOW, policy
    )
    assert (polled.next_check - NOW).total_seconds() < 2 * HOUR


# -- the subscriber's clock and a push's signature ---------------------------------------------

MINUTE = 60


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [
        (0, 5 * MINUTE),
        (1, 5 * MINUTE),
        (2, 10 * MINUTE),
        (5, 80 * MINUTE),
        (9, 1280 * MINUTE),
        (10, DAY),
        (99, DAY),
    ],
)
def test_retry_delay(failures: int, seconds: int) -> None:
    assert retry_delay(failures) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("lease", "after"),
    [
        (100, 80),  # 80 % of a short lease
        (DAY, 0.8 * DAY),
        (5 * DAY, 4 * DAY),  # 80 % is a day before the end
        (10 * DAY, 9 * DAY),  # a day before the end, later than 80 %
        (10 * 365 * DAY, 364 * DAY),  # a lease over a year renewed as a year's
    ],
)
def test_renew_at(lease: int, after: float) -> None:
    assert renew_at(NOW, lease) == NOW + timedelta(seconds=after)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 864000),
        ("", 864000),
        ("3600", 3600),
        ("0", None),
        ("-5", None),
        ("1.5", None),
        ("abc", None),
        ("٣", None),  # a digit, but not ASCII
        ("99999999999999999999", 365 * DAY),
        ("9" * 5000, 365 * DAY),  # never handed to int() whole
    ],
)
def test_lease_of(raw: str | None, expected: int | None) -> None:
    assert lease_of(raw, 864000) == expected


BODY = b"<feed/>"


def signed(method: str, secret: str = "s3cret", body: bytes = BODY) -> str:
    return f"{method}=" + hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_every_signature_method(method: str) -> None:
    assert signature_problem("s3cret", signed(method), BODY) is None
    assert signature_problem("s3cret", signed(method).upper().replace("SHA", "sha"), BODY) is None
    assert signature_problem("s3cret", signed(method, "other"), BODY) is not None
    assert signature_problem("s3cret", signed(method, body=b"x"), BODY) is not None


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (None, "no X-Hub-Signature"),
        ("", "no X-Hub-Signature"),
        ("md5=abc", "'md5' is not one of sha1, sha256, sha384, sha512"),
        ("sha256", "does not match"),
        ("sha256=", "does not match"),
        ("sha256=zz€", "does not match"),
    ],
)
def test_a_bad_signature(header: str | None, problem: str) -> None:
    found = signature_problem("s3cret", header, BODY)
    assert found is not None and problem in found
