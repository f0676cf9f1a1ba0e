"""Schemathesis over /v1/openapi.json against a real ``tidings serve``: every operation of the
document, with cases generated from its schemas and an API key, answers without a 5xx, with a
documented status, and with a body matching the schema documented for that status.

Bounded: a few cases per operation (no shrinking, a fixed seed), the total printed. Bodies that
name a URL for tidings to fetch (subscribe, discover) point at the loopback feed server, so
that nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.pg import fresh_schema
from tests.shared import in_ci
from tests.web.v1.served import served

try:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )
    from schemathesis.core.result import Ok
except ImportError:  # pragma: no cover - the dev extra brings it
    schemathesis = None  # type: ignore[assignment]

MISSING = "schemathesis is not installed (pip install -e '.[dev]')"
if schemathesis is None and in_ci():
    raise RuntimeError(f"the schemathesis run must happen under CI, but {MISSING}")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(schemathesis is None, reason=MISSING)]

EXAMPLES = 10  # cases per operation
URL_FIELDS = ("feed_url", "site_url", "url")


def loopback(urls: list[str]) -> Any:
    """Point a case's URL fields at the loopback feed server (a feed, else a missing page)."""

    def mapped(case: Any) -> Any:
        if isinstance(case.body, dict):
            for n, name in enumerate(URL_FIELDS):
                if name in case.body:
                    case.body[name] = urls[n % len(urls)]
        return case

    return mapped


def exercise(
    operation: Any,
    mapped: Any,
    base: str,
    auth: dict[str, str],
    checks: list[Any],
    cases: Counter[str],
) -> None:
    """Up to ``EXAMPLES`` cases of one operation, each checked; counted in ``cases``."""

    @given(operation.as_strategy().map(mapped))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=base, headers=auth, timeout=30)
        case.validate_response(response, checks=checks, headers=auth)
        cases[operation.label] += 1

    run()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_every_operation_answers_as_documented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest, backend: str
) -> None:
    database_url = None
    if backend == "postgres":
        database_url = request.getfixturevalue("pg_database")
        fresh_schema(database_url)
    with served(tmp_path, database_url) as site:
        key = site.reader("sam", {"/sea.xml": ("Sea", 6, "Work"), "/land.xml": ("Land", 3, None)})
        site.feeds.routes["/new.xml"] = site.feeds.routes["/sea.xml"]
        urls = [site.feeds.url("/new.xml"), site.feeds.url("/missing.xml")]
        auth = {"X-Auth-Token": key}
        schema = schemathesis.openapi.from_url(f"{site.base}/v1/openapi.json")
        checks = [
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            response_headers_conformance,
        ]
        cases: Counter[str] = Counter()
        found = list(schema.get_all_operations())
        assert all(isinstance(r, Ok) for r in found), "the document has invalid operations"
        operations = [r.ok() for r in found if isinstance(r, Ok)]
        assert len(operations) >= 30, [op.label for op in operations]
        failures: dict[str, str] = {}
        started = time.monotonic()
        for operation in operations:  # every operation, whatever an earlier one found
            try:
                exercise(operation, loopback(urls), site.base, auth, checks, cases)
            except BaseExceptionGroup as found:  # schemathesis's failures: all reported below
                failures[operation.label] = " / ".join(
                    " ".join(str(e).split())[:300] for e in found.exceptions
                )
        elapsed = time.monotonic() - started
        with capsys.disabled():
            print(
                f"\nschemathesis ({backend}): {sum(cases.values())} cases over "
                f"{len(cases)} operations of /v1/openapi.json in {elapsed:.1f} s, "
                f"{len(failures)} operations failing"
            )
        assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
        assert set(cases) == {op.label for op in operations}
