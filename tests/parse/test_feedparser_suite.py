"""feedparser's own test documents run through the fast path, with a floor per folder.

The shared harness (``shared/tools/feedparser_suite.py``) evaluates each document's ``Expect:``
expression over a feedparser-like result. ``fast_path_result`` is our adapter: the fast path's
records (``lxmlfeed.read_records``, the same ones ``parse_feed`` maps into a ParsedFeed) wrapped
as feedparser's result, with ``*_parsed`` dates from the fast path's date reading. A document
the fast path declines counts as a failure here (in ``parse_feed`` feedparser would read it).

The records hold only what tidings maps, unsanitized (sanitizing is ours and happens later), so
many expectations about other keys fail by design; feedparser itself passes every case run. The
floors below are the pass counts measured when the fast path was written
(``python bench/parse_corpus.py --suite`` prints the full table); a change that makes any folder
pass fewer cases fails this test. The whole suite runs in a few seconds, so ``make test`` runs
all of it.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from types import ModuleType
from typing import Any

import pytest
from feedparser.util import FeedParserDict

from tests.shared import FEEDPARSER_TESTS, TOOLS, missing
from tidings.parse.lxmldates import FeedparserDates
from tidings.parse.lxmlfeed import read_records
from tidings.parse.mapping import entry_date

HARNESS = TOOLS / "feedparser_suite.py"
TESTS = FEEDPARSER_TESTS
DEFAULT_URL = "http://127.0.0.1:8097/tests/"

# folder (two levels, as the harness reports) -> cases the fast path passed when measured
# (folders where it passes none are left out: entities/ and cdf/ are declined as a whole, the
# first for HTML entities that XML does not define, the second for its CDF root)
FLOORS: dict[str, int] = {
    "encoding": 127,
    "illformed": 1,
    "wellformed/amp": 70,
    "wellformed/atom": 97,
    "wellformed/atom10": 121,
    "wellformed/base": 29,
    "wellformed/itunes": 15,
    "wellformed/lang": 8,
    "wellformed/media-rss": 10,
    "wellformed/namespace": 9,
    "wellformed/psc": 1,
    "wellformed/rdf": 12,
    "wellformed/rss": 89,
    "wellformed/sanitize": 293,
    "wellformed/xml": 3,
}


def _wrap(value: Any) -> Any:
    if isinstance(value, Mapping):
        return FeedParserDict({key: _wrap(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    return value


def _with_parsed_dates(record: dict[str, Any]) -> dict[str, Any]:
    dates = FeedparserDates([record])
    for key in ("published", "updated"):
        moment: datetime | None = entry_date(record, key, dates)
        if moment is not None:
            record[f"{key}_parsed"] = moment.utctimetuple()
    return record


def fast_path_result(
    data: bytes, response_headers: Mapping[str, str] | None = None, url: str | None = None
) -> FeedParserDict:
    """The fast path's records as a feedparser result (raises Decline where it declines)."""
    reader, _ = read_records(data, url=url or DEFAULT_URL, headers=dict(response_headers or {}))
    return FeedParserDict(
        bozo=False,
        encoding="utf-8",
        version=reader.version,
        headers=dict(response_headers or {}),
        namespaces={},
        feed=_wrap(reader.feed),
        entries=[_wrap(_with_parsed_dates(dict(entry))) for entry in reader.entries],
    )


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("feedparser_suite", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pass_counts(results: Mapping[str, Counter[str]]) -> dict[str, int]:
    return {folder: counts["pass"] for folder, counts in sorted(results.items())}


@pytest.mark.skipif(
    not (HARNESS.is_file() and TESTS.is_dir()),
    reason=missing(TESTS if HARNESS.is_file() else HARNESS),
)
def test_fast_path_pass_counts_do_not_fall() -> None:
    harness = load_harness()
    run = harness.run_suite(str(TESTS), fast_path_result, timeout=20.0)
    counts = pass_counts(harness.summarise(run["groups"], 2))
    fallen = {
        folder: (counts.get(folder, 0), floor)
        for folder, floor in FLOORS.items()
        if counts.get(folder, 0) < floor
    }
    assert not fallen, f"folders passing fewer cases than before (now, floor): {fallen}"
    assert sum(counts.values()) >= sum(FLOORS.values())
