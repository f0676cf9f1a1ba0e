"""Every /v1 operation, from the list the OpenAPI document is made of: refused without
credentials (401, Miniflux's error shape), and with them never a 500 nor a page of HTML for ids
that name nothing, ids past 64 bits, or bodies that are not what it takes (the reader follows
nothing, so every call that needs a feed, a category or an entry is refused)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.v1.conftest import Api, api_user
from tidings.config import Settings
from tidings.core import make_aggregator
from tidings.web import v1
from tidings.web.app import create_app
from tidings.web.v1.spec import Operation

OPERATIONS = [pytest.param(op, id=f"{op.method} {op.path}") for op in v1.operations]
BODIES = [b"", b"null", b"[]", b'{"feed_url": 1, "title": [], "entry_ids": "x"}', b"\xff{"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One site for the module: nothing here changes anything (every call is refused)."""
    data = tmp_path_factory.mktemp("every") / "data"
    settings = Settings.load({"TIDINGS_DATA_DIR": str(data), "TIDINGS_SAMPLES": "0"})
    agg = make_aggregator(settings, clock=Clock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC)))
    user, secret = api_user(agg, "ada")
    with TestClient(create_app(agg)) as client:
        yield Api(agg, client, user, secret)
    agg.close()


def concrete(op: Operation, value: str) -> str:
    return re.sub(r"\{\w+\}", value, op.path)


def assert_error_shape(response: object, where: str) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, where
    if status >= 400:
        assert response.headers["content-type"] == "application/json", where  # type: ignore[attr-defined]
        assert response.json()["error_message"], where  # type: ignore[attr-defined]


@pytest.mark.parametrize("op", OPERATIONS)
def test_without_credentials_only_the_description_answers(api: Api, op: Operation) -> None:
    response = api.client.request(op.method, concrete(op, "1"))
    if op.auth:
        assert response.status_code == 401
        assert response.json()["error_message"].startswith("Access Unauthorized")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("op", OPERATIONS)
def test_ids_that_name_nothing_and_bad_bodies(api: Api, op: Operation) -> None:
    for value in ("424242", "0", "18446744073709551616"):
        where = f"{op.method} {concrete(op, value)}"
        response = api.client.request(op.method, concrete(op, value), headers=api.headers)
        assert_error_shape(response, where)
        if "{" in op.path:
            assert response.status_code in (400, 404), where
    if op.body is not None:
        for body in BODIES:
            response = api.client.request(
                op.method,
                concrete(op, "424242"),
                content=body,
                headers={**api.headers, "Content-Type": "application/json"},
            )
            assert_error_shape(response, f"{op.method} {op.path} {body!r}")
