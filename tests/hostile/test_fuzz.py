"""The parser under mutated corpus feeds, with a fixed budget (see ``fuzz.py`` for longer runs):
no exception but tidings' own, no hang, and only storable text out."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from tests.hostile.fuzz import check as check_result
from tests.hostile.fuzz import mutated, parse_one, seeds
from tests.shared import CORPUS, missing

FILES = seeds()
BUDGET = int(os.environ.get("TIDINGS_FUZZ_EXAMPLES", "2000"))


@pytest.mark.slow
@pytest.mark.skipif(not FILES, reason=missing(CORPUS))
@settings(
    max_examples=BUDGET,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated(FILES or [CORPUS]))
def test_parser_survives_mutated_feeds(case: tuple[bytes, str | None]) -> None:
    check_result(parse_one(*case))


@pytest.mark.skipif(not FILES, reason=missing(CORPUS))
def test_every_seed_parses_or_fails_cleanly() -> None:
    """The unmutated corpus: the fuzz run's starting points."""
    for path in FILES:
        check_result(parse_one(path.read_bytes(), None))
