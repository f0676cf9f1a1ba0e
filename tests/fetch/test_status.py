from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tidings.fetch.status import MAX_RETRY_AFTER, parse_retry_after, status_error

NOW = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "date", "expected"),
    [
        (None, None, None),
        ("", None, None),
        ("120", None, 120.0),
        (" 120 ", None, 120.0),
        ("0", None, 0.0),
        ("99999999999999999999", None, MAX_RETRY_AFTER),
        ("-5", None, None),
        ("1.5", None, None),
        ("soon", None, None),
        ("Wed, 21 Oct 2015 07:30:00 GMT", None, 120.0),
        ("Wednesday, 21-Oct-15 07:30:00 GMT", None, 120.0),  # RFC 850 form
        ("Wed Oct 21 07:30:00 2015", None, 120.0),  # asctime form
        ("Wed, 21 Oct 2015 07:00:00 GMT", None, 0.0),  # in the past
        ("Wed, 21 Oct 2099 07:00:00 GMT", None, MAX_RETRY_AFTER),
        # measured against the server's own clock when it sent Date
        ("Wed, 21 Oct 2015 10:00:00 GMT", "Wed, 21 Oct 2015 09:59:00 GMT", 60.0),
        ("Wed, 21 Oct 2015 10:00:00 GMT", "not a date", 9120.0),
        ("Mon, 32 Foo 99999 25:61:61 +2500", None, None),
    ],
)
def test_parse_retry_after(value: str | None, date: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW, date=date) == expected


@pytest.mark.parametrize(
    ("status", "reason", "message", "permanent"),
    [
        (404, "Not Found", "HTTP 404 Not Found", False),
        (410, "whatever", "HTTP 410 Gone", True),
        (429, None, "HTTP 429 Too Many Requests", False),
        (599, "Net\r\nX: y", "HTTP 599 NetX: y", False),
        (599, None, "HTTP 599 Unknown Status", False),
        (599, "x" * 500, "HTTP 599 " + "x" * 80, False),
    ],
)
def test_status_error(status: int, reason: str | None, message: str, permanent: bool) -> None:
    error = status_error(status, reason, "30")
    assert str(error) == message
    assert error.status == status
    assert error.permanent is permanent
    assert error.retry_after == 30.0
